import { SYNC_MODES, configFields, configJsonSchema, type AnyDestination, type JsonSchema } from '@syncmodes/connector-kit';
import { syncJobSchema } from './sync-job';

type Props = Record<string, JsonSchema>;

/** A destination's options as a config file may hold them: no secrets (they come from the environment), nothing required (`--emulator` fills some). */
function optionsSchema(destination: AnyDestination): JsonSchema {
  const json = configJsonSchema(destination.configSchema) as { properties?: Props };
  const secrets = new Set(configFields(destination.configSchema).filter((f) => f.meta.secret).map((f) => f.key));
  const properties = Object.fromEntries(Object.entries(json.properties ?? {}).filter(([key]) => !secrets.has(key)));
  const env = configFields(destination.configSchema)
    .filter((f) => f.meta.secret)
    .map((f) => `$${f.meta.env ?? f.key}`);
  return {
    type: 'object',
    description: `${destination.displayName} options.${env.length > 0 ? ` Secrets come from the environment: ${env.join(', ')}.` : ''}`,
    properties,
    additionalProperties: false,
  };
}

/**
 * The JSON Schema of a sync job config file (`--config sync.yaml`), for editors: the job's
 * fields from {@link syncJobSchema}, and for each given destination its modes and options
 * (secrets excluded: the CLI only reads them from environment variables).
 */
export function syncJobJsonSchema(destinations: readonly AnyDestination[]): JsonSchema {
  const { $schema, ...job } = configJsonSchema(syncJobSchema) as { $schema: string; properties: Props } & JsonSchema;
  const ids = destinations.map((d) => d.id);
  const properties: Props = {
    ...job.properties,
    to: { ...job.properties.to, anyOf: [{ enum: ids }, { type: 'string' }] },
    mode: { ...job.properties.mode, enum: [...SYNC_MODES] },
  };
  return {
    $schema,
    $id: '@syncmodes/cli/sync-job.schema.json',
    title: 'syncmodes sync job',
    description: 'A `syncmodes sync --config <file>` job (YAML or JSON). Flags given on the command line override it.',
    ...job,
    properties,
    allOf: destinations.map((d) => ({
      if: { properties: { to: { const: d.id } }, required: ['to'] },
      then: { properties: { mode: { enum: [...d.syncModes] }, options: optionsSchema(d) } },
    })),
  };
}
