// The entries the CLI tests start as processes of their own, bundled once for the run (see
// tools/test/prebuilt.ts): a child then starts in well under a second instead of
// transpiling the sources under tsx. By path, like the Postgres setup.
import { prebuildEntries } from '../../../tools/test/prebuilt';

export default async function prebuild(): Promise<() => void> {
  return prebuildEntries(['./fixtures/bin-from-source.ts', './fixtures/syncmodes-from-source.ts'].map((f) => new URL(f, import.meta.url).pathname));
}
