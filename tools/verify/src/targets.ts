import type { ConformanceHarness } from '@syncmodes/connector-kit/testing';
import type { z } from 'zod';
import { intercomHarness } from '../../../packages/intercom/test/intercom-harness';
import { onesignalHarness } from '../../../packages/onesignal/test/onesignal-harness';
import { salesforceHarness } from '../../../packages/salesforce/test/salesforce-harness';
import type { AudienceTarget } from './checks/audience-scenario';
import { facebookHarness } from '../../../packages/facebook/test/facebook-harness';
/**
 * A record destination under verification: its conformance harness (emulator, seeding,
 * reading its data, classifying its requests), shared with its conformance tests.
 */
export interface RecordTarget {
  readonly name: string;
  readonly harness: ConformanceHarness<z.ZodType>;
  /** False where a removed record keeps its key (Intercom archives): histories then never reuse it. */
  readonly reuseRemovedKeys?: boolean;
}

/** Every record destination. */
export const RECORD_TARGETS: readonly RecordTarget[] = [
  { name: 'salesforce', harness: salesforceHarness as unknown as ConformanceHarness<z.ZodType> },
  { name: 'intercom', harness: intercomHarness as unknown as ConformanceHarness<z.ZodType>, reuseRemovedKeys: false },
  { name: 'onesignal', harness: onesignalHarness as unknown as ConformanceHarness<z.ZodType> },
];


/** Every audience destination. */
export const AUDIENCE_TARGETS: readonly AudienceTarget[] = [
  { name: 'facebook', harness: facebookHarness as unknown as AudienceTarget['harness'] },
];
