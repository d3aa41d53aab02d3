import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from '@syncmodes/connector-kit/emulator';
import { SfRequestError, type Org, type SaveResult, type SfRecord } from './org';
import type { ObjectSchema } from './org-schema';

/** Most records per sObject Collections call. */
export const COLLECTION_LIMIT = 200;

/** What the collection routes need from the emulator around them. */
export interface CollectionContext {
  readonly org: Org;
  /** Wraps a handler: API usage, URI limit, request errors as Salesforce's error bodies. */
  readonly guarded: (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest) => EmulatorResponse;
  readonly schemaOr404: (type: string) => ObjectSchema;
}

const failure = (statusCode: string, message: string): SaveResult => ({ id: null, success: false, errors: [{ statusCode, message, fields: [] }] });

/** A record's field values: everything but `attributes` and the id. */
export function fieldsOf(r: SfRecord): SfRecord {
  const { attributes: _a, id: _i, Id: _I, ...fields } = r;
  return fields;
}

/**
 * Reads an sObject Collections body. The whole request is refused (HTTP 400, nothing
 * written) when it is not well formed: more than 200 records (`EXCEEDED_ID_LIMIT`), a value
 * of the wrong JSON type (`JSON_PARSER_ERROR`), or a field the object does not have
 * (`INVALID_FIELD` "No such column 'X' on sobject of type Y") — the body is read as a whole
 * before any record is saved ("If the request isn't well formed, the API returns a 400 Bad
 * Request HTTP Status"). https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
function collection(org: Org, req: EmulatorRequest): { allOrNone: boolean; records: SfRecord[] } {
  const body = req.body as { allOrNone?: boolean; records?: SfRecord[] } | undefined;
  if (!body || !Array.isArray(body.records)) throw new SfRequestError(400, 'JSON_PARSER_ERROR', 'The request body must hold "records".');
  if (body.records.length > COLLECTION_LIMIT) {
    throw new SfRequestError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`);
  }
  for (const r of body.records) {
    const type = (r.attributes as { type?: string } | undefined)?.type;
    const schema = type ? org.schema(type) : typeof (r.id ?? r.Id) === 'string' ? org.schemaOfId(String(r.id ?? r.Id)) : undefined;
    if (!schema) continue;
    const unknown = Object.keys(fieldsOf(r)).find((name) => !org.field(schema, name));
    if (unknown) throw new SfRequestError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${schema.name}`, [unknown]);
    org.checkJsonTypes(schema, r);
  }
  return { allOrNone: body.allOrNone === true, records: body.records };
}

/**
 * `allOrNone: true`: when any record fails, every change of the request is rolled back and
 * the records that had succeeded report `ALL_OR_NONE_OPERATION_ROLLED_BACK` (upserts keep
 * their `created` flag). https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
 */
function atomically(org: Org, allOrNone: boolean, save: () => SaveResult[]): SaveResult[] {
  const restore = allOrNone ? org.checkpoint() : undefined;
  const results = save();
  if (!restore || results.every((r) => r.success)) return results;
  restore();
  return results.map((r) =>
    r.success
      ? {
          id: null,
          success: false,
          errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }],
          ...(r.created === undefined ? {} : { created: r.created }),
        }
      : r,
  );
}

/** Records of `type` by id, in the order asked, `null` for ids that hold none (sObject Collections retrieve). */
function retrieve(ctx: CollectionContext, type: string, ids: readonly string[], fieldNames: readonly string[]): (SfRecord | null)[] {
  const schema = ctx.schemaOr404(type);
  const fields = fieldNames.map((name) => {
    const f = ctx.org.field(schema, name);
    if (!f) throw new SfRequestError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${schema.name}'.`);
    return f.name;
  });
  return ids.map((id) => {
    const record = ctx.org.get(id);
    if (!record || ctx.org.schemaOfId(id)?.name !== schema.name) return null;
    const out: SfRecord = { attributes: { type: schema.name, url: `/services/data/v62.0/sobjects/${schema.name}/${id}` } };
    for (const f of fields) out[f] = record[f] ?? null;
    return out;
  });
}

/**
 * The sObject Collections routes: create (POST), update (PATCH), upsert by external id
 * (PATCH …/{type}/{field}), delete (DELETE ?ids=), retrieve (GET ?ids=&fields=, POST
 * `{ ids, fields }`). Per-record SaveResults in input order; `allOrNone` rolls back.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
export function collectionRoutes(ctx: CollectionContext): EmulatorRoute[] {
  const { org, guarded } = ctx;
  const ok = (body: unknown): EmulatorResponse => ({ status: 200, body });
  return [
    {
      method: 'POST',
      path: '/services/data/:version/composite/sobjects',
      handler: guarded((req) => {
        const { allOrNone, records } = collection(org, req);
        return ok(
          atomically(org, allOrNone, () =>
            records.map((r) => {
              const type = (r.attributes as { type?: string } | undefined)?.type;
              return type ? org.create(type, fieldsOf(r)) : failure('INVALID_TYPE', 'Must send a concrete entity type.');
            }),
          ),
        );
      }),
    },
    {
      method: 'PATCH',
      path: '/services/data/:version/composite/sobjects',
      handler: guarded((req) => {
        const { allOrNone, records } = collection(org, req);
        return ok(
          atomically(org, allOrNone, () =>
            records.map((r) => {
              const id = (r.id ?? r.Id) as string | undefined;
              if (!id) return { ...failure('MISSING_ARGUMENT', 'Id not specified in an update call') };
              return org.update(id, fieldsOf(r), (r.attributes as { type?: string } | undefined)?.type);
            }),
          ),
        );
      }),
    },
    {
      // Upsert by external id: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
      method: 'PATCH',
      path: '/services/data/:version/composite/sobjects/:type/:field',
      handler: guarded((req) => {
        const schema = ctx.schemaOr404(req.params.type as string);
        const field = org.field(schema, req.params.field as string);
        if (!field || !field.externalId) throw new SfRequestError(400, 'INVALID_FIELD', `Field ${req.params.field} is not an external id field on ${schema.name}`);
        const { allOrNone, records } = collection(org, req);
        return ok(
          atomically(org, allOrNone, () =>
            records.map((r) => {
              const key = r[field.name];
              const existing = typeof key === 'string' ? org.upsertMatches(schema.name, field, key) : [];
              if (existing.length > 1) {
                return { id: null, success: false, errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `${field.name}: more than one record found for external id field`, fields: [field.name] }] };
              }
              const found = existing[0];
              if (found) return { ...org.update(String(found.Id), fieldsOf(r), schema.name), created: false };
              return { ...org.create(schema.name, fieldsOf(r)), created: true };
            }),
          ),
        );
      }),
    },
    {
      method: 'DELETE',
      path: '/services/data/:version/composite/sobjects',
      handler: guarded((req) => {
        const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
        if (ids.length > COLLECTION_LIMIT) throw new SfRequestError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`);
        return ok(atomically(org, req.query.get('allOrNone') === 'true', () => ids.map((id) => org.delete(id))));
      }),
    },
    {
      // Retrieve: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_retrieve.htm
      method: 'GET',
      path: '/services/data/:version/composite/sobjects/:type',
      handler: guarded((req) => {
        const split = (name: string) => (req.query.get(name) ?? '').split(',').filter(Boolean);
        return ok(retrieve(ctx, req.params.type as string, split('ids'), split('fields')));
      }),
    },
    {
      method: 'POST',
      path: '/services/data/:version/composite/sobjects/:type',
      mutates: false,
      handler: guarded((req) => {
        const body = (req.body ?? {}) as { ids?: unknown; fields?: unknown };
        if (!Array.isArray(body.ids) || !Array.isArray(body.fields)) throw new SfRequestError(400, 'JSON_PARSER_ERROR', 'The request body must hold "ids" and "fields".');
        if (body.ids.length > 2_000) throw new SfRequestError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 2000 records into this call');
        return ok(retrieve(ctx, req.params.type as string, body.ids.map(String), body.fields.map(String)));
      }),
    },
  ];
}
