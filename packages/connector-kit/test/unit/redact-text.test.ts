import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep, redactText } from '../../src/config/secret';

describe('redactText: a secret is hidden however it was written into the text', () => {
  const refresh = '5Aep861refresh!Tok+en/=abc';
  const secret = 'Cl1entSecret!+/=xyz ok';
  it.each([
    ['as it is', `token ${refresh} refused`],
    ['URL-encoded (a vendor echoing a request body: second trial of stop 31)', `could not parse grant_type=refresh_token&refresh_token=${encodeURIComponent(refresh)}&client_id=x`],
    ['form-encoded', `body: ${new URLSearchParams({ refresh_token: refresh }).toString()}`],
    ['URL-encoded in lower case', `refresh_token=${encodeURIComponent(refresh).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`],
    ['JSON-escaped', JSON.stringify({ echoed: `a "${refresh}"` })],
  ])('%s', (_how, text) => {
    const out = redactText(text, [refresh]);
    expect(out).toContain(REDACTED);
    for (const form of [refresh, encodeURIComponent(refresh), 'refresh%21Tok', 'refresh!Tok']) expect(out).not.toContain(form);
  });

  it('a secret with a space: its %20 and + forms', () => {
    const text = `client_secret=${encodeURIComponent(secret)} and ${new URLSearchParams({ s: secret }).toString()}`;
    const out = redactText(text, [secret]);
    expect(out).not.toMatch(/Cl1entSecret/);
  });

  it('a token with "/" and a quote, echoed JSON-escaped with \\/, and escaped twice (a request header quoted in a JSON error: second trial of stop 32)', () => {
    const token = 'dG9r/Zmdo"x\\y=';
    const once = JSON.stringify(token).slice(1, -1);
    const slashed = once.replace(/\//g, '\\/');
    const twice = JSON.stringify(JSON.stringify({ authorization: `Bearer ${token}` }));
    const text = `{"header":"Bearer ${slashed}"} ${twice}`;
    const out = redactText(text, [token]);
    expect(out).not.toMatch(/dG9r|Zmdo/);
  });

  it.each([
    ['non-ASCII as \\u00e9 (a JSON writer escaping all but ASCII)', (t: string) => t.replace('é', '\\u00e9')],
    ['+ as \\u002B (.NET)', (t: string) => t.replace('+', '\\u002B')],
    ['PHP escaping twice: \\\\\\/', (t: string) => t.replace('/', '\\\\\\/')],
    ['JSON three times over (a report written as JSON again)', (t: string) => JSON.stringify(JSON.stringify(JSON.stringify(t)))],
    ['URL-encoded in upper and lower case mixed', (t: string) => encodeURIComponent(t).replace('%2F', '%2f')],
  ])('a base64 token with é, + and /, written %s (re-check of stop 32)', (_how, write) => {
    const token = 'ey+Jhb/Gcié0=Zq';
    const out = redactText(`error: ${write(token)} end`, [token]);
    expect(out).toContain(REDACTED);
    expect(out).not.toMatch(/Jhb|Gci|Zq/);
  });

  it('redactDeep covers keys and nested values', () => {
    const out = redactDeep({ [`k${encodeURIComponent(refresh)}`]: [{ m: `x=${encodeURIComponent(refresh)}` }] }, [refresh]);
    expect(JSON.stringify(out)).not.toMatch(/refresh/);
  });
});
