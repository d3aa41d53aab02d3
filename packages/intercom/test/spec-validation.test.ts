import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { EmulatorExchange } from '@syncmodes/connector-kit/emulator';
import { records, startEmulator } from './intercom-harness';
import { ExchangeValidator } from './spec-validation/exchange-validator';
import { sharedDir } from './spec-validation/install';
import { takeViolations } from './spec-validation/validate-exchanges';

const exchange = (over: Partial<EmulatorExchange>): EmulatorExchange => ({
  emulator: 'intercom',
  method: 'POST',
  path: '/contacts',
  query: {},
  requestHeaders: { 'content-type': 'application/json' },
  requestBody: { email: 'a@example.com' },
  status: 200,
  responseHeaders: {},
  responseBody: { type: 'contact', id: '1', created_at: 1 },
  ...over,
});

describe('the independent OpenAPI validator of emulator traffic (#16)', () => {
  const validator = new ExchangeValidator(parse(readFileSync(`${sharedDir()}/specs/intercom-api-2.14.yaml`, 'utf8')), '#/components/schemas/error');

  it('catches a response body, a request body and a status the description does not allow (it is not vacuous)', () => {
    expect(validator.check(exchange({}))).toEqual([]);
    expect(validator.check(exchange({ responseBody: { type: 'contact', id: '1', created_at: 'yesterday' } })).map((v) => `${v.operation} ${v.part}`)).toEqual(['CreateContact response']);
    expect(validator.check(exchange({ requestBody: { email: 42 } })).map((v) => `${v.operation} ${v.part}`)).toEqual(['CreateContact request']);
    const undocumented = validator.check(exchange({ status: 409, responseBody: { errors: 'nope' } }));
    expect(undocumented.map((v) => v.part)).toEqual(['status', 'response']);
    expect(validator.check(exchange({ method: 'GET', path: '/nowhere' })).map((v) => v.part)).toEqual(['route']);
  });

  it('sees the traffic of every emulator in the test run: a request the description forbids is reported (and taken here)', async () => {
    const env = await startEmulator();
    try {
      await fetch(`${env.url}/contacts`, { method: 'POST', headers: { authorization: `Bearer ${env.config.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: 42 }) });
    } finally {
      await env.emulator.stop();
    }
    expect(takeViolations((v) => v.operation === 'CreateContact' && v.part === 'request').map((v) => v.exchange)).toEqual([expect.stringMatching(/^POST \/contacts → 4\d\d$/)]);
  });
});

describe("a contact's tag list carries applied_at and applied_by (#16)", () => {
  it('as the ListTagsForAContact example of the 2.14 description shows them', async () => {
    // https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/listtagsforacontact
    const env = await startEmulator({ now: () => 1_700_000_000_000 });
    try {
      await env.admin.seed({ tags: [{ name: 'VIP' }], contacts: [{ role: 'user', external_id: 'ext-1', email: 'p1@example.com', created_at: 1_600_000_000, tags: { data: [{ name: 'VIP' }] } }] });
      const contact = (await records(env.admin)).contacts[0] as { id: string };
      const auth = { authorization: `Bearer ${env.config.accessToken}`, 'content-type': 'application/json' };
      const tagged = await fetch(`${env.url}/tags`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Beta' }) });
      const beta = (await tagged.json()) as { id: string };
      await fetch(`${env.url}/contacts/${contact.id}/tags`, { method: 'POST', headers: auth, body: JSON.stringify({ id: beta.id }) });
      const list = (await (await fetch(`${env.url}/contacts/${contact.id}/tags`, { headers: auth })).json()) as { type: string; data: unknown[] };
      expect(list).toEqual({
        type: 'list',
        data: [
          { type: 'tag', id: expect.any(String), name: 'VIP', applied_at: 1_600_000_000, applied_by: { type: 'admin', id: '1' } },
          { type: 'tag', id: beta.id, name: 'Beta', applied_at: 1_700_000_000, applied_by: { type: 'admin', id: '1' } },
        ],
      });
    } finally {
      await env.emulator.stop();
    }
  });
});
