import { describe, expect, it } from 'vitest';
import { names } from '../src/names';
import { resolveOptions } from '../src/options';
import { UsageError } from '../src/usage-error';

describe('names and options', () => {
  it('spells an id as a class, a value, a constant and words', () => {
    expect(names('my-crm')).toEqual({ className: 'MyCrm', propertyName: 'myCrm', constantName: 'MY_CRM', displayName: 'My Crm' });
    expect(names('acme')).toEqual({ className: 'Acme', propertyName: 'acme', constantName: 'ACME', displayName: 'Acme' });
  });

  it('defaults: every mode, additive by default, syncmodes-destination-<id> standalone and @syncmodes/<id> in the repository', () => {
    const o = resolveOptions({ name: 'my-crm' }, 'standalone');
    expect(o).toMatchObject({ packageName: 'syncmodes-destination-my-crm', displayName: 'My Crm', envVar: 'MY_CRM_API_KEY', modes: ['sync', 'additive', 'enrich'], defaultMode: 'additive', unsupported: [] });
    expect(resolveOptions({ name: 'my-crm' }, 'monorepo').packageName).toBe('@syncmodes/my-crm');
  });

  it('keeps the kit order of the modes, defaults to the first when additive is left out, and lists the others', () => {
    const o = resolveOptions({ name: 'x', modes: ' enrich, sync ' }, 'standalone');
    expect(o).toMatchObject({ modes: ['sync', 'enrich'], defaultMode: 'sync', unsupported: ['additive'] });
  });

  it('refuses, as usage errors, a bad id, an unknown mode, a default outside the modes and a plugin name the CLI would not find', () => {
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        expect((error as UsageError).code).toBe('usage_error');
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused(() => resolveOptions({ name: 'Bad Name' }, 'standalone'))).toBe('Destination id "Bad Name" must be lowercase letters, digits and - (e.g. hubspot).');
    expect(refused(() => resolveOptions({ name: 'x', modes: 'mirror' }, 'standalone'))).toBe('Unknown sync mode "mirror": use sync, additive, enrich.');
    expect(refused(() => resolveOptions({ name: 'x', modes: ',' }, 'standalone'))).toBe('A destination supports at least one sync mode.');
    expect(refused(() => resolveOptions({ name: 'x', modes: 'enrich', defaultMode: 'sync' }, 'standalone'))).toBe('The default mode "sync" is not among the modes (enrich).');
    expect(refused(() => resolveOptions({ name: 'acme', packageName: 'acme-syncmodes' }, 'standalone'))).toBe(
      'Package name "acme-syncmodes": the syncmodes CLI finds a destination plugin named syncmodes-destination-acme or @<scope>/syncmodes-destination-acme.',
    );
    expect(resolveOptions({ name: 'acme', packageName: '@corp/syncmodes-destination-acme' }, 'standalone').packageName).toBe('@corp/syncmodes-destination-acme');
    // In the repository any name goes (it registers built-ins itself).
    expect(resolveOptions({ name: 'acme', packageName: 'acme-syncmodes' }, 'monorepo').packageName).toBe('acme-syncmodes');
  });
});
