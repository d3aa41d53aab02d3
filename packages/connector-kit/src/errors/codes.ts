/** What one error (or skip) code means and what the user should do about it. */
export interface CodeInfo {
  /** `record`: one record failed or was skipped (the run goes on); `run`: the whole run stopped or was refused; `config`: fix the configuration first. */
  readonly scope: 'record' | 'run' | 'config';
  /** Whether a later run may succeed without changing anything. */
  readonly retryable: boolean;
  /** What happened. */
  readonly meaning: string;
  /** What to do. */
  readonly action: string;
}

const record = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'record', retryable, meaning, action });
const run = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'run', retryable, meaning, action });
const config = (meaning: string, action: string): CodeInfo => ({ scope: 'config', retryable: false, meaning, action });

/**
 * Every code the kit itself reports, in results (`failed`, `skipped`), run summaries and
 * thrown errors — a closed list: a code not in it is a bug (a test checks the kit's
 * sources). Connectors add their own through `errorCodes` in their definition. The
 * kit's README table is generated from it.
 */
export const KIT_CODES = {
  // Skips: left alone on purpose (not errors).
  not_found: record(false, 'No match in the destination; the mode may not create it (or it left the source and is gone there).', 'Nothing, or sync in a mode that creates.'),
  delete_not_allowed: record(false, 'Left the source; the mode never deletes (or removes from audiences), so it was kept.', 'Nothing; use sync mode to remove people.'),
  not_owned: record(false, 'Left the source; sync mode deletes only what this sync created.', "Nothing, or deletePolicy: 'matched' to widen."),
  tracked_elsewhere: record(false, 'Left the source (or, on an audience, left an audience); sync mode would delete or remove it, but another sync sharing the state (same destination, and on an audience the same account) has that destination record, or that member of the audience, in its source: kept, so that sync does not lose it without knowing.', 'Nothing; if the person left every source, delete the record in the destination.'),
  update_not_allowed: record(false, 'The mode never updates.', 'Nothing.'),
  rekeyed: record(false, 'Left the source under this id, but a record still in the source holds its destination record, its match key or its values (maybe the same person under a new id): kept. Tracked under the new id when that record holds the same destination record; no longer tracked when a new row with its values was written as a record of its own; else still tracked, and the next run decides again.', 'Nothing; if the person really left, delete the kept record in the destination.'),
  identity_shared: record(false, 'Audiences: left an audience (or the source), but a record still in it shares one of its identifiers (a phone number, say), and the vendor may see the two as one member: not removed from that audience, and removed once no record in the source that shares it is there.', 'Nothing; or give each person identifiers of their own.'),
  no_audience: record(false, 'In no audience.', 'Give the record a group, or configure an audience.'),
  source_incomplete: record(true, 'Missing from the source, but some rows could not be read, or some ids are on several rows (one may be this record under a mistyped id): nothing is deleted or removed.', 'Fix the unreadable rows and give every row its own id; the next run decides.'),
  run_refused: record(true, 'Not sent: the run was refused before anything was sent.', 'See the run’s reason.'),
  not_sent: record(true, 'Not sent, or sent without an answer: the run stopped before this record (or its groups) went out or was confirmed.', 'Run again; it continues where it stopped (looking up what may have been written).'),
  groups_pending: record(true, 'Written, but some group changes are still to be sent.', 'Run again.'),
  // Record failures.
  duplicate_record_id: record(false, 'The id appears on more than one row; no row with it was sent.', 'Make ids unique.'),
  duplicate_match_key: record(false, 'Several records share one match key; none of them was sent.', 'Give each record its own key.'),
  missing_match_key: record(false, 'No value for the match key.', 'Fill it in.'),
  missing_record_id: record(false, 'The row has no id.', 'Fill the id column.'),
  ambiguous_match: record(false, 'Several destination records have this match key; nothing was written to any of them.', 'Merge the duplicates in the destination, or give the record a key only one has.'),
  duplicate_destination_record: record(false, 'Resolves to the same destination record as an earlier source record; nothing was written.', 'Give the two records different keys, or merge them in the source; if one changed its key and someone new took the old one, send the two changes in separate runs.'),
  identity_unclear: record(false, 'Which person the row means is unclear: its values are those of another record (one that left the source, one whose row changed too, or rows swapped or rotated whole), or it found the record of an id that left without carrying its values, or its identifier besides the match key (an email where the key is an id) moved between records in a way only moved ids explain (a shift, a copy, a swap with the other values), or its match key is another row\'s identifier (a row with only an email beside a row with an external id and that email), so creating it would put a second record beside that row\'s, and writing it onto a record the other row does not write would pick one of two people. It may be that person under a reused or renumbered id. Nothing was written for it; the other record is kept.', 'Give each person the id they had; or, if the values really all changed, send the changes in separate runs (the message says which first); two rows that are one person: merge them in the source.'),
  match_key_taken: record(false, 'Its new match key belongs to another destination record.', 'Merge the two records, or fix the source.'),
  malformed_row: record(false, 'The row could not be parsed.', "Fix the row (the message gives the line); if a quoted value really runs over lines that look like rows, read it as it is with multilineValues: 'trust'."),
  invalid_number: record(false, 'A value is not a number.', 'Fix the value.'),
  scientific_notation: record(false, 'A phone number or an id is written in a spreadsheet\'s scientific notation (4.479E+11), which keeps only the digits it shows: the number it stands for may be lost, and several ids may look the same.', 'Format the column as text in the spreadsheet, type the numbers again (or take them from the original data), and export it again.'),
  number_not_exact: record(false, 'A number the destination field would store rounded (beyond 2^53, or too many significant digits).', 'Send it as text, or map it to a text field.'),
  invalid_date: record(false, 'A date that cannot be read, is ambiguous, or does not exist (month 13, Feb 30, beyond year 9999).', 'Give an ISO date (2024-05-31), a date-time with a zone, or epoch seconds / milliseconds.'),
  invalid_boolean: record(false, 'A value that is not one of the usual yes/no spellings.', 'Use true/false, yes/no, 1/0.'),
  invalid_id: record(false, 'The record id holds a control character (NUL, tab, line break…).', 'Fix the id in the source.'),
  invalid_value: record(false, 'A value or group name holds a NUL character.', 'Fix the value in the source.'),
  invalid_encoding: record(false, 'A value is not valid text.', 'Fix the file’s encoding.'),
  unsupported_value: record(false, 'A value of a type the mapping cannot send (an object or a list).', 'Map a scalar field.'),
  not_planned: record(false, 'Not planned (an internal error).', 'Report it.'),
  restore_unsupported: record(false, 'Archived in the destination, which cannot restore records.', 'Restore it in the destination.'),
  connector_result_mismatch: record(true, 'The connector answered a batch with the wrong number of results (a connector bug).', 'Report it to the connector’s authors.'),
  unexpected_error: record(false, 'Something failed that the connector did not recognise.', 'Read the message; report it if it persists.'),
  unexpected_response: record(true, 'The destination answered with a success status but a body the connector cannot read (an HTML page, another shape, a wrong number of results): a write may have been applied, so a create is looked up before anything is sent again, never resent blind; an update or a read is sent again.', 'Check what answers at the destination’s URL (a proxy, a login page); run again.'),
  server_error: record(true, 'The destination answered 5xx or 408 after every retry.', 'Run again later.'),
  network_error: record(true, 'The destination could not be reached after every retry.', 'Check the network; run again.'),
  timeout: record(true, 'The destination did not answer in time, after its retries (at most 2 for a request that got no answer).', 'Run again later.'),
  // The run as a whole.
  rate_limited: run(true, 'The destination asked to wait longer than the run may wait, or kept answering "rate limited" to one call until the waits added up to more (or a record stayed rate-limited).', 'Run again later, or raise maxRateLimitWaitMs; state is kept.'),
  authentication_failed: run(false, 'The destination refused the credentials; the run stopped.', 'Fix the credentials (the message names the variable).'),
  destination_unreachable: run(true, 'The destination gave no answer (every attempt timed out or failed on the network) after every retry: when the run connected or checked its groups (there, only 5xx answers too), or on several calls in a row. The run stopped; state is kept.', 'Check the destination’s URL, its status and the network (or raise its requestTimeoutMs option), then run again: it continues where it stopped.'),
  quota_exceeded: run(true, 'The destination’s quota (e.g. the daily API allocation) is spent; the run stopped.', 'Run again when the quota resets.'),
  interrupted: run(true, 'Stopped by the user or the system (Ctrl-C, SIGTERM); calls in flight finished, or were cancelled a few seconds later without an answer.', 'Run again; it continues where it stopped.'),
  state_unwritable: run(true, 'The sync’s state could not be written, or read once the run was sending (disk full, read-only, the database gone); the run stopped.', 'Free space, fix permissions or bring the database back, then run again: what was sent but not recorded is looked up.'),
  state_unreadable: config('The state file is not a valid syncmodes state store (empty, truncated, another format, a folder).', 'Restore it, or start over: move the file aside and open a new one.'),
  lease_lost: run(true, 'Another run took this sync over while this one was paused; its writes were refused.', 'Nothing: the other run continues.'),
  sync_running: run(true, 'Another run of the same sync holds it.', 'Wait for it to finish.'),
  sync_overlap: run(true, 'A run of another sync into the same destination records (the same destination and identity settings: org and object, workspace, app) is running; two at once would both create the people neither has found yet.', 'Run it when the other ends, or let it wait (waitForOtherRunMs); a worker queues the run again by itself. Or give the two syncs one schedule.'),
  run_lost: run(true, 'In the run history: the run ended without a summary (its process was killed, or exited at once on a second Ctrl-C); a later run of the sync found it so.', 'Nothing: the next run continues from the state, and looks up what was sent but not recorded.'),
  run_time_exceeded: run(true, 'In the run history: the run took longer than its queue allows (the worker policy\'s maxRunSeconds); pg-boss stopped it and retries its job until retryLimit, each attempt continuing from the state the last one wrote, then dead-letters it.', 'Raise maxRunSeconds in the worker\'s policy if a run of this sync needs longer; enqueue the sync again if its job went to the dead-letter queue.'),
  worker_lost: run(true, 'In the run history: the worker running it stopped answering (killed, paused or cut off); another worker took the run over.', 'Nothing: the run continues on another worker.'),
  deletion_guard: run(false, 'The run would delete more than allowed; refused before anything was sent.', 'Check the input, or allow it with guard.maxDeletes.'),
  empty_source: run(false, 'The source is empty while the sync exported before; refused.', 'Check the input, or allow it with guard.allowEmptySource: true.'),
  // Configuration.
  invalid_config: config('The destination’s configuration is invalid.', 'Fix the named fields.'),
  unsupported_mode: config('The destination cannot honour the requested sync mode.', 'Choose one of the modes it supports.'),
  match_key_not_mapped: config('No source column is mapped to the destination’s match key (or, for a destination that does not name its key’s fields, no record has a value for it).', 'Map a source column to it.'),
  groups_unsupported: config('Records carry groups, but the destination has none with this configuration.', 'Remove the groups column from the mapping.'),
  ambiguous_group: config('Several groups in the destination have a configured name.', 'Rename them, or pin the id with the groupIds option.'),
  state_store_unavailable: config('SQLite state needs the better-sqlite3 package.', 'npm install better-sqlite3@12, or use another state store.'),
  file_not_found: config('The source file does not exist.', 'Check the path.'),
  unreadable_file: config('The source file cannot be read (a folder, no read permission, a read error, no readable header, or it changed while the run read it); nothing was sent, or, for a file changed between two reads of the run, nothing was deleted.', 'Give the path of a readable file (the message says what is wrong); write an export elsewhere and move it into place once complete.'),
  empty_file: config('The source file is empty.', 'Check the export.'),
  unknown_format: config('The source format cannot be told from the file name.', 'Give openSource its format argument (csv, ndjson or json).'),
  unknown_column: config('A mapped column is not in the source.', "Fix the mapping; if the header reads as one column, read the file with its real delimiter, e.g. with delimiter: ';' (the message names the one it finds)."),
  duplicate_column: config('The source has two columns with one name.', 'Rename one.'),
  too_many_columns: config('The source header has more columns than a source may have (10,000).', 'Check the file: a header line that long is not a CSV header.'),
  format_required: config('The source is a stream (stdin) and its format cannot be told from a name.', 'Give openSource its format argument (csv, ndjson or json).'),
  missing_optional_dependency: config('An optional dependency the entry needs is not installed (e.g. path-to-regexp for an emulator).', 'Install the package the message names.'),
  invalid_json: config('The JSON source cannot be parsed.', 'Fix the file.'),
} as const satisfies Record<string, CodeInfo>;

/** A code the kit reports. */
export type KitCode = keyof typeof KIT_CODES;

/** Notices about a run as a whole (not failures). */
export const NOTICE_CODES = {
  group_recreated: 'A managed group no longer exists under its name in the destination (deleted, or renamed): created again and repopulated.',
  group_repopulated: 'A managed group showed no members: repopulated.',
  group_deleted: 'A managed group was deleted in the destination during the run: its memberships are forgotten, and the next run adds every current member to the group of that name (created again when none exists).',
  sync_identity_changed:
    'A new sync starts with the name of an existing sync of the same destination but other identity settings (e.g. a URL spelled differently): it owns nothing, so sync mode deletes nothing the other created.',
  audience_shared:
    'An audience this sync has no member in yet already exists (made elsewhere): in sync mode, removing someone who left removes every identifier the vendor merged into their member, uploads of others included.',
} as const;

/** The meaning of a code: the kit's, or the destination's declared ones. */
export function describeCode(code: string, destinationCodes: Readonly<Record<string, CodeInfo>> = {}): CodeInfo | undefined {
  return (KIT_CODES as Readonly<Record<string, CodeInfo>>)[code] ?? destinationCodes[code];
}
