import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchema, identity, secret } from '../../src/index';

describe('configJsonSchema', () => {
  const schema = z.object({
    baseUrl: identity(z.url().default('https://api.example.com').describe('API host.')),
    token: secret(z.string().min(1).describe('API token.'), 'EXAMPLE_TOKEN'),
    concurrency: z.coerce.number().int().min(1).max(10).default(4).describe('Calls in flight.'),
    tags: z
      .union([z.array(z.string()), z.string()])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')))
      .default([])
      .describe('Tags.'),
  });

  it('describes what users write, marking secrets, their environment variable and identity fields', () => {
    const json = configJsonSchema(schema) as { $schema: string; properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(json.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(json.required).toEqual(['token']);
    expect(json.properties.token).toEqual({ type: 'string', minLength: 1, description: 'API token.', 'x-secret': true, writeOnly: true, 'x-env': 'EXAMPLE_TOKEN' });
    expect(json.properties.baseUrl).toMatchObject({ type: 'string', format: 'uri', default: 'https://api.example.com', 'x-identity': true });
    expect(json.properties.concurrency).toMatchObject({ type: 'integer', minimum: 1, maximum: 10, default: 4 });
    expect(json.properties.tags).toMatchObject({ anyOf: [{ type: 'array' }, { type: 'string' }] });
    for (const p of Object.values(json.properties)) {
      expect(p).not.toHaveProperty('secret');
      expect(p).not.toHaveProperty('env');
      expect(p).not.toHaveProperty('identity');
    }
  });
});
