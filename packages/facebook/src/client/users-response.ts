/** What `POST` / `DELETE /{audience_id}/users` answers. https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users */
export interface UsersResponse {
  readonly audience_id?: string;
  readonly session_id?: string;
  /** Rows Meta received. */
  readonly num_received?: number;
  /** Rows Meta could not use (a value that is not a valid hash, an unusable identifier). */
  readonly num_invalid_entries?: number;
  /** Some of the invalid entries: a string → string map (see `invalid-entries.ts` for how it is read). */
  readonly invalid_entry_samples?: Record<string, string> | readonly string[];
}

/** The `{schema, data}` payload of a users request. */
export interface UsersPayload {
  readonly schema: readonly string[];
  readonly data: readonly (readonly string[])[];
}

/**
 * Meta's upload-session parameters, for adding more rows to an audience than one request
 * holds: every request of a session has its `session_id`; `batch_seq` counts them from 1;
 * the last sets `last_batch_flag`; `estimated_num_total` is the number of rows in the whole
 * session.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export interface UploadSession {
  readonly session_id: number;
  readonly batch_seq: number;
  readonly last_batch_flag: boolean;
  readonly estimated_num_total: number;
}
