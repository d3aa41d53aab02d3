import { packageConfig } from '../../tools/tsup/config-factory';

export default packageConfig(
  {
    index: 'src/index.ts',
    emulator: 'src/emulator/index.ts',
    testing: 'src/testing/index.ts',
  },
  // `import.meta.url` in the CommonJS build (the emulator loads its optional peer dependency with `createRequire`).
  { shims: true },
);
