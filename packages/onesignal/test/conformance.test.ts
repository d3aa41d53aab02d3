import { describeConformance } from '@syncmodes/connector-kit/testing';
import { onesignalHarness } from './onesignal-harness';

describeConformance(onesignalHarness);
