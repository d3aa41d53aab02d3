import { MemoryStateStore, parseConfig, runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

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

// Fresh trial 144, F3: a version newer than the org's release (Salesforce: the resource does not exist) was reported as
// "Salesforce has no object Contact", sending the user to check the object option.
describe('Salesforce: an API version the org does not serve', () => {
  const t = perTestEmulator(startEmulator);
  const run = (apiVersion: string, object = 'Contact') =>
    runSync({ destination: salesforceDestination, config: { ...t.env.config, apiVersion, object }, mode: 'additive', source: memorySource([{ id: 'a', snapshot: { properties: { Email: 'a@example.com', LastName: 'A' }, groups: [] } }]), state: new MemoryStateStore() });

  it('is refused invalid_config when the run connects, naming the versions the org serves; nothing is written', async () => {
    await expect(run('99.0')).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/does not serve REST API version 99\.0 \(it serves 31\.0 to 68\.0\)\. Set the apiVersion option/) });
    expect(t.env.emulator.org.all('Contact')).toEqual([]);
  });

  it('a served version syncs; an object that does not exist is still unknown_object', async () => {
    expect((await run('66.0')).counts.created).toBe(1);
    await expect(run('62.0', 'Nonexistent__c')).rejects.toMatchObject({ code: 'unknown_object' });
  });
});
