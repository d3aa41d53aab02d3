import { parseConfig } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';

// Fresh trial 144, F2: apiVersion 41.0 was accepted (`check` said ready), then every row failed unexpected_error with a
// jsforce message naming no version; 42.0–45.0 upserted by an external id one call per record (collection upserts: 46.0).
describe('Salesforce: the API version', () => {
  const parse = (apiVersion: string) => () => parseConfig(salesforceDestination, { instanceUrl: 'https://acme.my.salesforce.com', accessToken: 'x', apiVersion });

  it.each(['41.0', '42.0', '45.0', '9.0'])('%s is refused when the config is read (invalid_config, naming 46.0)', (version) => {
    expect(parse(version)).toThrow(expect.objectContaining({ code: 'invalid_config', message: expect.stringMatching(/apiVersion.*46\.0 or later/) }));
  });

  it.each(['46.0', '62.0', '100.0'])('%s is taken', (version) => {
    expect(parse(version)().apiVersion).toBe(version);
  });
});
