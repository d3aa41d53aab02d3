/** A value of a contact attribute as stored. */
export type AttributeValue = string | number | boolean | null;

/** A contact as the emulator stores it (API field names; times in epoch seconds). */
export interface StoredContact {
  readonly id: string;
  role: 'user' | 'lead';
  external_id: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  /** Avatar image URL. */
  avatar: string | null;
  owner_id: number | null;
  signed_up_at: number | null;
  last_seen_at: number | null;
  unsubscribed_from_emails: boolean;
  custom_attributes: Record<string, AttributeValue>;
  /** Ids of the tags on the contact. */
  tag_ids: string[];
  /** When each tag was applied, epoch seconds, by tag id (`applied_at` of the contact's tag list). */
  tagged_at?: Record<string, number>;
  readonly created_at: number;
  updated_at: number;
  archived: boolean;
  /** Epoch ms from which `POST /contacts/search` finds the contact (search-index lag). */
  indexed_at: number;
}

/** What is left of a permanently deleted user: Intercom refuses to re-create it. */
export interface DeletedContact {
  readonly id: string;
  readonly external_id: string | null;
  readonly email: string | null;
}

/** A tag of the workspace. */
export interface StoredTag {
  readonly id: string;
  name: string;
}

/** Standard writable fields of a contact body, with their types. */
export const WRITABLE_FIELDS = {
  external_id: 'string',
  email: 'string',
  phone: 'string',
  name: 'string',
  avatar: 'string',
  owner_id: 'integer',
  signed_up_at: 'date',
  last_seen_at: 'date',
  unsubscribed_from_emails: 'boolean',
} as const;

/** A writable standard field name. */
export type WritableField = keyof typeof WRITABLE_FIELDS;
