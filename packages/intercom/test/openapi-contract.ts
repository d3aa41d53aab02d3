import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OpenAPIBackend, ValidationContext } from 'openapi-backend';
import { parse } from 'yaml';
import type { ApiExchange } from '../src/emulator/index';

/** The vendor's OpenAPI description (Intercom 2.14), beside the project root. */
export const SPEC_PATH = fileURLToPath(new URL('../../../../shared/specs/intercom-api-2.14.yaml', import.meta.url));

/**
 * The published description puts `nullable: true` on schemas without a `type` (e.g. the
 * search filter's `value`), which OpenAPI 3.0 does not define and Ajv refuses to compile.
 * Such a schema becomes "this schema, or null" — what the description means.
 */
function repairNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repairNullable);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = repairNullable(v);
  if (out.nullable === true && out.type === undefined && out.$ref === undefined) {
    const { nullable: _n, description, ...schema } = out;
    return { ...(description === undefined ? {} : { description }), anyOf: [schema, { enum: [null] }] };
  }
  return out;
}

/** One thing in an exchange that does not match the description. */
export interface ContractProblem {
  readonly exchange: string;
  readonly problem: string;
}

/**
 * Validates emulator exchanges against the Intercom 2.14 OpenAPI description with
 * openapi-backend (Ajv): each request body against the operation's request schema, each
 * response against the schema of its documented status — or, for an error status the
 * description does not list for that operation (409, 429, 400…), against its shared
 * `error` schema.
 */
export class IntercomContract {
  private constructor(
    private readonly api: OpenAPIBackend,
    private readonly errorSchema: (body: unknown) => boolean,
  ) {}

  static async load(): Promise<IntercomContract> {
    const definition = repairNullable(parse(readFileSync(SPEC_PATH, 'utf8'))) as Record<string, unknown>;
    const api = new OpenAPIBackend({
      definition: definition as never,
      quick: true,
      validate: true,
      strict: false,
      ajvOpts: { logger: false, validateFormats: false },
    });
    await api.init();
    const components = (api.definition as unknown as { components: { schemas: Record<string, object> } }).components;
    const ajv = api.validator.getAjv(ValidationContext.Response);
    const validateError = ajv.compile(components.schemas.error as object);
    return new IntercomContract(api, (body) => validateError(body) === true);
  }

  /** The operation id an exchange belongs to, when the description has it. */
  operationOf(exchange: Pick<ApiExchange, 'method' | 'path'>): string | undefined {
    return this.api.router.matchOperation({ method: exchange.method.toLowerCase(), path: exchange.path, headers: {} })?.operationId;
  }

  /** Problems with one exchange (none when it matches the description). */
  check(exchange: ApiExchange): ContractProblem[] {
    const name = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    const problems: ContractProblem[] = [];
    const operation = this.api.router.matchOperation({ method: exchange.method.toLowerCase(), path: exchange.path, headers: {} });
    if (!operation?.operationId) return [{ exchange: name, problem: 'no operation in the description' }];
    if (exchange.requestBody !== undefined) {
      const request = this.api.validateRequest(
        { method: exchange.method.toLowerCase(), path: exchange.path, headers: { 'content-type': 'application/json' }, query: exchange.query, body: exchange.requestBody },
        operation,
      );
      if (!request.valid) problems.push({ exchange: name, problem: `request: ${JSON.stringify(request.errors)}` });
    }
    const documented = Object.keys(operation.responses ?? {}).includes(String(exchange.status));
    if (documented) {
      const response = this.api.validateResponse(exchange.responseBody, operation, exchange.status);
      if (!response.valid) problems.push({ exchange: name, problem: `response: ${JSON.stringify(response.errors)}` });
    } else if (exchange.status >= 400) {
      if (!this.errorSchema(exchange.responseBody)) problems.push({ exchange: name, problem: 'error response does not match the error schema' });
    } else {
      problems.push({ exchange: name, problem: `status ${exchange.status} is not documented for ${operation.operationId}` });
    }
    return problems;
  }
}
