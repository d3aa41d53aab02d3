import { describe, expect, it } from 'vitest';
import { facebookDestination } from '@syncmodes/facebook';
import { intercomDestination } from '@syncmodes/intercom';
import { onesignalDestination } from '@syncmodes/onesignal';
import { salesforceDestination } from '@syncmodes/salesforce';
import { servedDestinations } from '../src/worker/served-destinations';

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
