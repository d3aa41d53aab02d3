import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import type { AudienceConformanceHarness } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import type { facebookConfigSchema} from '../src/index';
import { facebookDestination } from '../src/index';
import { sha256Hex } from '../src/identifiers/sha256';
import { createFacebookEmulator, EMULATOR_ACCESS_TOKEN, EMULATOR_AD_ACCOUNT_ID, type EmulatorSettings, type FacebookEmulatorData } from '../src/emulator/index';

/** The email of test person `i`. */
export const emailOf = (i: number) => `person${i}@example.com`;

/** A users request's payload as logged (POST: JSON body; DELETE: the query string). */
export function payloadOf(entry: RequestLogEntry): { schema: string[]; data: string[][] } {
  if (entry.method === 'DELETE') return JSON.parse(entry.query.payload ?? '{}') as { schema: string[]; data: string[][] };
  return (entry.body as { payload: { schema: string[]; data: string[][] } }).payload;
}

/** Whether a logged request is an add (`POST …/users`) or removal (`DELETE …/users`). */
export const isUsers = (e: RequestLogEntry, method: 'POST' | 'DELETE') => e.method === method && e.path.endsWith('/users');

/** Starts an emulator and returns it with a config pointing the destination at it. */
export async function startFacebook(settings: Partial<EmulatorSettings> = {}, extra: Record<string, unknown> = {}) {
  const emulator = createFacebookEmulator({ settings: { lowAudienceSize: 0, ...settings } });
  const baseUrl = await emulator.start();
  const admin = new EmulatorClient(baseUrl);
  const config = { adAccountId: EMULATOR_AD_ACCOUNT_ID, accessToken: EMULATOR_ACCESS_TOKEN, baseUrl, ...extra } as z.input<typeof facebookConfigSchema>;
  /** Audience name → its members' EMAIL hashes. */
  const members = async () => {
    const data = await admin.records<FacebookEmulatorData>();
    return new Map(data.audiences.map((a) => [a.name, new Set(a.members.map((m) => m.EMAIL ?? JSON.stringify(m)))]));
  };
  return { emulator, baseUrl, admin, config, members };
}

/** The audience conformance harness (small add batches for speed; the 10,000-row limit has its own test). */
export const facebookHarness: AudienceConformanceHarness<typeof facebookDestination.configSchema> = {
  destination: facebookDestination,
  async start() {
    const { emulator, admin, config, members } = await startFacebook({}, { addBatchSize: 20, uploadSessionSize: 20, removeBatchSize: 10 });
    return {
      config,
      admin,
      seed: (audiences) => admin.seed({ audiences: Object.entries(audiences).map(([name, keys]) => ({ name, members: keys.map((k) => ({ EMAIL: k })) })) }),
      read: members,
      stop: () => emulator.stop(),
    };
  },
  record: (i, audiences) => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i), FN: `Person ${i}` }, groups: [...audiences] } }),
  withIdentityOf: (record, j) => ({ id: record.id, snapshot: { properties: { EMAIL: emailOf(j), FN: `Person ${j}` }, groups: record.snapshot.groups } }),
  invalidRecord: (i, audiences) => ({ id: `r${i}`, snapshot: { properties: { EMAIL: 'not an email', FN: `Person ${i}` }, groups: [...audiences] } }),
  memberKey: (i) => sha256Hex(emailOf(i)),
  classify: (e) => (isUsers(e, 'POST') ? 'add' : isUsers(e, 'DELETE') ? 'remove' : e.method === 'GET' ? 'read' : 'other'),
  recordsIn: (e) => payloadOf(e).data.length,
  addRequest: { method: 'POST', path: '/users$' },
};
