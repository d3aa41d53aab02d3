import { packageConfig } from '../../tools/tsup/config-factory';

// Node 22.12+ (pg-boss 12).
// pg-boss ships only ESM; Node 22.12+ require()s it, so it stays a real dependency (not bundled).
export default packageConfig({ index: 'src/index.ts' }, { target: 'node22', noExternal: [] });
