import { packageConfig } from '../../tools/tsup/config-factory';

export default packageConfig({ index: 'src/index.ts', testing: 'src/testing/index.ts' });
