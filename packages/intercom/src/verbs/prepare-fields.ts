import { ConfigError, type PreparedField, type PrepareFieldsInput } from '@syncmodes/connector-kit';
import { checkTargets, CUSTOM_PREFIX, targetOf } from '../fields/contact-fields';
import { inferAttributeType } from '../fields/attribute-types';
import { dateOptionsOf } from '../fields/field-values';
import type { IntercomContext } from './verb-context';

/**
 * Mapped custom attributes that Intercom has archived: it refuses their values, and a new one
 * of that name ("use a different name"): the run stopped there, or told to create an
 * attribute that exists (fresh trial 139, F6).
 *
 * @throws {@link ConfigError} `unknown_custom_attribute`, naming them.
 */
function refuseArchived(archived: readonly string[]): void {
  if (archived.length === 0) return;
  const names = archived.map((n) => `"${n}"`).join(', ');
  throw new ConfigError(
    `Intercom's data attribute${archived.length === 1 ? '' : 's'} ${names} ${archived.length === 1 ? 'is' : 'are'} archived: Intercom refuses values for ${archived.length === 1 ? 'it' : 'them'}, and a new attribute of that name. Unarchive ${archived.length === 1 ? 'it' : 'them'} in Intercom (Settings → Data → People), or map to another name; nothing was created or sent.`,
    'unknown_custom_attribute',
  );
}

/**
 * Names Intercom accepts for a new data attribute: letters, digits, currency symbols, spaces,
 * hyphens and underscores (its answer otherwise: "Your name for this attribute must only contain
 * alphanumeric characters, currency symbols, and hyphens"; spaces and underscores are in its own
 * examples). https://developers.intercom.com/docs/references/rest-api/api.intercom.io/data-attributes/createdataattribute
 */
const ATTRIBUTE_NAME = /^[\p{L}\p{N}\p{Sc}_\- ]+$/u;

/** Refuses the run before any attribute is created when one of `names` would be refused (fresh helper 72, finding 9: one was created, then the run stopped on the next). @throws {@link ConfigError} `invalid_attribute_name`. */
function refuseBadNames(names: readonly string[]): void {
  const bad = names.filter((n) => !ATTRIBUTE_NAME.test(n));
  if (bad.length === 0) return;
  throw new ConfigError(
    `Intercom would refuse to create the data attribute${bad.length === 1 ? '' : 's'} ${bad.map((n) => `"${n}"`).join(', ')}: a name holds only letters, digits, currency symbols, spaces, hyphens and underscores. Rename the target${bad.length === 1 ? '' : 's'} (${bad.map((n) => `${CUSTOM_PREFIX}${n}`).join(', ')}) in the mapping; nothing was created.`,
    'invalid_attribute_name',
  );
}

/**
 * Refuses a mapped attribute that is missing while one differing only in case exists (`Plan`
 * beside `plan`): it is almost surely that one, mistyped. Creating it made a second attribute
 * and wrote there, leaving the values people see in `plan` stale (fresh reviewer 96, F6).
 * @throws {@link ConfigError} `unknown_custom_attribute`, naming both.
 */
function refuseCaseTwins(missing: readonly string[], existing: readonly string[]): void {
  const byLower = new Map(existing.map((n) => [n.toLowerCase(), n]));
  const twins = missing.flatMap((n) => (byLower.has(n.toLowerCase()) ? [[n, byLower.get(n.toLowerCase()) as string] as const] : []));
  if (twins.length === 0) return;
  throw new ConfigError(
    `Intercom has no data attribute ${twins.map(([n, e]) => `"${n}" (it has "${e}")`).join(', ')}: names differ in case only. Map ${twins.map(([, e]) => `${CUSTOM_PREFIX}${e}`).join(', ')} to write ${twins.length === 1 ? 'that attribute' : 'those attributes'}; nothing was created or sent.`,
    'unknown_custom_attribute',
  );
}

/**
 * Checks the mapping's targets before anything is sent, and makes sure every mapped
 * custom attribute exists as a data attribute of the contact model — Intercom refuses
 * values for attributes it does not know (400 "Custom attribute '…' does not exist"), so
 * nothing is ever silently dropped:
 * - `customAttributes: create` (default): each missing attribute is created
 *   (`POST /data_attributes`) with a type inferred from the source values (see
 *   `inferAttributeType`: values such as `01234` make it a string), and reported as a
 *   warning; in a dry run nothing is created;
 * - `customAttributes: refuse`: the run is refused, naming the missing attributes;
 * - either way, a missing attribute whose name differs only in case from an existing one
 *   refuses the run (`unknown_custom_attribute`), naming the existing one.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/data-attributes/createdataattribute
 *
 * @returns every mapped custom attribute: `create` with its inferred type and why (in a
 *   dry run: the one it would get), or `exists` with its type.
 * @throws {@link ConfigError} `unknown_field`, `unknown_custom_attribute`, `invalid_attribute_name` or `read_only_field`.
 */
export async function prepareContactFields(ctx: IntercomContext, names: readonly string[], input: PrepareFieldsInput): Promise<PreparedField[]> {
  checkTargets(names);
  const { attributes, readOnlyAttributes, api } = ctx.client;
  const custom = names
    .map(targetOf)
    .filter((t) => t?.kind === 'custom')
    .map((t) => t?.name as string);
  refuseArchived(custom.filter((n) => ctx.client.archivedAttributes.has(n)));
  const readOnly = custom.filter((n) => readOnlyAttributes.has(n));
  if (readOnly.length > 0) {
    throw new ConfigError(`Intercom does not let the API write ${readOnly.map((n) => `"${CUSTOM_PREFIX}${n}"`).join(', ')}.`, 'read_only_field');
  }
  const prepared: PreparedField[] = custom
    .filter((n) => attributes.has(n))
    .map((name) => ({ name, type: attributes.get(name) as string, action: 'exists', kind: 'data attribute' }));
  const missing = custom.filter((n) => !attributes.has(n));
  if (missing.length === 0) return prepared;
  refuseCaseTwins(missing, [...attributes.keys()]);
  if (ctx.config.customAttributes === 'refuse') {
    throw new ConfigError(
      `Intercom has no data attribute ${missing.map((n) => `"${n}"`).join(', ')} for contacts, so it would refuse ${
        missing.length === 1 ? 'its' : 'their'
      } values. ` + 'Create them in Intercom (Settings → Data → People), or run with the option customAttributes=create.',
      'unknown_custom_attribute',
    );
  }
  refuseBadNames(missing);
  for (const name of missing) {
    const { type, reason } = inferAttributeType(input.samples.get(`${CUSTOM_PREFIX}${name}`) ?? [], dateOptionsOf(ctx.config));
    if (!input.dryRun) await api.createContactAttribute(ctx, name, type);
    attributes.set(name, type);
    prepared.push({ name, type, action: 'create', kind: 'data attribute', reason });
    ctx.logger.warn(input.dryRun ? 'would create Intercom data attribute' : 'created Intercom data attribute', { name, type });
  }
  return prepared;
}
