import { describeConformance } from '@syncmodes/connector-kit/testing';
import { salesforceHarness } from './salesforce-harness';

describeConformance(salesforceHarness);
