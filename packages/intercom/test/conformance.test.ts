import { describeConformance } from '@syncmodes/connector-kit/testing';
import { intercomHarness } from './intercom-harness';

describeConformance(intercomHarness);
