import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCode, KIT_CODES, NOTICE_CODES } from '../../src/index';

const SRC = join(__dirname, '../../src');
const KIT_DIRS = ['engine', 'errors', 'sources', 'mapping', 'state', 'modes', 'records', 'destination', 'config', 'values'];

function files(dir: string): string[] {
  let out: string[] = [];
  try {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) out = out.concat(files(path));
      else if (name.endsWith('.ts')) out.push(path);
    }
  } catch {
    return out;
  }
  return out;
}

/** Every code literal the kit passes to an error class or puts in a result or notice. */
function codesInSources(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [
    /new (?:[A-Z]\w*Error)\(\s*'([a-z]+(?:_[a-z]+)+)'/g, // new InputError('code', …)
    /\bcode: '([a-z]+(?:_[a-z]+)*)'/g, // { code: 'code' }
    /Error\([^;]*?,\s*'([a-z]+(?:_[a-z]+)+)',?\s*\)/gs, // new ConfigError(message, 'code')
    /SyncError\(\s*'([a-z]+(?:_[a-z]+)*)'/g,
  ];
  for (const dir of KIT_DIRS) {
    for (const file of files(join(SRC, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.set(m[1] as string, file.slice(SRC.length + 1));
    }
  }
  return found;
}

describe('the kit’s codes are a closed, documented list', () => {
  it('every code the kit’s sources use is in KIT_CODES (or NOTICE_CODES), with a meaning and an action', () => {
    const unknown = [...codesInSources()].filter(([code]) => !(code in KIT_CODES) && !(code in NOTICE_CODES));
    expect(unknown).toEqual([]);
    for (const info of Object.values(KIT_CODES)) {
      expect(info.meaning.length).toBeGreaterThan(10);
      expect(info.action.length).toBeGreaterThan(3);
    }
  });

  it('finds codes in the sources (the scan itself works)', () => {
    const codes = codesInSources();
    for (const code of ['ambiguous_match', 'duplicate_destination_record', 'rekeyed', 'state_unwritable', 'match_key_not_mapped', 'not_sent']) expect(codes.has(code), code).toBe(true);
  });

  it('describes a destination’s declared codes besides the kit’s', () => {
    expect(describeCode('ambiguous_match')?.scope).toBe('record');
    expect(describeCode('converted_lead', { converted_lead: { scope: 'record', retryable: false, meaning: 'A converted Lead', action: 'Sync Contacts' } })?.action).toBe('Sync Contacts');
    expect(describeCode('made_up')).toBeUndefined();
  });
});
