import { packageConfig } from '../../tools/tsup/config-factory';

// early-interrupts: what bin/syncmodes.js loads first, before the CLI (see catchEarlyInterrupts).
export default packageConfig({ index: 'src/index.ts', 'early-interrupts': 'src/early-interrupts.ts' });
