// The worker process the tests start (several per test), bundled once for the run (see
// tools/test/prebuilt.ts): each then starts without transpiling the sources under tsx.
import { prebuildEntries } from '../../../tools/test/prebuilt';

export default async function prebuild(): Promise<() => void> {
  return prebuildEntries([new URL('./fixtures/worker-process.ts', import.meta.url).pathname]);
}
