import type { DateOptions, PropertyValue, SyncError } from '@syncmodes/connector-kit';
import type { SalesforceClient } from '../client/salesforce-client';
import { convertValue } from '../fields/field-values';

/**
 * Converts properties (destination field names, any case) to a Salesforce record body in
 * API field names. Returns the first conversion error instead when a value cannot be sent.
 */
export function toSalesforceFields(
  client: SalesforceClient,
  properties: Readonly<Record<string, PropertyValue>>,
  dates: DateOptions,
): { readonly fields: Record<string, unknown> } | { readonly error: SyncError } {
  const fields: Record<string, unknown> = {};
  for (const name in properties) {
    const value = properties[name] as PropertyValue;
    const field = client.fields.get(name);
    if (!field) continue;
    const converted = convertValue(field, value, dates);
    if (!converted.ok) return { error: converted.error };
    fields[field.name] = converted.value;
  }
  return { fields };
}
