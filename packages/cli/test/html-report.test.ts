import { readFileSync, rmSync } from 'node:fs';
import { EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './cli-helpers';
import { NASTY, SOURCE_NAME, planOrder, plannedCounts, writeReportRuns, type ReportRuns } from './html-report-runs';

// The HTML report's structure, parsed by jsdom (no browser needed, scripts never run). The
// same page is also opened in headless Chromium by `npm run test:browser -w @syncmodes/cli`
// (test/browser/, run by .ci/run), which checks what only a browser can: the style sheet
// applies and nothing is fetched.

/** The page parsed as a document (jsdom runs no scripts and loads no resources by default). */
const parse = (path: string) => new JSDOM(readFileSync(path, 'utf8')).window.document;
const text = (el: Element | null | undefined) => (el?.textContent ?? '').trim();
const num = (el: Element | null | undefined) => Number(text(el).replace(/,/g, ''));

describe('the HTML run report, parsed as a DOM', () => {
  let runs: ReportRuns;
  beforeAll(async () => {
    runs = await writeReportRuns(tempDir());
  });
  afterAll(() => rmSync(runs.dir, { recursive: true, force: true }));

  it('shows the counts by outcome and the failures grouped by code with example rows, as the JSON report has them', () => {
    const doc = parse(runs.page);
    const counts = Object.fromEntries([...doc.querySelectorAll('#counts [data-outcome]')].map((li) => [li.getAttribute('data-outcome'), num(li.querySelector('.count'))]));
    expect(counts).toEqual(runs.json.counts);
    expect(runs.json.counts.failed).toBeGreaterThan(0);
    const groups = [...doc.querySelectorAll('#failed .code-group')].map((g) => ({
      code: g.getAttribute('data-code'),
      count: num(g.querySelector('.code-count')),
      ids: [...g.querySelectorAll('tbody tr td:nth-child(2)')].map(text),
    }));
    expect(Object.fromEntries(groups.map((g) => [g.code, g.count]))).toEqual(runs.json.codes.failed);
    for (const g of groups) {
      const expected = runs.json.records.filter((r) => r.outcome === 'failed' && r.code === g.code).slice(0, 5).map((r) => r.id);
      expect(g.ids).toEqual(expected);
    }
    expect(text(doc.querySelector('h1'))).toBe('Salesforce · additive mode');
    expect(doc.body.getAttribute('data-status')).toBe('completed');
  });

  it('is self-contained: no script, no event handler, nothing to load, and a Content-Security-Policy that forbids loading anything', () => {
    for (const page of [runs.page, runs.planPage]) {
      const doc = parse(page);
      expect(doc.querySelectorAll('script, link, img, iframe, object, embed, base, form').length).toBe(0);
      const withHandlers = [...doc.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name) || /^(src|href|action|srcset)$/i.test(a.name)));
      expect(withHandlers.map((el) => el.outerHTML)).toEqual([]);
      const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content');
      expect(csp).toBe("default-src 'none'; style-src 'unsafe-inline'");
      expect(doc.querySelectorAll('style').length).toBe(1);
    }
  });

  it('escapes data from the user file: markup in ids and file names shows as text and never becomes an element', () => {
    const raw = readFileSync(runs.page, 'utf8');
    expect(raw).not.toContain(NASTY);
    expect(raw).not.toMatch(/<script/i);
    expect(raw).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;');
    const doc = parse(runs.page);
    expect(doc.querySelectorAll('img, i').length).toBe(0);
    expect(doc.body.textContent).toContain(SOURCE_NAME);
    const ids = [...doc.querySelectorAll('#failed tbody tr td:nth-child(2)')].map(text);
    expect(ids).toContain(NASTY);
  });

  it('never includes secrets', () => {
    for (const page of [runs.page, runs.planPage]) expect(readFileSync(page, 'utf8')).not.toContain(EMULATOR_ACCESS_TOKEN);
  });

  it('for a dry run, shows the plan: what each record would get (changes first), and that nothing was sent', () => {
    const doc = parse(runs.planPage);
    expect(text(doc.querySelector('.banner.dry'))).toContain('nothing was sent');
    expect(doc.body.getAttribute('data-dry-run')).toBe('true');
    const planned = Object.fromEntries([...doc.querySelectorAll('#plan .plan-summary tr[data-action]')].map((r) => [r.getAttribute('data-action'), num(r.querySelector('td.num'))]));
    expect(planned).toEqual(plannedCounts(runs.planJson));
    expect(planned.create).toBeGreaterThan(0);
    const rows = [...doc.querySelectorAll('#plan > table:not(.plan-summary) tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map(text));
    expect(rows.map((r) => [r[1], r[2]])).toEqual(planOrder(runs.planJson));
    expect(text(doc.querySelector('#counts [data-outcome="created"] .label'))).toBe('would be created');
  });
});

describe('html: data is escaped as on a terminal (trial 20b N2: U+202E, U+0085 and U+2028 went into the HTML report raw)', () => {
  it('control, line-separator and bidirectional formatting characters become visible escapes; markup characters are escaped', async () => {
    const { html } = await import('../src/output/html');
    expect(String(html`<code>${'u\u202eevil<b>\u0085\u2028\u009b2J\x1b'}</code>`)).toBe('<code>u\\u202eevil&lt;b&gt;\\x85\\u2028\\x9b2J\\x1b</code>');
  });
});
