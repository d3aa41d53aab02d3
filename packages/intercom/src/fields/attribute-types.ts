import type { PropertyValue } from '@syncmodes/connector-kit';
import type { AttributeType } from './contact-fields';
import { convertValue } from './field-values';

const ORDER: readonly AttributeType[] = ['boolean', 'integer', 'float', 'date'];

/**
 * The data type for a new custom attribute, derived from sample values: the first of
 * boolean, integer, float, date that every sample converts to (booleans only from
 * true/false or real booleans, so 0/1 columns become integers), else `string`.
 * No samples: `string`.
 */
export function inferAttributeType(samples: readonly PropertyValue[], dateFormat: string): AttributeType {
  const values = samples.filter((v): v is Exclude<PropertyValue, null> => v !== null && v !== '');
  if (values.length === 0) return 'string';
  for (const type of ORDER) {
    const fits = values.every((v) => {
      if (type === 'boolean' && typeof v !== 'boolean' && !/^(true|false)$/i.test(String(v).trim())) return false;
      return convertValue('sample', type, v, dateFormat).ok;
    });
    if (fits) return type;
  }
  return 'string';
}
