import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';
import { startEmulator } from './salesforce-harness';

// The Composite resource with sObject Collections subrequests, through jsforce's Connection#request:
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm

const V = '/services/data/v62.0';
type Answer = { compositeResponse: { body: unknown; httpStatusCode: number; referenceId: string }[] };

describe('Salesforce emulator: Composite requests of sObject Collections', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let conn: Connection;
  beforeEach(async () => {
    env = await startEmulator();
    conn = new Connection({ instanceUrl: env.url, accessToken: EMULATOR_ACCESS_TOKEN, version: '62.0' });
  });
  afterEach(async () => {
    await env.emulator.stop();
  });
  const composite = (body: unknown) => conn.request<Answer>({ method: 'POST', url: `${V}/composite`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const contact = (fields: Record<string, unknown>) => ({ attributes: { type: 'Contact' }, ...fields });

  it('runs its subrequests in order, each as its own call would, and answers each; the request counts as one call', async () => {
    env.emulator.seed({ Contact: [{ LastName: 'Old', Email: 'a@example.com' }] });
    const id = String(env.emulator.org.all('Contact')[0]?.Id);
    const answer = await composite({
      allOrNone: false,
      compositeRequest: [
        { method: 'PATCH', url: `${V}/composite/sobjects`, referenceId: 'u', body: { allOrNone: false, records: [contact({ Id: id, LastName: 'New' })] } },
        { method: 'POST', url: `${V}/composite/sobjects`, referenceId: 'c', body: { allOrNone: false, records: [contact({ LastName: 'B' }), contact({ Email: 'no-last-name@example.com' })] } },
        { method: 'PATCH', url: `${V}/composite/sobjects/Contact/Customer_Id__c`, referenceId: 'k', body: { allOrNone: false, records: [contact({ Customer_Id__c: 'K1', LastName: 'K' })] } },
      ],
    });
    expect(answer.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([['u', 200], ['c', 200], ['k', 200]]);
    const [u, c, k] = answer.compositeResponse.map((r) => r.body as { success: boolean; created?: boolean; errors: { statusCode: string }[] }[]);
    expect(u?.map((r) => r.success)).toEqual([true]);
    expect(c?.map((r) => (r.success ? 'ok' : r.errors[0]?.statusCode))).toEqual(['ok', 'REQUIRED_FIELD_MISSING']);
    expect(k?.map((r) => [r.success, r.created])).toEqual([[true, true]]);
    expect(env.emulator.org.all('Contact').map((x) => x.LastName).sort()).toEqual(['B', 'K', 'New']);
    // The org's API usage after one more call: the Composite request and its three subrequests counted once.
    const next = await fetch(`${env.url}${V}/sobjects`, { headers: { authorization: `Bearer ${EMULATOR_ACCESS_TOKEN}` } });
    expect(next.headers.get('sforce-limit-info')).toMatch(/^api-usage=2\//);
  });

  it('allOrNone false: a collection refused as a whole (a field the object does not have) answers 400 and the other subrequests still run; true: every change is rolled back, the failed subrequest keeps its error and the others answer PROCESSING_HALTED', async () => {
    const parts = [
      { method: 'POST', url: `${V}/composite/sobjects`, referenceId: 'bad', body: { allOrNone: false, records: [contact({ LastName: 'A', Nope__c: 'x' })] } },
      { method: 'POST', url: `${V}/composite/sobjects`, referenceId: 'good', body: { allOrNone: false, records: [contact({ LastName: 'B' })] } },
    ];
    const independent = await composite({ allOrNone: false, compositeRequest: parts });
    expect(independent.compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 200]);
    expect((independent.compositeResponse[0]?.body as { errorCode: string }[])[0]?.errorCode).toBe('INVALID_FIELD');
    expect(env.emulator.org.all('Contact').map((x) => x.LastName)).toEqual(['B']);
    const atomic = await composite({ allOrNone: true, compositeRequest: parts.map((p) => ({ ...p, referenceId: `${p.referenceId}2` })) });
    expect(atomic.compositeResponse.map((r) => [r.httpStatusCode, (r.body as { errorCode: string }[])[0]?.errorCode])).toEqual([
      [400, 'INVALID_FIELD'],
      [400, 'PROCESSING_HALTED'],
    ]);
    expect(env.emulator.org.all('Contact').map((x) => x.LastName)).toEqual(['B']);
  });

  it('refuses a request over its limits (25 subrequests, 5 of them sObject Collections) whole, and answers a resource it does not emulate with 400 for that subrequest', async () => {
    const create = (i: number) => ({ method: 'POST', url: `${V}/composite/sobjects`, referenceId: `r${i}`, body: { allOrNone: false, records: [contact({ LastName: `L${i}` })] } });
    await expect(composite({ compositeRequest: Array.from({ length: 6 }, (_, i) => create(i)) })).rejects.toMatchObject({ errorCode: 'INVALID_REQUEST' });
    expect(env.emulator.org.all('Contact')).toEqual([]);
    const other = await composite({ compositeRequest: [create(1), { method: 'GET', url: `${V}/sobjects/Contact/describe`, referenceId: 'd' }] });
    expect(other.compositeResponse.map((r) => r.httpStatusCode)).toEqual([200, 400]);
  });
});
