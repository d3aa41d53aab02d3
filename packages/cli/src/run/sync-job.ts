import { z } from 'zod';

/**
 * One sync job, as flags or a YAML config file give it. This schema is the single source
 * of the job's shape, validation and defaults for both.
 */
export const syncJobSchema = z
  .object({
    to: z.string().min(1).describe('Destination id (see `syncmodes destinations`).'),
    mode: z.string().min(1).optional().describe('Sync mode: sync, additive or enrich (default: the destination\'s).'),
    from: z.string().min(1).describe('Source: a file (.csv, .ndjson/.jsonl or .json), or a Postgres URL (postgres://…) with query or table.'),
    query: z.string().min(1).optional().describe('With a Postgres source: the SELECT whose rows are the records (streamed with a cursor).'),
    table: z.string().min(1).optional().describe('With a Postgres source: a table or view (name or schema.name), read in id order.'),
    format: z.enum(['csv', 'ndjson', 'json']).optional().describe('Source format, when the file name does not say.'),
    id: z.string().min(1).describe('Source column holding each record\'s primary key.'),
    syncName: z
      .string()
      .min(1)
      .optional()
      .describe("The sync's name: state, ownership and deletions are per sync (default: the source file's name without folder and extension). Keep it when the file name changes; give feeds into the same object different names."),
    map: z
      .record(z.string().min(1), z.string().min(1))
      .refine((m) => Object.keys(m).length > 0, 'map at least one field')
      .describe('Destination field → source column.'),
    multilineValues: z
      .enum(['check', 'trust'])
      .default('check')
      .describe('CSV: `check` fails a row whose quoted value runs over lines that look like rows (a stray quote merges rows; nothing is deleted while one does); `trust` reads such values as they are.'),
    delimiter: z
      .string()
      .regex(/^(?:[^"\r\n]|tab|\\t)$/, 'one character (not a quote or a line break), or tab')
      .optional()
      .describe('CSV: the field delimiter, one character (`tab` or `\\t` for a tab), e.g. `;` for files Excel saved in many locales. Default `,`, or the one a first line `sep=;` names (Excel\'s hint, in UTF-8 files; then skipped); tab for a .tsv file.'),
    groups: z.string().min(1).optional().describe('Source column with group names (campaigns, tags, audiences).'),
    groupSeparator: z.string().min(1).default(';').describe('Separator between group names.'),
    groupIds: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Group name → destination id, for a name several groups in the destination share (without it such a run is refused with ambiguous_group).'),
    options: z
      .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe('Destination options (see `syncmodes destinations`); secrets come from environment variables.'),
    emulator: z.boolean().default(false).describe('Run against the destination\'s emulator, persisted under the state directory.'),
    emulatorSeed: z.string().min(1).optional().describe('Seed file loaded into the emulator before the run.'),
    stateDir: z.string().min(1).default('.syncmodes').describe('Where the sync\'s state (and emulator data) is kept.'),
    state: z
      .string()
      .regex(/^postgres(ql)?:\/\//i, 'expects a postgres:// URL (use stateDir for a folder)')
      .optional()
      .describe('State in Postgres (postgres://…; default: SYNCMODES_DATABASE_URL, else SQLite under stateDir). Prefer the environment variable for a URL with a password.'),
    keepRuns: z.number().int().min(1).default(100).describe('How many runs of this sync the run history keeps.'),
    dryRun: z.boolean().default(false).describe('Plan only: look records up, send nothing, change no state.'),
    report: z.string().min(1).optional().describe('Write the report here: a self-contained HTML page for .html, JSON otherwise.'),
    allowDeletes: z.number().int().min(0).optional().describe('Most deletes this run may send (default: 1,000 or 10% of owned records).'),
    allowEmptySource: z.boolean().default(false).describe('Allow a run whose source is empty while the sync has state.'),
    recheck: z
      .boolean()
      .default(false)
      .describe('Look every record up again, unchanged ones too: records deleted or archived in the destination since this sync wrote them are created or restored again (sync, additive). Costs a lookup for every record.'),
    deletePolicy: z.enum(['owned', 'matched']).default('owned').describe('Which records sync mode may delete.'),
  })
  .strict();

/** A validated job. */
export type SyncJob = z.output<typeof syncJobSchema>;
/** A job as written (before defaults). */
export type SyncJobInput = z.input<typeof syncJobSchema>;
