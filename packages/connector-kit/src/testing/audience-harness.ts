import type { z } from 'zod';
import type { AudienceDestinationDefinition } from '../destination/define-audience-destination';
import type { EmulatorClient } from '../emulator/emulator-client';
import type { RequestLogEntry } from '../emulator/types';
import type { ConformanceRecord } from './harness';

/** A running audience emulator for one test, with the config pointing the destination at it. */
export interface AudienceConformanceTarget<Schema extends z.ZodType> {
  readonly config: z.input<Schema>;
  readonly admin: EmulatorClient;
  /** Creates audiences with members, as people or other tools would (member keys as {@link AudienceConformanceHarness.memberKey} gives them). */
  seed(audiences: Readonly<Record<string, readonly string[]>>): Promise<void>;
  /** Every audience's members (member keys), read from the emulator's data. */
  read(): Promise<Map<string, Set<string>>>;
  stop(): Promise<void>;
}

/** What an audience destination provides to run {@link describeAudienceConformance}. */
export interface AudienceConformanceHarness<Schema extends z.ZodType> {
  readonly destination: AudienceDestinationDefinition<Schema, unknown>;
  start(): Promise<AudienceConformanceTarget<Schema>>;
  /** Record `i` (distinct identity per `i`) in the given audiences. */
  record(i: number, audiences: readonly string[]): ConformanceRecord;
  /** The same record (same id and audiences) with the identity of record `j`. */
  withIdentityOf(record: ConformanceRecord, j: number): ConformanceRecord;
  /** Record `i` with no usable identifier, in the given audiences. */
  invalidRecord(i: number, audiences: readonly string[]): ConformanceRecord;
  /** How the emulator stores record `i`'s identity as a member. */
  memberKey(i: number): string;
  classify(entry: RequestLogEntry): 'add' | 'remove' | 'read' | 'other';
  /** People carried by a logged add or remove request. */
  recordsIn(entry: RequestLogEntry): number;
  /** Method and path (regular expression) of the add call, for the fault test. */
  readonly addRequest: { readonly method: string; readonly path: string };
}
