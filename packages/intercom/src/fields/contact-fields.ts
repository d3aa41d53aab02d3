import { ConfigError } from '@syncmodes/connector-kit';

/** Types of Intercom contact attributes (`data_type` of a data attribute). */
export type AttributeType = 'string' | 'integer' | 'float' | 'boolean' | 'date';

/** Prefix of custom attribute targets: `custom_attributes.<name>`. */
export const CUSTOM_PREFIX = 'custom_attributes.';

/**
 * Standard contact fields a mapping may write, with their types (the 2.14
 * `create_contact_request` / `update_contact_request`). `role` is set by the `role` option.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/createcontact
 */
export const STANDARD_FIELDS: Readonly<Record<string, AttributeType>> = {
  email: 'string',
  external_id: 'string',
  name: 'string',
  phone: 'string',
  avatar: 'string',
  owner_id: 'integer',
  signed_up_at: 'date',
  last_seen_at: 'date',
  unsubscribed_from_emails: 'boolean',
};

/** A mapping target: a standard field or a custom attribute. */
export type FieldTarget = { readonly kind: 'standard'; readonly name: string; readonly type: AttributeType } | { readonly kind: 'custom'; readonly name: string };

/** The target a property name writes, or `undefined` when it is neither a standard field nor `custom_attributes.<name>`. */
export function targetOf(property: string): FieldTarget | undefined {
  if (property.startsWith(CUSTOM_PREFIX)) {
    const name = property.slice(CUSTOM_PREFIX.length);
    return name === '' ? undefined : { kind: 'custom', name };
  }
  const type = STANDARD_FIELDS[property];
  return type ? { kind: 'standard', name: property, type } : undefined;
}

/**
 * Checks that every mapped property is a contact field this destination can write.
 *
 * @throws {@link ConfigError} `unknown_field` naming the others, with what to map instead.
 */
export function checkTargets(properties: readonly string[]): void {
  const unknown = properties.filter((p) => targetOf(p) === undefined);
  if (unknown.length > 0) {
    throw new ConfigError(
      `Intercom contacts have no field ${unknown.map((n) => `"${n}"`).join(', ')}. Map to ${Object.keys(STANDARD_FIELDS).join(', ')}, ` +
        `or to a custom attribute as custom_attributes.<name> (e.g. custom_attributes.${unknown[0]}).`,
      'unknown_field',
    );
  }
}
