import { EmulatorClient } from '../src/emulator/index';
import { describeAudienceConformance, type AudienceConformanceHarness } from '../src/testing/index';
import { createTinyAudienceEmulator, TINY_AUDIENCE_TOKEN, tinyAudienceDestination } from './tiny/tiny-audience';

const emailOf = (i: number) => `person${i}@example.com`;

const harness: AudienceConformanceHarness<typeof tinyAudienceDestination.configSchema> = {
  destination: tinyAudienceDestination,
  async start() {
    const emulator = createTinyAudienceEmulator(20);
    const baseUrl = await emulator.start();
    const admin = new EmulatorClient(baseUrl);
    return {
      config: { baseUrl, token: TINY_AUDIENCE_TOKEN },
      admin,
      seed: (audiences) => admin.seed(audiences),
      read: async () => {
        const data = await admin.records<{ audiences: { name: string; members: string[] }[] }>();
        return new Map(data.audiences.map((a) => [a.name, new Set(a.members)]));
      },
      stop: () => emulator.stop(),
    };
  },
  record: (i, audiences) => ({ id: `r${i}`, snapshot: { properties: { email: emailOf(i) }, groups: [...audiences] } }),
  withIdentityOf: (record, j) => ({ id: record.id, snapshot: { properties: { email: emailOf(j) }, groups: record.snapshot.groups } }),
  invalidRecord: (i, audiences) => ({ id: `r${i}`, snapshot: { properties: { email: 'not an email' }, groups: [...audiences] } }),
  memberKey: (i) => emailOf(i),
  classify: (e) => (e.path.endsWith('/members') ? (e.method === 'POST' ? 'add' : 'remove') : e.method === 'GET' ? 'read' : 'other'),
  recordsIn: (e) => (e.method === 'POST' ? (e.body as { members: unknown[] }).members.length : (e.query.members ?? '').split(',').length),
  addRequest: { method: 'POST', path: '/members$' },
};

describeAudienceConformance(harness);
