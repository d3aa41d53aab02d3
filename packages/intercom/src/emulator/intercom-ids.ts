import { randomUUID } from 'node:crypto';

/**
 * Ids in Intercom's formats: contacts have 24 hex characters (like MongoDB object ids),
 * tags and data attributes are numbers (tags as strings), leads get a UUID `external_id`.
 * Counters make them unique per emulator and stable across a persisted restart.
 */
export class IdSource {
  constructor(private next = 1) {}

  /** The counter, for persistence. */
  get counter(): number {
    return this.next;
  }

  /** A new contact id: 8 hex digits of "creation time" plus 16 of counter. */
  contactId(createdAtSec: number): string {
    const n = this.next++;
    return createdAtSec.toString(16).padStart(8, '0').slice(-8) + n.toString(16).padStart(16, '0');
  }

  /** A new numeric id (tags, data attributes). */
  number(): number {
    return this.next++;
  }
}

/** A lead's generated `external_id` (Intercom gives leads a UUID of its own). */
export const leadExternalId = (): string => randomUUID();
