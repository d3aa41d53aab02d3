import { describe, expect, it } from 'vitest';
import { progressReporter, progressTail } from '../src/output/progress-bar';
import { cli, sink } from './cli-helpers';

describe('the progress line', () => {
  it('while the run waits for a rate limit it says so, with the seconds left, instead of a time left', () => {
    let out = '';
    const bar = progressReporter(sink((s) => (out += s), true), true);
    bar.update({ phase: 'syncing', processed: 100, total: 1_000 });
    bar.update({ phase: 'waiting', processed: 100, total: 1_000, waitMs: 42_000, reason: 'rate_limited' });
    bar.stop();
    expect(out).toMatch(/waiting \|.*\| 10% \| 100\/1000 records \| waiting 42 s for the rate limit/);
    expect(out).not.toMatch(/NFs|NULL|INF/);
  });

  it('while a request that got no answer in time is resent it says so, until the destination answers again', async () => {
    let out = '';
    const bar = progressReporter(sink((s) => (out += s), true), true);
    bar.update({ phase: 'syncing', processed: 0, total: 10 });
    bar.update({ phase: 'waiting', processed: 0, total: 10, waitMs: 700, reason: 'timeout', retry: { retry: 1, of: 2 } });
    // The bar redraws on its own timer (10 times a second).
    await new Promise((r) => setTimeout(r, 300));
    const during = out;
    bar.update({ phase: 'syncing', processed: 0, total: 10 });
    bar.stop();
    expect(during).toMatch(/waiting \|.*\| 0% \| 0\/10 records \| no answer in time: retrying the request \(1 of at most 2 retries\)/);
    expect(out.slice(during.length)).toMatch(/syncing \|.*ETA/);
  });

  it('shows no ETA before the first record is done, and never "ETA NFs"', () => {
    expect(progressTail(Number.POSITIVE_INFINITY, 0, undefined)).toBe('ETA …');
    expect(progressTail(Number.NaN, 10, undefined)).toBe('ETA …');
    expect(progressTail(12, 10, undefined)).toBe('ETA {eta_formatted}');
    expect(progressTail(12, 10, { until: 1_000 + 41_200 }, 1_000)).toBe('waiting 42 s for the rate limit');
  });

  it('draws nothing when stderr is not a terminal', () => {
    let out = '';
    const bar = progressReporter(sink((s) => (out += s), false), true);
    bar.update({ phase: 'syncing', processed: 1, total: 2 });
    bar.stop();
    expect(out).toBe('');
  });
});

describe('help documents every command and flag', () => {
  it('sync --help: input and output flags, state flags, rate-limit wait, exit codes', async () => {
    const out = await cli(['sync', '--help']);
    expect(out.code).toBe(0);
    for (const flag of ['--json', '--quiet', '--report <file>', '--from <file>', '--format <format>', '--log-format <format>', '--reset-state', '--max-rate-limit-wait <seconds>', '--sync-name <name>']) {
      expect(out.stdout).toContain(flag);
    }
    expect(out.stdout).toContain('(default: 300)');
    expect(out.stdout).toContain('NO_COLOR');
    expect(out.stdout).toMatch(/Ctrl-C .*exit 130/s);
    expect(out.stdout).toContain('130 interrupted');
  });

  it('check --help and state --help', async () => {
    const check = await cli(['check', '--help']);
    expect(check.code).toBe(0);
    for (const flag of ['--to <destination>', '--option <key=value>', '--map <field=column>', '--groups <column>', '--group <name>', '--emulator', '--config <file>', '--json']) expect(check.stdout).toContain(flag);
    expect(check.stdout).toContain('No write request is ever sent');
    const state = await cli(['state', '--help']);
    expect(state.code).toBe(0);
    expect(state.stdout).toMatch(/list[\s\S]*show[\s\S]*forget/);
    expect(state.stdout).toContain('unique prefix of its id');
    const forget = await cli(['state', 'forget', '--help']);
    expect(forget.stdout).toContain('--yes');
    expect(forget.stdout).toContain('--state-dir <dir>');
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/sync \[options\][\s\S]*check \[options\][\s\S]*state[\s\S]*emulator[\s\S]*destinations/);
    expect(top.stdout).toContain('-V, --version');
  });
});
