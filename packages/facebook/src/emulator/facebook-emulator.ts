import { EmulatorServer, type EmulatorRequest, type EmulatorResponse } from '@syncmodes/connector-kit/emulator';
import { AudienceStore, DEFAULT_SETTINGS, type EmulatorSettings, type StoredAudience } from './audience-store';
import { expiredToken, facebookShapes, graphError, invalidParameter, invalidToken, lowAudienceSize, objectNotFound, termsNotAccepted, tokenRequired, uploadBlocked } from './graph-shapes';
import { MemberSet } from './member-set';
import { parseUsers, type ParsedUsers } from './users-payload';

/** The access token the emulator accepts (a fixed test value, not a secret). */
export const EMULATOR_ACCESS_TOKEN = 'EMULATOR-FACEBOOK-TOKEN';

/** Options of {@link createFacebookEmulator}. */
export interface FacebookEmulatorOptions {
  /** JSON file the data is loaded from at start and saved to after every change. */
  readonly persistPath?: string | undefined;
  /** Initial settings (default: low-audience threshold 100, no refused values, token valid). */
  readonly settings?: Partial<EmulatorSettings> | undefined;
  /** The access token accepted (default {@link EMULATOR_ACCESS_TOKEN}). */
  readonly accessToken?: string | undefined;
}

interface ReplaceSession {
  readonly members: MemberSet;
  batches: number;
}

/** An upload session of `POST /users`: the batch numbers received, and whether its last batch came. */
interface AddSession {
  readonly seen: Set<number>;
  closed: boolean;
}

/** A request's `session` parameter (a JSON object, or its JSON text in a form or query). */
function sessionOf(raw: unknown): { session_id?: unknown; batch_seq?: unknown; last_batch_flag?: unknown; estimated_num_total?: unknown } | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Checks the upload-session parameters of an add: a numeric `session_id`, `batch_seq` a
 * whole number from 1, `last_batch_flag` a boolean, `estimated_num_total` a whole number
 * when given; a batch number sent twice, or a batch after the session's last, is refused.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 *
 * @returns the error text for a `(#100)` answer, or `undefined` when the batch is accepted.
 */
function checkAddSession(sessions: Map<string, AddSession>, audienceId: string, session: NonNullable<ReturnType<typeof sessionOf>>): string | undefined {
  const id = session.session_id;
  const seq = Number(session.batch_seq);
  const last = session.last_batch_flag;
  if ((typeof id !== 'number' && typeof id !== 'string') || !/^\d+$/.test(String(id))) return 'session.session_id must be a number.';
  if (!Number.isInteger(seq) || seq < 1) return 'session.batch_seq must be a whole number from 1.';
  if (typeof last !== 'boolean' && last !== 'true' && last !== 'false') return 'session.last_batch_flag must be true or false.';
  if (session.estimated_num_total !== undefined && !Number.isInteger(Number(session.estimated_num_total))) return 'session.estimated_num_total must be a whole number.';
  const key = `${audienceId}:${String(id)}`;
  const open = sessions.get(key) ?? { seen: new Set<number>(), closed: false };
  if (open.closed) return `session ${String(id)} already received its last batch.`;
  if (open.seen.has(seq)) return `session ${String(id)} already received batch ${seq}.`;
  open.seen.add(seq);
  open.closed = last === true || last === 'true';
  sessions.set(key, open);
  return undefined;
}

const AUDIENCE_FIELDS = ['id', 'name', 'subtype', 'description', 'customer_file_source', 'account_id', 'approximate_count_lower_bound', 'approximate_count_upper_bound', 'time_created'] as const;

function fieldsOf(a: StoredAudience, requested: string | null): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: a.id,
    name: a.name,
    subtype: a.subtype,
    description: a.description,
    customer_file_source: a.customerFileSource,
    account_id: a.accountId.slice('act_'.length),
    approximate_count_lower_bound: a.members.size,
    approximate_count_upper_bound: a.members.size,
    time_created: a.timeCreated,
  };
  const wanted = (requested ?? 'id').split(',').map((f) => f.trim()).filter((f) => (AUDIENCE_FIELDS as readonly string[]).includes(f));
  return Object.fromEntries(['id', ...wanted].map((f) => [f, all[f]]));
}

const bodyOf = (req: EmulatorRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
const param = (req: EmulatorRequest, name: string): unknown => bodyOf(req)[name] ?? req.query.get(name) ?? undefined;
const usersAnswer = (audience: StoredAudience, sessionId: string, parsed: ParsedUsers): EmulatorResponse => ({
  status: 200,
  body: { audience_id: audience.id, session_id: sessionId, num_received: parsed.received, num_invalid_entries: parsed.invalid, invalid_entry_samples: parsed.samples },
});

/**
 * A Marketing API emulator for customer-list Custom Audiences on loopback, answered in
 * Graph's shapes (`{error: {message, type, code, error_subcode, fbtrace_id}}`):
 *
 * - `GET|POST /{version}/act_<id>/customaudiences` — list (paged with `limit` / `after`,
 *   `paging.next` as a full URL) and create (`subtype: CUSTOM`, `customer_file_source`);
 * - `GET /{version}/{audience_id}` — read an audience; `DELETE` — delete it (`{success: true}`):
 *   a deleted audience is no longer listed, and its id (never reused) answers 100 / 33 for
 *   every method, its `/users` edge too, as an id that never existed ({@link objectNotFound});
 *   several audiences may share a name, as in Meta's ad accounts;
 * - `POST` and `DELETE /{version}/{audience_id}/users` — add and remove `{schema, data}`
 *   rows (DELETE reads the payload from the query string; request heads up to 1 MiB), at
 *   most 10,000 rows, answering `num_received`, `num_invalid_entries`,
 *   `invalid_entry_samples`; adds may carry an upload `session` (`session_id`, `batch_seq`
 *   from 1, `last_batch_flag`, `estimated_num_total`): checked, echoed, a batch number twice
 *   or a batch after the last refused (#100); a removal that would leave fewer than `lowAudienceSize`
 *   people is refused (200 / 1870047);
 * - `POST /{version}/{audience_id}/usersreplace` — replace sessions (`session_id`,
 *   `batch_seq`, `last_batch_flag`): the audience becomes the session's rows after the last
 *   batch; plain adds and removals are refused while a session is open;
 * - tokens: `access_token` must be {@link EMULATOR_ACCESS_TOKEN} (190 otherwise; 190 / 463
 *   once expired via settings or the `auth_expired` fault);
 * - the Custom Audience Terms of Service: with the setting `termsAccepted: false`, creating
 *   an audience and changing members are refused with 200 / 1870034.
 *
 * Admin: `GET /__emulator/records` (audiences with their hashed members, see the README),
 * `POST /__emulator/settings` ({@link EmulatorSettings}), plus the toolkit's endpoints.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
export function createFacebookEmulator(options: FacebookEmulatorOptions = {}): EmulatorServer {
  const store = new AudienceStore({ ...DEFAULT_SETTINGS, ...options.settings });
  const token = options.accessToken ?? EMULATOR_ACCESS_TOKEN;
  const sessions = new Map<string, ReplaceSession>();
  const addSessions = new Map<string, AddSession>();
  const openSession = (audienceId: string) => [...sessions.keys()].some((k) => k.startsWith(`${audienceId}:`));

  const versioned = (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest) =>
    /^v\d+\.\d+$/.test(req.params.version ?? '') ? handler(req) : facebookShapes.notFound(req);
  const account = (handler: (req: EmulatorRequest, accountId: string) => EmulatorResponse) =>
    versioned((req) => (/^act_\d+$/.test(req.params.node ?? '') ? handler(req, req.params.node as string) : objectNotFound(req.params.node ?? '', req.method)));
  const audience = (handler: (req: EmulatorRequest, a: StoredAudience) => EmulatorResponse) =>
    versioned((req) => {
      const found = store.byId(req.params.node ?? '');
      return found ? handler(req, found) : objectNotFound(req.params.node ?? '', req.method);
    });
  const busy = () =>
    graphError(400, { message: 'Failed to update the custom audience', code: 2650, error_user_msg: 'A replace (usersreplace) session is in progress for this audience; wait for its last batch.' });

  return new EmulatorServer({
    name: 'facebook',
    persistPath: options.persistPath,
    secretParams: ['access_token'],
    data: store,
    vendor: facebookShapes,
    authenticate: (req) => {
      const given = param(req, 'access_token');
      if (given === undefined || given === '') return tokenRequired();
      if (given !== token) return invalidToken();
      return store.settings.tokenExpired ? expiredToken() : undefined;
    },
    admin: {
      'POST settings': (req) => {
        try {
          store.configure(bodyOf(req) as Partial<EmulatorSettings>);
        } catch (error) {
          return { status: 400, body: { error: (error as Error).message } };
        }
        return { status: 200, body: store.settings };
      },
    },
    routes: [
      {
        method: 'GET',
        path: '/:version/:node/customaudiences',
        handler: account((req, accountId) => {
          const all = store.audiences.filter((a) => a.accountId === accountId);
          const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 25) || 25, 1), 500);
          const start = Number(Buffer.from(req.query.get('after') ?? '', 'base64url').toString() || 0);
          const page = all.slice(start, start + limit);
          const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
          const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + page.length) } };
          if (start + page.length < all.length) {
            const next = new URLSearchParams(req.query);
            next.set('after', cursor(start + page.length));
            paging.next = `http://${req.headers.host ?? '127.0.0.1'}${req.path}?${next.toString()}`;
          }
          return { status: 200, body: { data: page.map((a) => fieldsOf(a, req.query.get('fields'))), paging } };
        }),
      },
      {
        method: 'POST',
        path: '/:version/:node/customaudiences',
        handler: account((req, accountId) => {
          if (!store.settings.termsAccepted) return termsNotAccepted();
          const name = param(req, 'name');
          const subtype = param(req, 'subtype') ?? 'CUSTOM';
          const source = param(req, 'customer_file_source');
          if (typeof name !== 'string' || name.trim() === '') return invalidParameter('The parameter name is required.');
          if (subtype !== 'CUSTOM') return invalidParameter(`This emulator creates customer-list audiences only (subtype CUSTOM), not ${String(subtype)}.`);
          if (!['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'].includes(String(source))) {
            return invalidParameter('customer_file_source must be USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY or BOTH_USER_AND_PARTNER_PROVIDED.');
          }
          const description = param(req, 'description');
          const created = store.create({ accountId, name, customerFileSource: String(source), description: typeof description === 'string' ? description : undefined });
          return { status: 200, body: { id: created.id } };
        }),
      },
      {
        method: 'POST',
        path: '/:version/:node/users',
        handler: audience((req, a) => {
          if (!store.settings.termsAccepted) return termsNotAccepted();
          if (a.uploadBlocked) return uploadBlocked();
          if (openSession(a.id)) return busy();
          const parsed = parseUsers(param(req, 'payload'), new Set(store.settings.invalidValues));
          if ('error' in parsed) return invalidParameter(parsed.error);
          const session = sessionOf(param(req, 'session'));
          const refused = session && checkAddSession(addSessions, a.id, session);
          if (refused) return invalidParameter(refused);
          // Rows of a session's batch join the audience as they arrive.
          for (const m of parsed.members) a.members.add(m);
          return usersAnswer(a, session ? String(session.session_id) : store.newId(), parsed);
        }),
      },
      {
        method: 'DELETE',
        path: '/:version/:node/users',
        handler: audience((req, a) => {
          if (!store.settings.termsAccepted) return termsNotAccepted();
          if (a.uploadBlocked) return uploadBlocked();
          if (openSession(a.id)) return busy();
          const parsed = parseUsers(param(req, 'payload'), new Set(store.settings.invalidValues));
          if ('error' in parsed) return invalidParameter(parsed.error);
          const leaving = new Set<number>();
          for (const m of parsed.members) for (const id of a.members.matching(m)) leaving.add(id);
          if (leaving.size > 0 && a.members.size - leaving.size < store.settings.lowAudienceSize) return lowAudienceSize();
          a.members.remove(leaving);
          return usersAnswer(a, store.newId(), parsed);
        }),
      },
      {
        method: 'POST',
        path: '/:version/:node/usersreplace',
        handler: audience((req, a) => {
          if (!store.settings.termsAccepted) return termsNotAccepted();
          const raw = param(req, 'session');
          let session: { session_id?: unknown; batch_seq?: unknown; last_batch_flag?: unknown } | undefined;
          try {
            session = (typeof raw === 'string' ? JSON.parse(raw) : raw) as typeof session;
          } catch {
            session = undefined;
          }
          if (!session || (typeof session.session_id !== 'number' && typeof session.session_id !== 'string') || !(Number(session.batch_seq) >= 1)) {
            return invalidParameter('session {session_id, batch_seq, last_batch_flag} is required for usersreplace.');
          }
          const parsed = parseUsers(param(req, 'payload'), new Set(store.settings.invalidValues));
          if ('error' in parsed) return invalidParameter(parsed.error);
          const key = `${a.id}:${String(session.session_id)}`;
          const open = sessions.get(key) ?? { members: new MemberSet(), batches: 0 };
          sessions.set(key, open);
          open.batches += 1;
          for (const m of parsed.members) open.members.add(m);
          if (session.last_batch_flag === true || session.last_batch_flag === 'true') {
            a.members.remove(a.members.ids());
            for (const m of open.members.list()) a.members.add(m);
            sessions.delete(key);
          }
          return usersAnswer(a, String(session.session_id), parsed);
        }),
      },
      {
        method: 'GET',
        path: '/:version/:node',
        handler: audience((req, a) => ({ status: 200, body: fieldsOf(a, req.query.get('fields')) })),
      },
      {
        // Deleting a custom audience answers {"success": true}:
        // https://developers.facebook.com/docs/marketing-api/reference/custom-audience/#Deleting
        method: 'DELETE',
        path: '/:version/:node',
        handler: audience((_req, a) => {
          store.audiences = store.audiences.filter((x) => x !== a);
          return { status: 200, body: { success: true } };
        }),
      },
    ],
  });
}
