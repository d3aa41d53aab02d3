import { describeConformance } from '../src/testing/index';
import { tinyHarness } from './tiny/tiny-harness';

describeConformance(tinyHarness);
