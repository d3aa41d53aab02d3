import type { EmulatorExchange } from '@syncmodes/connector-kit/emulator';
import OpenAPIRequestValidator from 'openapi-request-validator';
import OpenAPIResponseValidator from 'openapi-response-validator';

/**
 * An independent check of emulator traffic against a vendor's OpenAPI description: every
 * request and every answer an emulator exchanged is validated with
 * `openapi-request-validator` (parameters) and `openapi-response-validator` (bodies; the
 * openapi.js validators, Ajv-based) — not the library the emulators' own contract tests use
 * (openapi-backend).
 * Shared by the Intercom and OneSignal test setups (`validate-exchanges.ts`).
 */

/** An OpenAPI 3 document, as far as this validator reads it. */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components?: { readonly schemas?: Record<string, unknown>; readonly [kind: string]: unknown };
}

/** One thing an exchange does that the description does not allow. */
export interface Violation {
  /** The operation id, or `METHOD path` when no operation matched. */
  readonly operation: string;
  readonly status: number;
  /** Where: the request, the response body, or the status itself. */
  readonly part: 'request' | 'response' | 'status' | 'route';
  readonly message: string;
  /** `METHOD path → status`, for reports. */
  readonly exchange: string;
}

/** A known defect of the description itself, with the reason (listed in `test/spec-defects.json`). */
export interface SpecDefect {
  /** The operation id, or `*` for every operation. */
  readonly operation: string;
  readonly status?: number | undefined;
  readonly part: Violation['part'];
  /** Text the violation's message contains (any when absent). */
  readonly contains?: string | undefined;
  readonly reason: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

interface Operation {
  readonly id: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Literal path segments: more wins when several templates match. */
  readonly literals: number;
  readonly method: string;
  readonly spec: Record<string, unknown>;
  readonly pathParameters: readonly unknown[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Validates exchanges against one OpenAPI description. */
export class ExchangeValidator {
  private readonly operations: Operation[] = [];
  private readonly requestValidators = new Map<string, OpenAPIRequestValidator>();
  private readonly bodyValidators = new Map<string, OpenAPIResponseValidator | undefined>();
  private errorValidator: OpenAPIResponseValidator | undefined;
  private readonly responseValidators = new Map<string, OpenAPIResponseValidator>();

  /**
   * `errorSchema`: a `$ref` (e.g. `#/components/schemas/error`) that the body of an error
   * answer (4xx, 5xx) with a status the operation does not document is still checked
   * against: the status is reported, and the body does not go unchecked.
   */
  constructor(
    private readonly doc: OpenApiDocument,
    private readonly errorSchema?: string | undefined,
  ) {
    for (const [template, item] of Object.entries(doc.paths)) {
      const names: string[] = [];
      const pattern = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part);
          if (!param) return escape(part);
          names.push(param[1] as string);
          return '([^/]+)';
        })
        .join('');
      const literals = template.split('/').filter((s) => s !== '' && !s.includes('{')).length;
      for (const method of METHODS) {
        const spec = item[method] as Record<string, unknown> | undefined;
        if (!spec) continue;
        const id = typeof spec.operationId === 'string' ? spec.operationId : `${method.toUpperCase()} ${template}`;
        this.operations.push({ id, regex: new RegExp(`^${pattern}$`), names, literals, method, spec, pathParameters: (item.parameters as unknown[]) ?? [] });
      }
    }
    this.operations.sort((a, b) => b.literals - a.literals);
  }

  /** Resolves a local `$ref` (`#/components/...`), following chains. */
  private resolve<T>(node: T): T {
    let current: unknown = node;
    for (let i = 0; i < 10 && typeof current === 'object' && current !== null && typeof (current as { $ref?: unknown }).$ref === 'string'; i++) {
      const path = ((current as { $ref: string }).$ref.replace(/^#\//, '')).split('/');
      current = path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
    }
    return current as T;
  }

  private match(exchange: EmulatorExchange): { operation: Operation; params: Record<string, string> } | undefined {
    for (const operation of this.operations) {
      if (operation.method !== exchange.method.toLowerCase()) continue;
      const m = operation.regex.exec(exchange.path);
      if (!m) continue;
      const params = Object.fromEntries(operation.names.map((name, i) => [name, decodeURIComponent(m[i + 1] ?? '')]));
      return { operation, params };
    }
    return undefined;
  }

  /** Validates the request's path, query and header parameters. */
  private requestValidator(operation: Operation): OpenAPIRequestValidator {
    let validator = this.requestValidators.get(operation.id);
    if (!validator) {
      const parameters = [...operation.pathParameters, ...((operation.spec.parameters as unknown[]) ?? [])].map((p) => this.resolve(p));
      validator = new OpenAPIRequestValidator({
        parameters: parameters as never,
        componentSchemas: (this.doc.components?.schemas ?? {}) as never,
        // Query, path and header values are text on the wire (OpenAPI's simple and form styles): `include_archived=true` is the
        // boolean true its schema says, so Ajv reads them as their schema's type (`coerceTypes`) before checking them.
        ajvOptions: { strict: false, validateFormats: false, coerceTypes: true },
        additionalQueryProperties: true,
      });
      this.requestValidators.set(operation.id, validator);
    }
    return validator;
  }

  /**
   * Validates a JSON request body against the operation's request schema. Done with
   * openapi-response-validator's schema check (a body against a schema and the
   * components): openapi-request-validator inlines every `$ref` of a body schema and never
   * ends on recursive schemas (Intercom's nested search filters), while Ajv resolves them.
   */
  private bodyValidator(operation: Operation): OpenAPIResponseValidator | undefined {
    if (!this.bodyValidators.has(operation.id)) {
      const requestBody = this.resolve(operation.spec.requestBody) as { content?: Record<string, { schema?: unknown }> } | undefined;
      const json = Object.entries(requestBody?.content ?? {}).find(([type]) => type.includes('json'))?.[1];
      const schema = this.resolve(json?.schema) as object | undefined;
      this.bodyValidators.set(operation.id, schema ? new OpenAPIResponseValidator({ responses: { body: { schema } } as never, components: (this.doc.components ?? {}) as never }) : undefined);
    }
    return this.bodyValidators.get(operation.id);
  }

  /** The JSON schema of each documented status's body (`{}` when it documents none). */
  private responseValidator(operation: Operation): OpenAPIResponseValidator {
    let validator = this.responseValidators.get(operation.id);
    if (!validator) {
      const responses: Record<string, { schema: object }> = {};
      for (const [code, raw] of Object.entries((operation.spec.responses as Record<string, unknown>) ?? {})) {
        const response = this.resolve(raw) as { content?: Record<string, { schema?: unknown }> };
        const json = Object.entries(response.content ?? {}).find(([type]) => type.includes('json'))?.[1];
        responses[code] = { schema: (this.resolve(json?.schema) as object | undefined) ?? {} };
      }
      validator = new OpenAPIResponseValidator({ responses: responses as never, components: (this.doc.components ?? {}) as never });
      this.responseValidators.set(operation.id, validator);
    }
    return validator;
  }

  /** Everything wrong with one exchange (empty when it matches the description). */
  check(exchange: EmulatorExchange): Violation[] {
    const name = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    const matched = this.match(exchange);
    if (!matched) return [{ operation: `${exchange.method} ${exchange.path}`, status: exchange.status, part: 'route', message: 'no operation in the description', exchange: name }];
    const { operation, params } = matched;
    const out: Violation[] = [];
    const add = (part: Violation['part'], message: string) => out.push({ operation: operation.id, status: exchange.status, part, message, exchange: name });
    const headers = Object.fromEntries(Object.entries(exchange.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]));
    const request = this.requestValidator(operation).validateRequest({ headers, body: {}, params: { ...params }, query: { ...exchange.query } });
    if (request) add('request', JSON.stringify(request.errors ?? request));
    const bodyValidator = exchange.requestBody === undefined ? undefined : this.bodyValidator(operation);
    const body = bodyValidator?.validateResponse('body', exchange.requestBody);
    if (body) add('request', JSON.stringify(body.errors ?? body.message));
    const documented = Object.keys((operation.spec.responses as object) ?? {});
    if (!documented.includes(String(exchange.status)) && !documented.includes('default')) {
      add('status', `status ${exchange.status} is not documented for ${operation.id} (documented: ${documented.join(', ')})`);
      if (this.errorSchema && exchange.status >= 400) {
        const fallback = (this.errorValidator ??= new OpenAPIResponseValidator({ responses: { error: { schema: { $ref: this.errorSchema } } } as never, components: (this.doc.components ?? {}) as never }));
        const checked = fallback.validateResponse('error', exchange.responseBody);
        if (checked) add('response', `not the shared error shape ${this.errorSchema}: ${JSON.stringify(checked.errors ?? checked.message)}`);
      }
      return out;
    }
    const answer = typeof exchange.responseBody === 'string' && exchange.responseBody === '' ? undefined : exchange.responseBody;
    const response = this.responseValidator(operation).validateResponse(String(exchange.status), answer);
    if (response) add('response', JSON.stringify(response.errors ?? response.message));
    return out;
  }
}

/** Whether a violation is a listed defect of the description. */
export function isKnownDefect(violation: Violation, defects: readonly SpecDefect[]): SpecDefect | undefined {
  return defects.find(
    (d) =>
      (d.operation === '*' || d.operation === violation.operation) &&
      d.part === violation.part &&
      (d.status === undefined || d.status === violation.status) &&
      (d.contains === undefined || violation.message.includes(d.contains)),
  );
}
