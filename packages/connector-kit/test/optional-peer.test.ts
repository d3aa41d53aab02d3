import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/sync-error';
import { PATH_TO_REGEXP, requireOptionalPeer } from '../src/emulator/optional-peer';

describe('optional peer dependencies of the emulator toolkit', () => {
  it('loads one that is installed', () => {
    const loaded = requireOptionalPeer<{ match: unknown }>(PATH_TO_REGEXP, 'the test');
    expect(typeof loaded.match).toBe('function');
  });

  it('refuses one that is missing with missing_optional_dependency, naming the package and how to install it', () => {
    let caught: unknown;
    try {
      requireOptionalPeer({ name: 'syncmodes-no-such-package', range: '^1.0.0' }, 'the emulators');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({
      code: 'missing_optional_dependency',
      retryable: false,
      message: 'Cannot load the emulators: the package syncmodes-no-such-package is not installed (an optional peer dependency, needed only there). Install it next to syncmodes: npm install --save-dev syncmodes-no-such-package@"^1.0.0"',
    });
  });

  it("asks for the range the kit's package.json declares", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { peerDependencies: Record<string, string> };
    expect(pkg.peerDependencies[PATH_TO_REGEXP.name]).toBe(PATH_TO_REGEXP.range);
  });
});
