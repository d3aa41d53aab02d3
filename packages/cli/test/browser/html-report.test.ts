/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli-helpers';
import { planOrder, plannedCounts, writeReportRuns, type ReportRuns } from '../html-report-runs';

// Not part of `npm test` (which needs no browser): `npm run test:browser -w @syncmodes/cli`
// runs it, and .ci/run runs that after installing Chromium. Without a browser it fails.

/** The Chromium to run: `$SYNCMODES_CHROMIUM`, else Debian's chromium package (`apt-get install -y chromium`, as `.ci/run` does). */
const CHROMIUM = process.env.SYNCMODES_CHROMIUM || '/usr/bin/chromium';

describe('the HTML run report, opened in headless Chromium', () => {
  let runs: ReportRuns;
  let browser: Browser | undefined;
  // Why the browser could not start: every test then fails with it (a failing beforeAll
  // would only mark them skipped).
  let notStarted: Error | undefined;

  beforeAll(async () => {
    runs = await writeReportRuns(tempDir());
    if (!existsSync(CHROMIUM)) {
      notStarted = new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does) or set SYNCMODES_CHROMIUM to a Chromium executable`);
      return;
    }
    try {
      // Playwright starts it with a new empty profile (user data dir) of its own.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    } catch (error) {
      notStarted = new Error(`${CHROMIUM} did not start: ${(error as Error).message}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    if (runs) rmSync(runs.dir, { recursive: true, force: true });
  });

  /** Opens a report page, recording every request it makes and any script error. */
  async function open(path: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    if (!browser) throw notStarted ?? new Error('Chromium did not start');
    const page = await browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(path).href);
    return { page, requests, errors };
  }
  const counts = async (page: Page) =>
    Object.fromEntries(
      await page.$$eval('#counts [data-outcome]', (items) =>
        items.map((li) => [li.getAttribute('data-outcome'), Number((li.querySelector('.count') as HTMLElement).innerText.replace(/,/g, ''))]),
      ),
    ) as Record<string, number>;

  it('renders the counts and failure groups as the JSON report has them, with its own style sheet applied and nothing fetched', async () => {
    const { page, requests, errors } = await open(runs.page);
    expect(await counts(page)).toEqual(runs.json.counts);
    const groups = await page.$$eval('#failed .code-group', (els) => els.map((g) => [g.getAttribute('data-code'), Number((g.querySelector('.code-count') as HTMLElement).innerText)]));
    expect(Object.fromEntries(groups)).toEqual(runs.json.codes.failed);
    expect(await page.locator('h1').innerText()).toBe('Salesforce · additive mode');
    // The page's own style sheet applies (failures in red), with no external asset.
    expect(await page.locator('#counts [data-outcome="failed"] .count').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(207, 34, 46)');
    // Only the page itself was loaded: no external assets, nothing fetched.
    expect(requests).toEqual([pathToFileURL(runs.page).href]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('never runs markup from the user file: the id that is an <img onerror> stays text', async () => {
    const { page } = await open(runs.page);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('body').innerText()).toContain('people-<i>.csv');
    await page.close();
  });

  it('for a dry run, renders the plan: what each record would get, changes first', async () => {
    const { page } = await open(runs.planPage);
    expect(await page.locator('.banner.dry').innerText()).toContain('nothing was sent');
    const planned = Object.fromEntries(
      await page.$$eval('#plan .plan-summary tr[data-action]', (rows) => rows.map((r) => [r.getAttribute('data-action'), Number((r.querySelector('td.num') as HTMLElement).innerText)])),
    ) as Record<string, number>;
    expect(planned).toEqual(plannedCounts(runs.planJson));
    const rows = await page.$$eval('#plan > table:not(.plan-summary) tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText)));
    expect(rows.map((r) => [r[1], r[2]])).toEqual(planOrder(runs.planJson));
    expect(await page.locator('#counts [data-outcome="created"] .label').innerText()).toBe('would be created');
    await page.close();
  });
});
