import { describe, expect, it } from 'vitest';
import { targetLeaseKey } from '../../src/index';

// Fresh reviewer 112, F3: the records' lease key followed the identity settings as given, so one org spelled two ways
// (a trailing slash, an upper-case host) made two keys, and two syncs into its records ran at once.
describe('targetLeaseKey', () => {
  const key = (target: Record<string, unknown>) => targetLeaseKey('salesforce', target);

  it('compares http(s) URLs by origin and path, without a trailing slash or the host\'s letter case', () => {
    const base = key({ instanceUrl: 'https://acme.my.salesforce.com', object: 'contact' });
    expect(base).toMatch(/^target:[0-9a-f]{16}$/);
    for (const url of ['https://acme.my.salesforce.com/', 'https://ACME.my.salesforce.com', 'https://acme.my.salesforce.com//', 'https://acme.my.salesforce.com:443']) {
      expect([url, key({ object: 'contact', instanceUrl: url })]).toEqual([url, base]);
    }
  });

  it('keeps other orgs, paths, schemes, destinations and non-URL values apart', () => {
    const base = key({ instanceUrl: 'https://acme.my.salesforce.com', object: 'contact' });
    for (const target of [
      { instanceUrl: 'https://other.my.salesforce.com', object: 'contact' },
      { instanceUrl: 'http://acme.my.salesforce.com', object: 'contact' },
      { instanceUrl: 'https://acme.my.salesforce.com/eu', object: 'contact' },
      { instanceUrl: 'https://acme.my.salesforce.com', object: 'lead' },
      { instanceUrl: 'emulator:acme.my.salesforce.com', object: 'contact' },
    ]) {
      expect([target, key(target)]).not.toEqual([target, base]);
    }
    expect(targetLeaseKey('intercom', { instanceUrl: 'https://acme.my.salesforce.com', object: 'contact' })).not.toBe(base);
    // Not URLs: as they are.
    expect(key({ workspace: 'Acme/' })).not.toBe(key({ workspace: 'Acme' }));
  });
});
