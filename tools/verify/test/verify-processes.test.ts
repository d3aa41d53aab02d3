import { isProcessSection, sectionTests } from './section-tests';

// CI's short version of `npm run verify`, the sections that start processes (SIGKILL crashes
// of the CLI; worker processes on Postgres): run beside `verify.test.ts`, which runs the rest.
sectionTests(isProcessSection);
