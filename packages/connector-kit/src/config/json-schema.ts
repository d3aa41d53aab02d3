import { z } from 'zod';

/** A JSON Schema document (draft-07), as produced by {@link configJsonSchema}. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema (draft-07) of a config schema, for editors completing YAML / JSON configs
 * and for docs. It describes what a user writes (zod's input side: defaults are optional,
 * coerced numbers are numbers). The kit's metadata becomes vendor keywords:
 *
 * - a {@link secret} field gets `"x-secret": true` and `"writeOnly": true`, and its
 *   environment variable `"x-env": "NAME"`;
 * - an {@link identity} field gets `"x-identity": true`.
 *
 * Never contains values, only their shape.
 */
export function configJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const s = jsonSchema as Record<string, unknown>;
      const { secret, env, identity } = s;
      delete s.secret;
      delete s.env;
      delete s.identity;
      if (secret === true) {
        s['x-secret'] = true;
        s.writeOnly = true;
      }
      if (typeof env === 'string') s['x-env'] = env;
      if (identity === true) s['x-identity'] = true;
    },
  }) as JsonSchema;
}
