import { packageConfig } from '../../tools/tsup/config-factory';

export default packageConfig(
  {
    index: 'src/index.ts',
    emulator: 'src/emulator/index.ts',
    testing: 'src/testing/index.ts',
  },
  // `import.meta.url` in the CommonJS build (the SQLite store loads better-sqlite3 on first use).
  { shims: true },
);
