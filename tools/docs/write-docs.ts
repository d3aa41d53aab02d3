// `npm run docs`: regenerates each destination README's mode and options tables, each
// destination's config.schema.json and the CLI's sync-job.schema.json from the zod schemas.
// `npm run docs -- --check` only reports drift (exit 1), as the docs test does.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { driftedFiles } from './generated-files';
import { WORKSPACE_ROOT } from './workspace';

const check = process.argv.includes('--check');
const drifted = await driftedFiles();
for (const file of drifted) {
  console.log(`${check ? 'out of date' : 'wrote'}: ${relative(WORKSPACE_ROOT, file.path)}`);
  if (!check) writeFileSync(file.path, file.content);
}
if (drifted.length === 0) console.log('generated docs and schemas are up to date');
if (check && drifted.length > 0) {
  console.log('run `npm run docs` and commit the result');
  process.exitCode = 1;
}
