import { secret, type AnyDestination } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { facebookDestination } from '@syncmodes/facebook';
import { intercomDestination } from '@syncmodes/intercom';
import { onesignalDestination } from '@syncmodes/onesignal';
import { salesforceDestination } from '@syncmodes/salesforce';
import { loadServable, servedDestinations } from '../src/worker/served-destinations';

const known = [
  { id: 'salesforce', destination: salesforceDestination },
  { id: 'intercom', destination: intercomDestination },
  { id: 'facebook', destination: facebookDestination },
  { id: 'onesignal', destination: onesignalDestination },
];

// Fresh helper 107, M5: a worker started without a destination's secret took that destination's runs, failed them
// missing_secret and dead-lettered them while workers that had the secret sat idle.
describe('servedDestinations: a worker takes runs only of destinations whose secrets its environment has', () => {
  it('without --destinations: those with every required secret set; the others are listed with the variables to set', () => {
    const served = servedDestinations(known, undefined, { SALESFORCE_ACCESS_TOKEN: 't', ONESIGNAL_REST_API_KEY: 'k', INTERCOM_ACCESS_TOKEN: '' });
    expect(served.destinations).toEqual(['salesforce', 'onesignal']);
    expect(served.skipped).toEqual([
      { id: 'intercom', missing: ['INTERCOM_ACCESS_TOKEN'] },
      { id: 'facebook', missing: ['FACEBOOK_ACCESS_TOKEN'] },
    ]);
  });

  it('an optional secret (Salesforce refresh credentials) is not required', () => {
    expect(servedDestinations(known, ['salesforce'], { SALESFORCE_ACCESS_TOKEN: 't' })).toEqual({ destinations: ['salesforce'], skipped: [] });
  });

  it('a destination named in --destinations without its secret: refused at start, naming the variable', () => {
    expect(() => servedDestinations(known, ['salesforce', 'intercom'], { SALESFORCE_ACCESS_TOKEN: 't' })).toThrow(
      expect.objectContaining({ code: 'missing_secret', message: expect.stringContaining('This worker could take no run of intercom: its secrets come from this environment, and intercom needs INTERCOM_ACCESS_TOKEN.') }),
    );
  });

  it('no destination with its secrets: refused at start, naming every variable', () => {
    expect(() => servedDestinations(known, undefined, {})).toThrow(
      expect.objectContaining({ code: 'missing_secret', message: expect.stringContaining('salesforce needs SALESFORCE_ACCESS_TOKEN; intercom needs INTERCOM_ACCESS_TOKEN') }),
    );
  });
});

describe('servedDestinations: a plugin secret without an environment variable', () => {
  it('is never set for a stored sync: the destination is left out, naming it (fresh reviewer 110, F6)', () => {
    const plugin = { ...salesforceDestination, id: 'plugin', configSchema: z.object({ token: secret(z.string().min(1)) }) } as unknown as AnyDestination;
    const served = servedDestinations([{ id: 'salesforce', destination: salesforceDestination }, { id: 'plugin', destination: plugin }], undefined, { SALESFORCE_ACCESS_TOKEN: 't', token: 'x' });
    expect(served).toEqual({ destinations: ['salesforce'], skipped: [{ id: 'plugin', missing: ['token (no environment variable)'] }] });
  });
});

describe('loadServable: which destinations a worker loads (fresh reviewer 110, F5)', () => {
  const entries = [
    { id: 'salesforce', load: () => Promise.resolve(salesforceDestination as AnyDestination) },
    { id: 'broken', load: () => Promise.reject(new Error('Cannot find module x')) },
  ];
  it('named: only those are loaded, so a broken plugin left out does not stop the worker', async () => {
    expect((await loadServable(entries, ['salesforce'], () => undefined)).map((d) => d.id)).toEqual(['salesforce']);
  });
  it('named and broken: its error stops the worker', async () => {
    await expect(loadServable(entries, ['broken'], () => undefined)).rejects.toThrow('Cannot find module x');
  });
  it('not named: a broken plugin is left out and named', async () => {
    const lines: string[] = [];
    expect((await loadServable(entries, undefined, (l) => lines.push(l))).map((d) => d.id)).toEqual(['salesforce']);
    expect(lines).toEqual(['not taking runs of broken: its package could not be loaded (Cannot find module x)']);
  });
});
