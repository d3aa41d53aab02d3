import { packageConfig } from '../../tools/tsup/config-factory';

// Node 22.12+ (pg-boss 12).
export default packageConfig({ index: 'src/index.ts' }, { target: 'node22' });
