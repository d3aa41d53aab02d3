import { configFields, type AnyDestination } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';

/** The refusal of a secret given as an option: it would end up in shell history, process lists, or a stored sync. */
export function secretInOptions(key: string, env: string | undefined): UsageError {
  return new UsageError(`"${key}" is a secret: set it in the ${env ?? 'matching'} environment variable instead of passing it as an option.`, 'secret_in_options');
}

/**
 * Builds a destination's raw config: emulator values first (when running against one),
 * then the user's options, then secrets from their environment variables.
 *
 * @throws {@link UsageError} `secret_in_options` when a secret is given as an option (it
 *   would end up in shell history and process lists), `unknown_option` for an option the
 *   destination does not have, `emulator_conflict` for an option the emulator sets (its
 *   address), or `missing_secret` naming the environment variable to set.
 */
export function destinationConfig(
  destination: AnyDestination,
  options: Readonly<Record<string, string | number | boolean>>,
  env: Readonly<Record<string, string | undefined>>,
  emulatorConfig?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const fields = configFields(destination.configSchema);
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const config: Record<string, unknown> = { ...emulatorConfig };
  for (const [key, value] of Object.entries(options)) {
    const field = byKey.get(key);
    if (!field) {
      throw new UsageError(
        `${destination.displayName} has no option "${key}". Options: ${fields
          .filter((f) => !f.meta.secret)
          .map((f) => f.key)
          .join(', ')}.`,
        'unknown_option',
      );
    }
    if (field.meta.secret) throw secretInOptions(key, field.meta.env);
    const emulated = emulatorConfig?.[key];
    if (typeof emulated === 'string' && /^https?:\/\//.test(emulated) && value !== emulated) {
      // The emulator's address would give way to the option: a config file's production URL plus --emulator sent emulator traffic there (second trial of stop 31).
      throw new UsageError(`"${key}" is set by --emulator (the local emulator's address); remove the option, or run without --emulator.`, 'emulator_conflict');
    }
    config[key] = value;
  }
  for (const field of fields) {
    if (!field.meta.secret || config[field.key] !== undefined) continue;
    const fromEnv = field.meta.env ? env[field.meta.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') config[field.key] = fromEnv;
    else if (!field.optional) {
      throw new UsageError(
        `${destination.displayName} needs ${field.key}: set the ${field.meta.env ?? field.key} environment variable (or use --emulator).`,
        'missing_secret',
      );
    }
  }
  return config;
}
