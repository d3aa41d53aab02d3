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
