/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SyncReport } from '@syncmodes/connector-kit';
import { EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, readReport, tempDir } from './cli-helpers';

/** Debian's chromium package (`apt-get install -y chromium`; `.ci/run` installs it). */
const CHROMIUM = '/usr/bin/chromium';

// Ids come from the user's file: the page must show them as text, never run them.
const NASTY = `<img src=x onerror="window.__pwned=1">`;
const CSV = [
  'Customer Id,Email,Last Name',
  `A1,ada@example.com,Lovelace`,
  `"${NASTY.replace(/"/g, '""')}",evil@example.com,`,
  `C3,carl@example.com,`,
  `D4,dora@example.com,`,
  `E5,,Nobody`,
  `F6,fay@example.com,Fay`,
].join('\n');

describe('the HTML run report, opened in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  const sync = (report: string, state: string, extra: string[] = []) =>
    cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', join(dir, 'people-<i>.csv'), '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name', '--report', join(dir, report), '--state-dir', join(dir, state), '--no-progress', ...extra]);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium); .ci/run does`);
    dir = tempDir();
    writeFileSync(join(dir, 'people-<i>.csv'), `${CSV}\n`);
    // Playwright starts it with a new empty profile (user data dir) of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report page, recording every request it makes and any script it runs. */
  async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    const page = await browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(dir, file)).href);
    return { page, requests, errors };
  }
  const counts = async (page: Page) =>
    Object.fromEntries(
      await page.$$eval('#counts [data-outcome]', (items) =>
        items.map((li) => [li.getAttribute('data-outcome'), Number((li.querySelector('.count') as HTMLElement).innerText.replace(/,/g, ''))]),
      ),
    ) as Record<string, number>;

  it('shows the counts by outcome and the failures grouped by code with example rows, as the JSON report has them', async () => {
    const htmlRun = await sync('report.html', 'a');
    expect(htmlRun.code).toBe(1);
    const jsonRun = await sync('report.json', 'b');
    expect(jsonRun.code).toBe(1);
    const json: SyncReport = readReport(join(dir, 'report.json'));
    expect(json.counts.failed).toBeGreaterThan(0);

    const { page, requests, errors } = await open('report.html');
    expect(await counts(page)).toEqual(json.counts);
    const groups = await page.$$eval('#failed .code-group', (els) =>
      els.map((g) => ({
        code: g.getAttribute('data-code'),
        count: Number((g.querySelector('.code-count') as HTMLElement).innerText),
        ids: [...g.querySelectorAll('tbody tr td:nth-child(2)')].map((td) => (td as HTMLElement).innerText),
      })),
    );
    expect(Object.fromEntries(groups.map((g) => [g.code, g.count]))).toEqual(json.codes.failed);
    for (const g of groups) {
      const expected = json.records.filter((r) => r.outcome === 'failed' && r.code === g.code).slice(0, 5).map((r) => r.id);
      expect(g.ids).toEqual(expected);
    }
    expect(await page.locator('h1').innerText()).toBe('Salesforce · additive mode');
    // The page's own style sheet applies (failures in red), with no external asset.
    expect(await page.locator('#counts [data-outcome="failed"] .count').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(207, 34, 46)');
    // Only the page itself was loaded: no external assets, nothing fetched.
    expect(requests).toEqual([pathToFileURL(join(dir, 'report.html')).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('escapes data from the user file: markup in ids and file names shows as text and never runs', async () => {
    const { page } = await open('report.html');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    const text = await page.locator('body').innerText();
    expect(text).toContain('people-<i>.csv');
    const raw = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(raw).not.toContain(NASTY);
    expect(raw).not.toMatch(/<script/i);
    expect(raw).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;');
    await page.close();
  });

  it('never includes secrets', () => {
    const raw = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(raw).not.toContain(EMULATOR_ACCESS_TOKEN);
  });

  it('for a dry run, shows the plan: what each record would get, and nothing was sent', async () => {
    const out = await sync('plan.html', 'c', ['--dry-run']);
    expect(out.code).toBe(1);
    const { page } = await open('plan.html');
    expect(await page.locator('.banner.dry').innerText()).toContain('nothing was sent');
    const planned = Object.fromEntries(
      await page.$$eval('#plan .plan-summary tr[data-action]', (rows) =>
        rows.map((r) => [r.getAttribute('data-action'), Number((r.querySelector('td.num') as HTMLElement).innerText)]),
      ),
    ) as Record<string, number>;
    await sync('plan.json', 'd', ['--dry-run']);
    const json = readReport(join(dir, 'plan.json'));
    const expected: Record<string, number> = {};
    for (const r of json.records) if (r.action) expected[r.action] = (expected[r.action] ?? 0) + 1;
    expect(planned).toEqual(expected);
    expect(planned.create).toBeGreaterThan(0);
    const rows = await page.$$eval('#plan > table:not(.plan-summary) tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText)));
    // Changes first: deletes, creates, updates, group changes, skips, failures, then the rest.
    const order = ['delete', 'create', 'update', 'groups', 'skip', 'fail', 'none'];
    const rank = (a: string | undefined) => (a === undefined ? order.length : order.indexOf(a));
    const sorted = [...json.records].sort((x, y) => rank(x.action) - rank(y.action));
    expect(rows.map((r) => [r[1], r[2]])).toEqual(sorted.map((r) => [r.id, r.action ?? '']));
    expect(await page.locator('#counts [data-outcome="created"] .label').innerText()).toBe('would be created');
    await page.close();
  });
});
