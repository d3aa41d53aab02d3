import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian (and Ubuntu) install the server binaries: `/usr/lib/postgresql/<major>/bin`. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * The folder holding `initdb`, `pg_ctl` and `postgres`: `SYNCMODES_PG_BIN` when set, else the
 * newest `/usr/lib/postgresql/<major>/bin` (Debian's `postgresql-<major>` package), else the
 * folder of an `initdb` on the PATH.
 *
 * @throws Error saying what to install when no Postgres server binaries are found.
 */
export function findPostgresBinaries(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env.SYNCMODES_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) throw new Error(`SYNCMODES_PG_BIN=${fromEnv} has no initdb: point it at a Postgres server's bin folder.`);
    return fromEnv;
  }
  if (existsSync(DEBIAN_ROOT)) {
    const majors = readdirSync(DEBIAN_ROOT)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(DEBIAN_ROOT, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return join(DEBIAN_ROOT, majors[0], 'bin');
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    if (initdb) return initdb.slice(0, initdb.lastIndexOf('/'));
  } catch {
    // not on the PATH either
  }
  throw new Error(
    'No Postgres server binaries (initdb, pg_ctl) found: the tests start a throwaway Postgres. Install them (Debian: apt-get install postgresql-15) or set SYNCMODES_PG_BIN to their folder.',
  );
}
