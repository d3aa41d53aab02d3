import { EmulatorServer, type EmulatorData, type EmulatorResponse } from '../../src/emulator/index';

/** A tiny record API used only by the kit's own tests (not a real vendor). */
export interface TinyRecord {
  id: string;
  key: string;
  fields: Record<string, string>;
}
interface TinyData {
  records: TinyRecord[];
  groups: { id: string; name: string; members: string[] }[];
  nextId: number;
}

export const TINY_TOKEN = 'tiny-secret-token';
export const TINY_MAX_BATCH = 50;
/** Most records one lookup answer holds; the rest come in further pages (`next`). */
export const TINY_PAGE_SIZE = 20;
const MAX_NAME = 40;

/** Rules of the tiny API an account can switch. */
export interface TinyEmulatorOptions {
  /**
   * Whether a create refuses a key another record already has (`duplicate`). Default true.
   * False: the account lets several records share a key (as most CRMs do without a
   * duplicate rule), so a create sent twice makes two records.
   */
  readonly uniqueKeys?: boolean | undefined;
}

const err = (status: number, code: string, message = code): EmulatorResponse => ({ status, body: { error: { code, message } } });

export function createTinyEmulator(options: TinyEmulatorOptions = {}): EmulatorServer {
  const uniqueKeys = options.uniqueKeys ?? true;
  let data: TinyData = { records: [], groups: [], nextId: 1 };
  const store: EmulatorData<TinyData> = {
    snapshot: () => data,
    seed: (input) => {
      const seed = input as { records?: { key: string; fields: Record<string, string>; groups?: string[] }[] };
      for (const r of seed.records ?? []) {
        const id = `r${data.nextId++}`;
        data.records.push({ id, key: r.key.toLowerCase(), fields: { ...r.fields } });
        for (const name of r.groups ?? []) groupNamed(name, true)?.members.push(id);
      }
    },
    load: (d) => (data = d),
    reset: () => (data = { records: [], groups: [], nextId: 1 }),
  };
  const groupNamed = (name: string, create: boolean) => {
    let g = data.groups.find((x) => x.name === name);
    if (!g && create) {
      g = { id: `g${data.nextId++}`, name, members: [] };
      data.groups.push(g);
    }
    return g;
  };
  const tooMany = (n: number) => (n > TINY_MAX_BATCH ? err(400, 'too_many', `at most ${TINY_MAX_BATCH} per call`) : undefined);
  const invalid = (fields: Record<string, string | null>) =>
    typeof fields.name === 'string' && fields.name.length > MAX_NAME ? { error: { code: 'too_long', message: 'name is too long' } } : undefined;

  return new EmulatorServer({
    name: 'tiny',
    data: store,
    vendor: {
      rateLimited: (s) => ({ status: 429, headers: { 'retry-after': String(s) }, body: { error: { code: 'rate_limited' } } }),
      serverError: (status) => err(status, 'server_error'),
      authExpired: () => err(401, 'unauthorized'),
      notFound: () => err(404, 'no_route'),
    },
    authenticate: (req) => (req.headers.authorization === `Bearer ${TINY_TOKEN}` ? undefined : err(401, 'unauthorized')),
    admin: {
      // Deletes records by key, as a person in the tiny app would (the conformance suite's `remove`).
      'POST remove': (req) => {
        const keys = new Set(((req.body as { keys?: string[] }).keys ?? []).map((k) => k.toLowerCase()));
        const gone = new Set(data.records.filter((r) => keys.has(r.key)).map((r) => r.id));
        data.records = data.records.filter((r) => !gone.has(r.id));
        for (const g of data.groups) g.members = g.members.filter((m) => !gone.has(m));
        return { status: 200, body: { removed: [...gone] } };
      },
    },
    routes: [
      {
        method: 'GET',
        path: '/records',
        // Every record with one of the keys (compared case-insensitively; several records may
        // share a key), in pages of TINY_PAGE_SIZE: `next` is the cursor of the next page.
        handler: (req) => {
          const keys = new Set(req.query.getAll('key').map((k) => k.toLowerCase()));
          const from = Number(req.query.get('cursor') ?? 0);
          if (!Number.isInteger(from) || from < 0) return err(400, 'bad_cursor', 'cursor is not one this API gave');
          const all = data.records.filter((r) => keys.has(r.key));
          const page = all.slice(from, from + TINY_PAGE_SIZE);
          const next = from + TINY_PAGE_SIZE < all.length ? { next: String(from + TINY_PAGE_SIZE) } : {};
          return { status: 200, body: { records: page, ...next } };
        },
      },
      {
        method: 'POST',
        path: '/records',
        handler: (req) => {
          const input = (req.body as { records: { key: string; fields: Record<string, string | null> }[] }).records;
          const over = tooMany(input.length);
          if (over) return over;
          // A record named "poison" makes the API reject the whole request (400), as some APIs do.
          if (input.some((r) => r.fields.name === 'poison')) return err(400, 'bad_batch', 'the request was rejected as a whole');
          const results = input.map((r) => {
            const bad = invalid(r.fields);
            if (bad) return bad;
            if (uniqueKeys && data.records.some((x) => x.key === r.key.toLowerCase())) return { error: { code: 'duplicate', message: 'key exists' } };
            const id = `r${data.nextId++}`;
            const fields: Record<string, string> = {};
            for (const [k, v] of Object.entries(r.fields)) if (v !== null) fields[k] = v;
            data.records.push({ id, key: r.key.toLowerCase(), fields });
            return { id };
          });
          return { status: 200, body: { results } };
        },
      },
      {
        method: 'PATCH',
        path: '/records',
        handler: (req) => {
          const input = (req.body as { records: { id?: string; key?: string; fields: Record<string, string | null> }[] }).records;
          const over = tooMany(input.length);
          if (over) return over;
          const results = input.map((r) => {
            // Addressed by id, or by key when no id is given.
            const rec = r.id ? data.records.find((x) => x.id === r.id) : data.records.find((x) => x.key === r.key?.toLowerCase());
            if (!rec) return { error: { code: 'not_found', message: 'no such record' } };
            const bad = invalid(r.fields);
            if (bad) return bad;
            if (r.id && r.key) rec.key = r.key.toLowerCase();
            for (const [k, v] of Object.entries(r.fields)) {
              if (v === null) delete rec.fields[k];
              else rec.fields[k] = v;
            }
            return { id: rec.id };
          });
          return { status: 200, body: { results } };
        },
      },
      {
        method: 'DELETE',
        path: '/records',
        handler: (req) => {
          const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
          const over = tooMany(ids.length);
          if (over) return over;
          const results = ids.map((id) => {
            data.records = data.records.filter((x) => x.id !== id);
            for (const g of data.groups) g.members = g.members.filter((m) => m !== id);
            return { id };
          });
          return { status: 200, body: { results } };
        },
      },
      {
        method: 'POST',
        path: '/groups',
        handler: (req) => {
          const { names, create } = req.body as { names: string[]; create: boolean };
          return { status: 200, body: { groups: names.map((n) => groupNamed(n, create)).filter(Boolean) } };
        },
      },
      {
        method: 'POST',
        path: '/groups/:id/members',
        handler: (req) => {
          const g = data.groups.find((x) => x.id === req.params.id);
          if (!g) return err(404, 'no_group');
          const ids = (req.body as { ids: string[] }).ids;
          for (const id of ids) if (!g.members.includes(id)) g.members.push(id);
          return { status: 200, body: { results: ids.map((id) => ({ id })) } };
        },
      },
      {
        method: 'DELETE',
        path: '/groups/:id/members',
        handler: (req) => {
          const g = data.groups.find((x) => x.id === req.params.id);
          if (!g) return err(404, 'no_group');
          const ids = (req.query.get('ids') ?? '').split(',');
          g.members = g.members.filter((m) => !ids.includes(m));
          return { status: 200, body: { results: ids.map((id) => ({ id })) } };
        },
      },
    ],
  });
}
