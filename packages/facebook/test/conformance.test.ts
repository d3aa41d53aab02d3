import { describeAudienceConformance } from '@syncmodes/connector-kit/testing';
import { facebookHarness } from './facebook-harness';

describeAudienceConformance(facebookHarness);
