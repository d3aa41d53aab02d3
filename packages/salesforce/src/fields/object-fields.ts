import { ConfigError } from '@syncmodes/connector-kit';
import type { FieldDescribe, ObjectDescribe } from '../client/salesforce-api';

/** Field metadata of the synced object, by API name, case-insensitive. */
export class ObjectFields {
  private readonly byName = new Map<string, FieldDescribe>();
  /** `get` by the name as given (names repeat on every record: lower-cased once each). */
  private readonly asGiven = new Map<string, FieldDescribe | null>();
  private required: FieldDescribe[] | undefined;

  constructor(readonly describe: ObjectDescribe) {
    for (const f of describe.fields) this.byName.set(f.name.toLowerCase(), f);
  }

  get object(): string {
    return this.describe.name;
  }

  get(name: string): FieldDescribe | undefined {
    let field = this.asGiven.get(name);
    if (field === undefined) this.asGiven.set(name, (field = this.byName.get(name.toLowerCase()) ?? null));
    return field ?? undefined;
  }

  /** Fields Salesforce requires on create (not nillable, not defaulted, createable). */
  requiredOnCreate(): readonly FieldDescribe[] {
    this.required ??= this.describe.fields.filter((f) => !f.nillable && f.createable && !f.defaultedOnCreate && f.type !== 'boolean');
    return this.required;
  }

  /**
   * Checks mapped field names against the object before anything is sent.
   *
   * @throws {@link ConfigError} `unknown_field` naming fields the object lacks, or
   *   `read_only_field` naming fields that cannot be written.
   */
  check(names: readonly string[]): void {
    const unknown = names.filter((n) => !this.get(n));
    if (unknown.length > 0) {
      throw new ConfigError(
        `${this.object} has no field ${unknown.map((n) => `"${n}"`).join(', ')}. Use field API names (custom fields end in __c).`,
        'unknown_field',
      );
    }
    const readOnly = names.filter((n) => {
      const f = this.get(n);
      return f && !f.createable && !f.updateable;
    });
    if (readOnly.length > 0) {
      throw new ConfigError(`${this.object} field(s) ${readOnly.map((n) => `"${n}"`).join(', ')} cannot be written.`, 'read_only_field');
    }
  }
}
