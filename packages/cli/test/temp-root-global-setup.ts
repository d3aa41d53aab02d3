// One folder for every temporary folder of a CLI test run (`tempDir` in cli-helpers.ts),
// removed when the run ends. Before it, each run left about a hundred folders of state files,
// reports and sources in the system's temporary folder (18,420 of them, 6 GB, on one machine).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What vitest hands a `globalSetup` function (the part used here). */
interface ProvidingProject {
  provide(key: 'cliTempRoot', value: string): void;
}

export default function tempRoot(project: ProvidingProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'syncmodes-cli-run-'));
  // Traversable, as the system's temporary folder is, by the unprivileged user some tests run the bin as (state.test.ts);
  // each folder in it is still its creator's alone (mkdtemp: 0700) until a test opens it.
  chmodSync(root, 0o755);
  project.provide('cliTempRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
