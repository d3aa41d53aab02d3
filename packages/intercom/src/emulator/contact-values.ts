import { IntercomApiError } from './api-errors';
import type { CustomAttribute, DataType } from './data-attributes';
import { WRITABLE_FIELDS, type AttributeValue, type WritableField } from './stored-contact';

/** Standard field values and custom attribute values read from a create / update body. */
export interface ContactValues {
  readonly standard: Partial<Record<WritableField, AttributeValue>>;
  readonly custom: Readonly<Record<string, AttributeValue>>;
}

function typeMismatch(field: string, type: DataType): IntercomApiError {
  return new IntercomApiError(400, 'type_mismatch', `The value for '${field}' must be of type ${type}`, field);
}

/**
 * Checks one value against a data type. `""` clears a string attribute (stored as null).
 *
 * @throws {@link IntercomApiError} 400 `type_mismatch`.
 */
export function checkValue(field: string, type: DataType, value: unknown): AttributeValue {
  if (value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw typeMismatch(field, type);
      return value === '' ? null : value;
    case 'integer':
    case 'date':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeMismatch(field, type);
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw typeMismatch(field, type);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeMismatch(field, type);
      return value;
  }
}

/**
 * Reads the writable fields and custom attributes of a contact body for a contact of
 * `role`, as Intercom validates them:
 * - a custom attribute that is not a data attribute of the workspace → 400
 *   `parameter_not_found` "Custom attribute 'x' does not exist" (create it first with
 *   `POST /data_attributes`);
 * - a value of the wrong JSON type → 400 `type_mismatch`;
 * - on a lead, `null` for a text attribute → 400 `parameter_invalid` (leads are cleared
 *   with `""`; users accept both). This follows the sync-modes notes ("Intercom `""` for
 *   leads"); the message is the emulator's own.
 */
export function readContactValues(
  body: Readonly<Record<string, unknown>>,
  role: 'user' | 'lead',
  attributes: ReadonlyMap<string, CustomAttribute>,
): ContactValues {
  const standard: Partial<Record<WritableField, AttributeValue>> = {};
  for (const [field, type] of Object.entries(WRITABLE_FIELDS) as [WritableField, DataType][]) {
    if (!(field in body)) continue;
    const raw = body[field];
    if (raw === null && role === 'lead' && type === 'string') throw nullOnLead(field);
    standard[field] = checkValue(field, type, raw);
  }
  const custom: Record<string, AttributeValue> = {};
  const given = body.custom_attributes;
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) throw new IntercomApiError(400, 'type_mismatch', "The value for 'custom_attributes' must be an object", 'custom_attributes');
    for (const [name, raw] of Object.entries(given as Record<string, unknown>)) {
      const attribute = attributes.get(name);
      if (!attribute || attribute.archived) {
        throw new IntercomApiError(400, 'parameter_not_found', `Custom attribute '${name}' does not exist`, `custom_attributes.${name}`);
      }
      if (raw === null && role === 'lead' && attribute.data_type === 'string') throw nullOnLead(`custom_attributes.${name}`);
      custom[name] = checkValue(`custom_attributes.${name}`, attribute.data_type, raw);
    }
  }
  return { standard, custom };
}

function nullOnLead(field: string): IntercomApiError {
  return new IntercomApiError(400, 'parameter_invalid', `'${field}' cannot be null on a lead; send an empty string to clear it`, field);
}
