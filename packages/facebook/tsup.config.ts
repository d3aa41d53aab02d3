import { packageConfig } from '../../tools/tsup/config-factory';

export default packageConfig({
  index: 'src/index.ts',
  emulator: 'src/emulator/index.ts',
});
