// The entries the verify harness starts as processes of their own — the CLI (crashes,
// concurrent runs) and the worker (distributed) — bundled once for the run (see
// tools/test/prebuilt.ts): each of the hundreds of children then starts without
// transpiling the sources under tsx.
import { prebuildEntries } from '../../test/prebuilt';

export default async function prebuild(): Promise<() => void> {
  return prebuildEntries(['../src/cli-entry.ts', '../../../packages/worker/test/fixtures/worker-process.ts'].map((f) => new URL(f, import.meta.url).pathname));
}
