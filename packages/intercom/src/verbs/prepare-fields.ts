import { ConfigError, type PreparedField, type PrepareFieldsInput } from '@syncmodes/connector-kit';
import { checkTargets, CUSTOM_PREFIX, targetOf } from '../fields/contact-fields';
import { inferAttributeType } from '../fields/attribute-types';
import { dateOptionsOf } from '../fields/field-values';
import type { IntercomContext } from './verb-context';

/**
 * Checks the mapping's targets before anything is sent, and makes sure every mapped
 * custom attribute exists as a data attribute of the contact model — Intercom refuses
 * values for attributes it does not know (400 "Custom attribute '…' does not exist"), so
 * nothing is ever silently dropped:
 * - `customAttributes: create` (default): each missing attribute is created
 *   (`POST /data_attributes`) with a type inferred from the source values (see
 *   `inferAttributeType`: values such as `01234` make it a string), and reported as a
 *   warning; in a dry run nothing is created;
 * - `customAttributes: refuse`: the run is refused, naming the missing attributes.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/data-attributes/createdataattribute
 *
 * @returns every mapped custom attribute: `create` with its inferred type and why (in a
 *   dry run: the one it would get), or `exists` with its type.
 * @throws {@link ConfigError} `unknown_field`, `unknown_custom_attribute` or `read_only_field`.
 */
export async function prepareContactFields(ctx: IntercomContext, names: readonly string[], input: PrepareFieldsInput): Promise<PreparedField[]> {
  checkTargets(names);
  const { attributes, readOnlyAttributes, api } = ctx.client;
  const custom = names
    .map(targetOf)
    .filter((t) => t?.kind === 'custom')
    .map((t) => t?.name as string);
  const readOnly = custom.filter((n) => readOnlyAttributes.has(n));
  if (readOnly.length > 0) {
    throw new ConfigError(`Intercom does not let the API write ${readOnly.map((n) => `"${CUSTOM_PREFIX}${n}"`).join(', ')}.`, 'read_only_field');
  }
  const prepared: PreparedField[] = custom
    .filter((n) => attributes.has(n))
    .map((name) => ({ name, type: attributes.get(name) as string, action: 'exists', kind: 'data attribute' }));
  const missing = custom.filter((n) => !attributes.has(n));
  if (missing.length === 0) return prepared;
  if (ctx.config.customAttributes === 'refuse') {
    throw new ConfigError(
      `Intercom has no data attribute ${missing.map((n) => `"${n}"`).join(', ')} for contacts, so it would refuse ${
        missing.length === 1 ? 'its' : 'their'
      } values. ` + 'Create them in Intercom (Settings → Data → People), or run with the option customAttributes=create.',
      'unknown_custom_attribute',
    );
  }
  for (const name of missing) {
    const { type, reason } = inferAttributeType(input.samples.get(`${CUSTOM_PREFIX}${name}`) ?? [], dateOptionsOf(ctx.config));
    if (!input.dryRun) await api.createContactAttribute(ctx, name, type);
    attributes.set(name, type);
    prepared.push({ name, type, action: 'create', kind: 'data attribute', reason });
    ctx.logger.warn(input.dryRun ? 'would create Intercom data attribute' : 'created Intercom data attribute', { name, type });
  }
  return prepared;
}
