import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';
import { startEmulator } from './salesforce-harness';

/**
 * The emulator's Bulk API 2.0 against jsforce's own Bulk 2.0 client (`conn.bulk2`), as a
 * check that the endpoints, job states and CSV results have the shapes the official SDK expects.
 */
describe('Salesforce emulator: Bulk API 2.0 through jsforce conn.bulk2', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let conn: Connection;
  beforeEach(async () => {
    env = await startEmulator({ bulk: { recordsPerTurn: 2 } });
    conn = new Connection({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, version: '62.0' });
    conn.bulk2.pollInterval = 5;
  });
  afterEach(async () => {
    await env.emulator.stop();
  });

  it('inserts with per-record successful and failed results, then queries the records back', async () => {
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'insert',
      input: [
        { LastName: 'Ada', Email: 'ada@example.com', Birthdate: '1990-02-03' },
        { LastName: 'Bob', Email: 'not-an-email' },
        { LastName: 'Cy', Email: 'cy@example.com', Birthdate: '1990-02-30' },
        { LastName: 'Di', Email: 'di@example.com' },
      ],
    });
    expect(results.successfulResults.map((r) => [(r as Record<string, unknown>).LastName, r.sf__Created])).toEqual([
      ['Ada', 'true'],
      ['Di', 'true'],
    ]);
    expect(results.failedResults.map((r) => [(r as Record<string, unknown>).LastName, String(r.sf__Error).split(':')[0]])).toEqual([
      ['Bob', 'INVALID_EMAIL_ADDRESS'],
      ['Cy', 'INVALID_FIELD'],
    ]);
    expect(results.unprocessedRecords).toEqual([]);
    const contacts = env.emulator.org.all('Contact');
    expect(contacts.map((c) => [c.LastName, c.Birthdate ?? null])).toEqual([
      ['Ada', '1990-02-03'],
      ['Di', null],
    ]);
    // Polled while InProgress (2 records a turn), then JobComplete.
    const polls = env.emulator.requests.filter((e) => e.method === 'GET' && /\/jobs\/ingest\/[^/]+$/.test(e.path));
    expect(polls.length).toBeGreaterThanOrEqual(1);

    const rows = (await (await conn.bulk2.query('SELECT Id, Email FROM Contact WHERE Email != null ORDER BY Id')).toArray()) as { Id: string; Email: string }[];
    expect(rows.map((r) => r.Email)).toEqual(['ada@example.com', 'di@example.com']);
  });

  it('updates (#N/A clears, empty leaves unchanged) and deletes by Id', async () => {
    env.emulator.seed({ Contact: [{ LastName: 'Ada', Email: 'ada@example.com', Title: 'CEO', Phone: '123' }] });
    const id = String(env.emulator.org.all('Contact')[0]?.Id);
    const update = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'update', input: `Id,Title,Phone\n${id},#N/A,\n` });
    expect(update.successfulResults).toHaveLength(1);
    expect(env.emulator.org.get(id)).toMatchObject({ Phone: '123' });
    expect(env.emulator.org.get(id)?.Title).toBeUndefined();
    const removal = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'delete', input: `Id\n${id}\n` });
    expect(removal.successfulResults).toHaveLength(1);
    expect(env.emulator.org.all('Contact')).toEqual([]);
  });

  it('reports the records a failed job did not process as unprocessed', async () => {
    env.emulator.bulk.settings = { ...env.emulator.bulk.settings, failAfterRecords: 1 };
    const job = conn.bulk2.createJob({ object: 'Contact', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Email\nAda,ada@example.com\nBob,bob@example.com\nCy,cy@example.com\n');
    await job.close();
    await expect(job.poll(5, 5_000)).rejects.toThrow(/failed/i);
    expect(await job.getSuccessfulResults()).toHaveLength(1);
    const unprocessed = (await job.getUnprocessedRecords()) as Record<string, unknown>[];
    expect(unprocessed.map((r) => r.LastName)).toEqual(['Bob', 'Cy']);
  });
});

describe('Salesforce emulator: upsert one record by external id', () => {
  it('creates (201) then updates (200) the record holding the external id, through jsforce', async () => {
    const env = await startEmulator();
    try {
      const conn = new Connection({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, version: '62.0' });
      const created = await conn.sobject('Contact').upsert({ Customer_Id__c: 'c-1', LastName: 'Ada', Email: 'ada@example.com' }, 'Customer_Id__c');
      const updated = await conn.sobject('Contact').upsert({ Customer_Id__c: 'c-1', Title: 'CEO' }, 'Customer_Id__c');
      expect(created).toMatchObject({ success: true, created: true });
      expect(updated).toMatchObject({ success: true });
      expect(env.emulator.requests.map((e) => [e.method, e.path.replace(/.*v62.0/, ''), e.status])).toEqual([
        ['PATCH', '/sobjects/Contact/Customer_Id__c/c-1', 201],
        ['PATCH', '/sobjects/Contact/Customer_Id__c/c-1', 200],
      ]);
      expect(env.emulator.org.all('Contact').map((c) => [c.LastName, c.Title])).toEqual([['Ada', 'CEO']]);
      await expect(conn.sobject('Contact').upsert({ Email: 'x@example.com', LastName: 'X' }, 'Email')).rejects.toThrow();
    } finally {
      await env.emulator.stop();
    }
  });
});
