import { packageConfig } from '../../tools/tsup/config-factory';

// `import.meta.url` in the CommonJS build too: the templates and package.json are found from it.
export default packageConfig({ index: 'src/index.ts' }, { shims: true });
