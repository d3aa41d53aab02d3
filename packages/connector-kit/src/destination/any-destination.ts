import type { AnyAudienceDestination } from './define-audience-destination';
import type { AnyRecordDestination } from './define-destination';

/** Any destination: a record destination or an audience destination. */
export type AnyDestination = AnyRecordDestination | AnyAudienceDestination;
