import { Readable } from 'node:stream';
import { Connection, SfDate, type Record as SfRecord } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';
import { startEmulator } from './salesforce-harness';

/**
 * The in-scope part of jsforce's own test suite (github.com/jsforce/jsforce, test/*.test.ts
 * at 3.10.18), written again as our own tests and run against the emulator with jsforce
 * 3.10.16 unmodified. Each test names the jsforce test it follows (file › name). Their
 * org-specific objects are replaced by the emulator's: `UpsertTable__c.ExtId__c` by
 * `Account.Account_Number__c`, `BigTable__c` and `Opportunity` by Contact (Birthdate for
 * CloseDate). Out of scope (not something the connector or the emulator covers): SOSL search,
 * recent / updated / deleted, layouts, list views, query explain, `queryAll` (scanAll),
 * relationship fields (`Account.Name`, `Owner.Name`), Bulk API 1.0.
 */
const VERSION = '62.0';
let env: Awaited<ReturnType<typeof startEmulator>>;
let conn: Connection;

beforeAll(async () => {
  env = await startEmulator({ bulk: { recordsPerTurn: 50 } });
  conn = new Connection({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, version: VERSION });
  conn.bulk2.pollInterval = 10;
  conn.bulk2.pollTimeout = 20_000;
});
afterAll(async () => {
  await env.emulator.stop();
});

const isString = (v: unknown): v is string => typeof v === 'string';
const ids = (results: readonly { id?: string | null | undefined }[]) => results.map((r) => r.id as string);

describe('connection-crud.test.ts › single record crud', () => {
  let accountId: string;
  it('should create account and get created obj', async () => {
    const ret = await conn.sobject('Account').create({ Name: 'Hello' });
    expect(ret.success).toBe(true);
    expect(isString(ret.id)).toBe(true);
    accountId = ret.id as string;
  });

  it('should retrieve account and return a record', async () => {
    const record = await conn.sobject('Account').retrieve(accountId);
    expect(record.Id).toBe(accountId);
    expect(record.attributes).toMatchObject({ type: 'Account' });
  });

  it('should update account, get successful result, and retrieve the updated record', async () => {
    const ret = await conn.sobject('Account').record(accountId).update({ Name: 'Hello2' });
    expect(ret.success).toBe(true);
    const record = await conn.sobject('Account').record(accountId).retrieve();
    expect(record.Name).toBe('Hello2');
  });

  it('should update account with options headers, get successfull result, and retrieve the updated record', async () => {
    const options = { headers: { 'SForce-Auto-Assign': 'FALSE' } };
    const ret = await conn.sobject('Account').record(accountId).update({ Name: 'Hello3' }, options);
    expect(ret.success).toBe(true);
    const record = await conn.sobject('Account').record(accountId).retrieve(options);
    expect(record.Name).toBe('Hello3');
  });
});

describe('connection-crud.test.ts › multiple records crud', () => {
  let accountIds: string[];
  let accounts: SfRecord[];
  it('should create multiple accounts and get successfull results', async () => {
    const rets = await conn.sobject('Account').create([{ Name: 'Account #1' }, { Name: 'Account #2' }]);
    expect(rets.every((r) => r.success && isString(r.id))).toBe(true);
    accountIds = ids(rets);
  });

  it('should retrieve multiple accounts and get specified records', async () => {
    const records = await conn.sobject('Account').retrieve(accountIds);
    expect(records.map((r) => r.Name)).toEqual(['Account #1', 'Account #2']);
    expect(records.every((r) => isString(r.Id) && typeof r.attributes === 'object')).toBe(true);
    accounts = records;
  });

  it('should update multiple accounts, get successfull results, and get updated records', async () => {
    const rets = await conn.sobject('Account').update(accounts.map(({ Id, Name }) => ({ Id: Id as string, Name: `Updated ${String(Name)}` })));
    expect(rets.every((r) => r.success)).toBe(true);
    const records = await conn.sobject('Account').retrieve(accountIds);
    expect(records.map((r) => r.Name)).toEqual(['Updated Account #1', 'Updated Account #2']);
  });

  it('should delete multiple accounts, get successfull results, and not get any records', async () => {
    const rets = await conn.sobject('Account').destroy(accountIds);
    expect(rets.every((r) => r.success)).toBe(true);
    const records = await conn.sobject('Account').retrieve(accountIds);
    expect(records).toEqual([null, null]);
  });
});

describe('connection-crud.test.ts › upsert', () => {
  const extId = `ID${Date.now()}`;
  let recId: string;
  it('should upsert not exisiting record and get successfull result', async () => {
    const ret = await conn.sobject('Account').upsert({ Name: 'New Record', Account_Number__c: extId }, 'Account_Number__c');
    expect(ret).toMatchObject({ success: true, created: true });
    recId = ret.id as string;
  });

  it('should upsert already existing record, get successfull result, and get updated record', async () => {
    const ret = await conn.sobject('Account').upsert({ Name: 'Updated Record', Account_Number__c: extId }, 'Account_Number__c');
    expect(ret.success).toBe(true);
    expect(ret.created).toBe(false);
    expect(ret.id).toBe(recId);
    expect((await conn.sobject('Account').retrieve(recId)).Name).toBe('Updated Record');
  });

  it('should upsert duplicated external id record and get multiple choise error', async () => {
    await conn.sobject('Account').create({ Name: 'Duplicated Record', Account_Number__c: extId });
    const error = await conn
      .sobject('Account')
      .upsert({ Name: 'Updated Record, Twice', Account_Number__c: extId }, 'Account_Number__c')
      .then(() => undefined, (e: unknown) => e as Error & { data: unknown[] });
    expect(error?.name).toBe('MULTIPLE_CHOICES');
    expect(Array.isArray(error?.data)).toBe(true);
    expect(typeof error?.data[0]).toBe('string');
  });
});

describe('connection-crud.test.ts › upsert multiple records', () => {
  const makeRecords = (prefix: string, count: number): SfRecord[] =>
    Array.from({ length: count }, (_, i) => ({ Name: `${prefix} #${i + 1}`, Account_Number__c: `${prefix}_${Date.now()}_${i}` }));

  for (const [title, version] of [
    ['should upsert 5 records on API < 46 (single-record requests)', '45.0'],
    ['should upsert 5 records on API >= 46 (sObject collection API)', '50.0'],
  ] as const) {
    it(title, async () => {
      conn.version = version;
      try {
        env.emulator.clearRequests();
        const results = await conn.sobject('Account').upsert(makeRecords(`V${version}`, 5), 'Account_Number__c');
        expect(results.every((r) => r.success && isString(r.id))).toBe(true);
        const collectionCall = env.emulator.requests.some((e) => e.path.endsWith('/composite/sobjects/Account/Account_Number__c'));
        expect(collectionCall).toBe(version === '50.0');
        await conn.sobject('Account').destroy(ids(results));
      } finally {
        conn.version = VERSION;
      }
    });
  }

  it('should upsert 5 records on API >= 46 with allOrNone=true and one invalid record, expect rollback', async () => {
    const records = makeRecords('AllOrNone', 5);
    (records[2] as SfRecord).OwnerId = 'INVALID_OWNER';
    const results = await conn.sobject('Account').upsert(records, 'Account_Number__c', { allOrNone: true });
    results.forEach((res, i) => {
      expect(res.success).toBe(false);
      expect(res.created).toBe(true);
      expect(res.errors.map((e) => (e as { statusCode?: string }).statusCode)).toContain(i === 2 ? 'MALFORMED_ID' : 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
    });
    const found = await conn.sobject('Account').find({ Account_Number__c: { $in: records.map((r) => r.Account_Number__c as string) } });
    expect(found).toHaveLength(0);
  });
});

describe('connection-meta.test.ts › describe sobject', () => {
  it('should describe Account, get metadata information, and check the result is cached', async () => {
    const so = await conn.sobject('Account').describe();
    expect(so.name).toBe('Account');
    expect(Array.isArray(so.fields)).toBe(true);
    expect(so.childRelationships.map((r) => r.relationshipName)).toContain('Contacts');
    expect(await conn.sobject('Account').describe$()).toBe(so);
    expect(conn.sobject('Account').describe$$()).toBe(so);
    const so4 = await conn.sobject('Account').describe();
    expect(so4).not.toBe(so);
    expect(so4.name).toBe('Account');
  });

  it('should describe global, get information, and check the result is cached', async () => {
    const res = await conn.describeGlobal();
    expect(res.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Lead', 'Campaign', 'CampaignMember']));
    expect(res.sobjects.every((s) => isString(s.label) && (s as { fields?: unknown }).fields === undefined)).toBe(true);
    expect(await conn.describeGlobal$()).toBe(res);
    expect(conn.describeGlobal$$()).toBe(res);
  });
});

describe('query.test.ts and sobject.test.ts over a seeded org', () => {
  const CONTACTS = 4_500;
  beforeAll(() => {
    env.emulator.seed({
      Account: Array.from({ length: 20 }, (_, i) => ({ Name: `Seed Account ${i}`, BillingState: 'CA', NumberOfEmployees: 300 * (i + 1) })),
      Contact: Array.from({ length: CONTACTS }, (_, i) => ({
        LastName: `Last${i % 7}`,
        FirstName: `First${i}`,
        Email: `c${i}@example.com`,
        ...(i % 5 === 0 ? {} : { Birthdate: `19${String(50 + (i % 40)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}` }),
      })),
    });
  });

  it('query.test.ts › should query accounts and return records', async () => {
    const result = await conn.query('SELECT Id, Name FROM Account').run();
    expect(typeof result.totalSize).toBe('number');
    expect(result.totalSize).toBeGreaterThanOrEqual(20);
  });

  it('query.test.ts › should query big table and execute queryMore and fetch all records', async () => {
    let result = await conn.query('SELECT Id, Name FROM Contact');
    expect(result.records).toHaveLength(2000);
    expect(result.nextRecordsUrl).toBeTruthy();
    expect(result.done).toBe(false);
    let records = result.records;
    while (!result.done && result.nextRecordsUrl) {
      result = await conn.queryMore(result.nextRecordsUrl);
      records = [...records, ...result.records];
    }
    expect(records).toHaveLength(CONTACTS);
  });

  it('query.test.ts › should return the first batch with autoFetch and maxFetch set to 2000', async () => {
    let fetches = 0;
    const result = await conn.query('SELECT Id, Name FROM Contact', { autoFetch: true, maxFetch: 2000 }).on('fetch', () => fetches++);
    expect(result.records).toHaveLength(2000);
    expect(result.nextRecordsUrl).toBeTruthy();
    expect(result.done).toBe(false);
    expect(fetches).toBe(1);
  });

  it('query.test.ts › should query big tables with autoFetch using async/await and hit max fetch', async () => {
    for (const maxFetch of [3999, 4000, 4001, 5_000_000]) {
      const result = await conn.query('SELECT Id, Name FROM Contact', { autoFetch: true, maxFetch });
      expect(result.totalSize).toBe(CONTACTS);
      expect(result.records).toHaveLength(Math.min(maxFetch, CONTACTS));
    }
  });

  it('query.test.ts › should query table and convert to readable stream and get CSV text', async () => {
    let text = '';
    for await (const chunk of conn.query('SELECT Id, Name FROM Account LIMIT 10').stream('csv')) text += String(chunk);
    expect(text.split('\n')[0]).toBe('Id,Name');
    expect(text.trim().split('\n')).toHaveLength(11);
  });

  it('sobject.test.ts › should find records and return records', async () => {
    const records = await conn.sobject('Account').find();
    expect(records.length).toBeGreaterThanOrEqual(20);
  });

  it('sobject.test.ts › should find with conditions', async () => {
    const records = await conn.sobject('Account').find({ Name: { $like: 'S%' } }, { Name: 1 });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => /^s/i.test(String(r.Name)))).toBe(true);
  });

  it('sobject.test.ts › should find one record and return a record', async () => {
    const [first] = await conn.sobject('Account').find({}, { Id: 1 });
    const record = await conn.sobject('Account').findOne({ Id: first?.Id as string });
    expect(record?.Id).toBe(first?.Id);
  });

  it('sobject.test.ts › should count records and return total size count', async () => {
    const count = await conn.sobject('Account').count({ Name: { $like: 'seed account 1%' } });
    expect(count).toBe(11);
  });

  it('sobject.test.ts › should find records with sort option and return sorted records', async () => {
    const records = await conn.sobject('Contact').find({ Birthdate: { $ne: null } }, { Birthdate: 1 }).sort('Birthdate', 'desc').limit(300).exec();
    expect(records.length).toBe(300);
    for (let i = 0; i < records.length - 1; i++) expect(String(records[i]?.Birthdate) >= String(records[i + 1]?.Birthdate)).toBe(true);
  });

  it('sobject.test.ts › should find records with multiple sort options and return sorted records', async () => {
    const records = await conn.sobject('Contact').find({ Birthdate: { $ne: null } }, { LastName: 1, Birthdate: 1 }).sort('LastName -Birthdate').limit(500).exec();
    expect(records.length).toBe(500);
    for (let i = 0; i < records.length - 1; i++) {
      const [r1, r2] = [records[i] as SfRecord, records[i + 1] as SfRecord];
      expect(String(r1.LastName) <= String(r2.LastName)).toBe(true);
      if (r1.LastName === r2.LastName) expect(String(r1.Birthdate) >= String(r2.Birthdate)).toBe(true);
    }
  });

  it('sobject.test.ts › should find records with multiple sort options and limit option and return sorted records', async () => {
    const records = await conn.sobject('Contact').find({}, { LastName: 1, Birthdate: 1 }).sort({ LastName: 1, Birthdate: -1 }).limit(10).exec();
    expect(records.length).toBe(10);
    // Null values sort first unless NULLS LAST, whatever the direction.
    expect(records[0]?.Birthdate).toBeNull();
    for (let i = 0; i < records.length - 1; i++) expect(String(records[i]?.LastName) <= String(records[i + 1]?.LastName)).toBe(true);
  });

  it('sobject.test.ts › should select records including child objects and return records with child records', async () => {
    const [account] = await conn.sobject('Account').find({}, { Id: 1 }).limit(1).exec();
    await conn.sobject('Contact').create([1, 2, 3].map((i) => ({ LastName: `Child${i}`, FirstName: 'Kid', AccountId: account?.Id as string })));
    const records = await conn.sobject('Account').find(null, 'Id').include('Contacts').select('*').limit(2).end().limit(10).exec();
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(11);
    for (const record of records) {
      expect(isString(record.Id)).toBe(true);
      expect(record.Name).toBeUndefined();
      if (record.Contacts) {
        const children = (record.Contacts as { records: SfRecord[] }).records;
        expect(children.length).toBeGreaterThan(0);
        expect(children.length).toBeLessThan(3);
        for (const c of children) expect([c.Id, c.FirstName, c.LastName].every(isString)).toBe(true);
      }
    }
    expect(records.find((r) => r.Id === account?.Id)?.Contacts).toMatchObject({ totalSize: 2, done: true });
  });

  it('sobject.test.ts › should update records with and without expression evaluation', async () => {
    const ret = await conn.sobject('Account').create({ Name: 'Test Account' });
    const accountId = ret.id as string;
    const withEval = await conn.sobject('Account').find({ Id: accountId }).update({ Name: '${Name} (Updated)' });
    expect(withEval.map((r) => r.success)).toEqual([true]);
    expect((await conn.sobject('Account').retrieve(accountId)).Name).toBe('Test Account (Updated)');
    const withoutEval = await conn.sobject('Account').find({ Id: accountId }).update({ Name: '${Name} (No Eval)' }, { skipRecordTemplateEval: true });
    expect(withoutEval.map((r) => r.success)).toEqual([true]);
    expect((await conn.sobject('Account').retrieve(accountId)).Name).toBe('${Name} (No Eval)');
    await conn.sobject('Account').destroy(accountId);
  });
});

/** Inserts `qty` Accounts named `Bulk Account {id}` through jsforce's bulk2 (jsforce's own `insertAccounts` helper). */
async function insertAccounts(id: number, qty: number) {
  const res = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'insert',
    input: Array.from({ length: qty }, (_, i) => ({ Name: `Bulk Account ${id} #${i + 1}`, BillingState: 'CA', NumberOfEmployees: 300 * (i + 1) })),
  });
  expectAllSucceeded(res, qty, 'true');
  return res;
}

function expectAllSucceeded(res: { successfulResults: SfRecord[]; failedResults: SfRecord[]; unprocessedRecords: unknown }, qty: number, created: string) {
  expect(res.successfulResults).toHaveLength(qty);
  expect(res.successfulResults.every((r) => isString(r.sf__Id) && r.sf__Created === created)).toBe(true);
  expect(res.failedResults).toEqual([]);
  expect(res.unprocessedRecords).toEqual([]);
}

describe('query.test.ts › Query#update and Query#destroy (sObject collections)', () => {
  it('should update queried records using Query#update and return updated records', async () => {
    const id = Date.now();
    await insertAccounts(id, 20);
    const rets = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }).update({ Name: '${Name} (Updated)', BillingState: null });
    expect(rets).toHaveLength(20);
    expect(rets.every((r) => r.success && isString(r.id))).toBe(true);
    const updated = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } });
    expect(updated).toHaveLength(20);
    expect(updated.every((r) => String(r.Name).endsWith('(Updated)') && r.BillingState === null)).toBe(true);
  });

  it('should update queried records using Query#update, for unmatching query, and return empty array records', async () => {
    const rets = await conn.sobject('Account').find({ CreatedDate: { $lt: new SfDate('1970-01-01T00:00:00Z') } }).update({ Name: '${Name} (Updated)' });
    expect(rets).toEqual([]);
  });

  it('should delete queried records using Query#destroy and return deleted status', async () => {
    const id = Date.now();
    await insertAccounts(id, 20);
    const rets = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }).destroy();
    expect(rets).toHaveLength(20);
    expect(rets.every((r) => r.success && isString(r.id))).toBe(true);
    expect(await conn.sobject('Account').count({ Name: { $like: `Bulk Account ${id}%` } })).toBe(0);
  });

  it('should delete queried records using Query#destroy, for unmatching query, and return empty array records', async () => {
    expect(await conn.sobject('Account').find({ CreatedDate: { $lt: new SfDate('1970-01-01T00:00:00Z') } }).destroy()).toEqual([]);
  });
});

describe('bulk2.test.ts', () => {
  it('should bulk insert records and return result status', async () => {
    const id = Date.now();
    const records = [...Array.from({ length: 200 }, (_, i) => ({ Name: `Bulk Account ${id}`, NumberOfEmployees: 300 * (i + 1) })), { BillingState: 'CA' }];
    const { successfulResults, failedResults, unprocessedRecords } = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input: records });
    expect(successfulResults).toHaveLength(200);
    expect(successfulResults.every((r) => isString(r.sf__Id) && r.sf__Created === 'true')).toBe(true);
    expect(failedResults.map((r) => [r.sf__Id, r.sf__Error])).toEqual([['', 'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --']]);
    expect(unprocessedRecords).toEqual([]);
  });

  it('should bulk update and return updated status', async () => {
    const id = Date.now();
    await insertAccounts(id, 20);
    const records = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }, ['Id', 'Name']).execute();
    const res = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'update', input: records.map((r) => ({ ...r, Name: `${String(r.Name)} (Updated)` })) });
    expectAllSucceeded(res, 20, 'false');
  });

  it('should bulk delete and return deleted status', async () => {
    const id = Date.now();
    await insertAccounts(id, 20);
    const records = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }).execute();
    expectAllSucceeded(await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: records }), 20, 'false');
  });

  it('should bulk insert from file and return inserted results', async () => {
    const csv = `Name,NumberOfEmployees\n${Array.from({ length: 100 }, (_, i) => `File Account ${i},${i}`).join('\n')}\n`;
    const res = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', lineEnding: 'LF', input: Readable.from([csv]) });
    expectAllSucceeded(res, 100, 'true');
    await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: res.successfulResults.map((r) => ({ Id: r.sf__Id as string })) });
  });

  it('should bulk upsert from CSV file using backquote as a delimiter', async () => {
    const made = await insertAccounts(Date.now(), 10);
    const csv = `Id\`Name\n${made.successfulResults.map((r, i) => `${String(r.sf__Id)}\`Backquoted ${i}`).join('\n')}\n`;
    const res = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'upsert', columnDelimiter: 'BACKQUOTE', externalIdFieldName: 'Id', lineEnding: 'LF', input: Readable.from([csv]) });
    expectAllSucceeded(res, 10, 'false');
    expect((await conn.sobject('Account').retrieve(made.successfulResults[0]?.sf__Id as string)).Name).toBe('Backquoted 0');
  });

  it('should bulk query and get records', async () => {
    const count = await conn.sobject('Contact').count({});
    const records: SfRecord[] = [];
    const stream = await conn.bulk2.query('SELECT Id, LastName FROM Contact');
    await new Promise<void>((resolve, reject) => {
      stream.on('record', (r: SfRecord) => records.push(r)).on('end', () => resolve()).on('error', reject);
    });
    expect(records).toHaveLength(count);
    expect(records.every((r) => isString(r.Id) && isString(r.LastName))).toBe(true);
  });

  it('should call bulk api from invalid session conn with refresh fn, and return result', async () => {
    const made = await insertAccounts(Date.now(), 100);
    let refreshCalled = false;
    const conn2 = new Connection({
      instanceUrl: env.url,
      accessToken: 'invalid_token',
      version: VERSION,
      refreshFn: (_c, callback) => {
        refreshCalled = true;
        setTimeout(() => callback(null, EMULATOR_ACCESS_TOKEN), 50);
      },
    });
    conn2.bulk2.pollInterval = 10;
    const res = await conn2.bulk2.loadAndWaitForResults({ operation: 'delete', object: 'Account', input: made.successfulResults.map((r) => ({ Id: r.sf__Id as string })) });
    expect(refreshCalled).toBe(true);
    expectAllSucceeded(res, 100, 'false');
  });

  it('should call bulk api from invalid session conn without refresh fn, and raise error', async () => {
    const conn3 = new Connection({ instanceUrl: env.url, accessToken: 'invalid_token', version: VERSION });
    const error = await conn3.bulk2
      .loadAndWaitForResults({ object: 'Account', operation: 'insert', input: [{ Name: 'Impossible Bulk Account #1' }] })
      .then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe('INVALID_SESSION_ID');
  });

  it('should bulk update using Query#update and return updated status', async () => {
    const id = Date.now();
    await insertAccounts(id, 250);
    const rets = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }).update({ Name: '${Name} (Updated)', BillingState: null }, { bulkApiVersion: 2 });
    expect(rets).toHaveLength(250);
    expect(rets.every((r) => r.success && isString(r.id))).toBe(true);
    const updated = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }, 'Id, Name, BillingState');
    expect(updated).toHaveLength(250);
    expect(updated.every((r) => String(r.Name).endsWith('(Updated)') && r.BillingState === null)).toBe(true);
  });

  it('should bulk delete using Query#destroy with bulkThreshold modified and return deleted status', async () => {
    const id = Date.now();
    await insertAccounts(id, 20);
    const rets = await conn.sobject('Account').find({ Name: { $like: `Bulk Account ${id}%` } }).destroy({ bulkThreshold: 0, bulkApiVersion: 2 });
    expect(rets).toHaveLength(20);
    expect(rets.every((r) => r.success && isString(r.id))).toBe(true);
  });
});
