import { packageConfig } from '../../tools/tsup/config-factory';

export default packageConfig(
  {
    index: 'src/index.ts',
    emulator: 'src/emulator/index.ts',
    testing: 'src/testing/index.ts',
    // The CSV worker thread, loaded by its path beside index.js (see src/sources/csv-thread.ts).
    'csv-worker': 'src/sources/csv-worker.ts',
  },
  // `import.meta.url` in the CommonJS build: SQLite state and the emulator load optional peer dependencies with `createRequire`.
  { shims: true },
);
