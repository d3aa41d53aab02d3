import { IntercomApiError } from './api-errors';

/** Data types of Intercom data attributes. */
export type DataType = 'string' | 'integer' | 'float' | 'boolean' | 'date';

/** A data attribute as the API returns it (`GET /data_attributes`). */
export interface DataAttributeJson {
  readonly type: 'data_attribute';
  readonly id?: number;
  readonly model: 'contact';
  readonly name: string;
  readonly full_name: string;
  readonly label: string;
  readonly description: string;
  readonly data_type: DataType;
  readonly api_writable: boolean;
  readonly ui_writable: boolean;
  readonly messenger_writable: boolean;
  readonly custom: boolean;
  readonly archived: boolean;
  readonly admin_id?: string;
  readonly created_at?: number;
  readonly updated_at?: number;
}

/** A custom data attribute of the contact model. */
export interface CustomAttribute {
  readonly id: number;
  readonly name: string;
  readonly data_type: DataType;
  readonly description: string;
  readonly messenger_writable: boolean;
  readonly archived: boolean;
  readonly created_at: number;
}

/** Standard contact attributes the emulator knows: name → type and whether the API may write it. */
export const STANDARD_CONTACT_ATTRIBUTES: Readonly<Record<string, { readonly type: DataType; readonly writable: boolean; readonly label: string }>> = {
  id: { type: 'string', writable: false, label: 'ID' },
  role: { type: 'string', writable: true, label: 'Role' },
  external_id: { type: 'string', writable: true, label: 'User ID' },
  email: { type: 'string', writable: true, label: 'Email' },
  email_domain: { type: 'string', writable: false, label: 'Email domain' },
  phone: { type: 'string', writable: true, label: 'Phone' },
  name: { type: 'string', writable: true, label: 'Name' },
  avatar: { type: 'string', writable: true, label: 'Avatar' },
  owner_id: { type: 'integer', writable: true, label: 'Owner' },
  signed_up_at: { type: 'date', writable: true, label: 'Signed up' },
  last_seen_at: { type: 'date', writable: true, label: 'Last seen' },
  unsubscribed_from_emails: { type: 'boolean', writable: true, label: 'Unsubscribed from emails' },
  created_at: { type: 'date', writable: false, label: 'Created at' },
  updated_at: { type: 'date', writable: false, label: 'Updated at' },
};

const DATA_TYPES: readonly string[] = ['string', 'integer', 'float', 'boolean', 'date'];
/** Intercom: "alphanumeric characters, currency symbols, and hyphens" (spaces and underscores appear in its own examples). */
const VALID_NAME = /^[\p{L}\p{N}\p{Sc}_\- ]+$/u;

/** The API JSON of a standard attribute. */
export function standardAttributeJson(name: string): DataAttributeJson {
  const def = STANDARD_CONTACT_ATTRIBUTES[name];
  if (!def) throw new Error(`not a standard attribute: ${name}`);
  return {
    type: 'data_attribute',
    model: 'contact',
    name,
    full_name: name,
    label: def.label,
    description: def.label,
    data_type: def.type,
    api_writable: def.writable,
    ui_writable: false,
    messenger_writable: false,
    custom: false,
    archived: false,
  };
}

/** The API JSON of a custom attribute. */
export function customAttributeJson(a: CustomAttribute): DataAttributeJson {
  return {
    type: 'data_attribute',
    id: a.id,
    model: 'contact',
    name: a.name,
    full_name: `custom_attributes.${a.name}`,
    label: a.name,
    description: a.description,
    data_type: a.data_type,
    api_writable: true,
    ui_writable: true,
    messenger_writable: a.messenger_writable,
    custom: true,
    archived: a.archived,
    admin_id: '1',
    created_at: a.created_at,
    updated_at: a.created_at,
  };
}

/**
 * Checks a `POST /data_attributes` body, with the messages of the 2.14 description's examples.
 *
 * @throws {@link IntercomApiError} 400 `parameter_invalid`.
 */
export function checkNewAttribute(body: Record<string, unknown>): { name: string; dataType: DataType; description: string; messengerWritable: boolean } {
  const { name, model, data_type: dataType } = body;
  if (model !== 'contact' && model !== 'company') {
    throw new IntercomApiError(400, 'parameter_invalid', 'The Data Attribute model field must be either contact or company');
  }
  if (model === 'company') throw new IntercomApiError(400, 'parameter_invalid', 'This emulator models contact attributes only');
  if (typeof dataType !== 'string' || !DATA_TYPES.includes(dataType)) {
    throw new IntercomApiError(400, 'parameter_invalid', "Data Type isn't an option");
  }
  if (typeof name !== 'string' || !VALID_NAME.test(name)) {
    throw new IntercomApiError(400, 'parameter_invalid', 'Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens');
  }
  return {
    name,
    dataType: dataType as DataType,
    description: typeof body.description === 'string' ? body.description : '',
    messengerWritable: body.messenger_writable === true,
  };
}
