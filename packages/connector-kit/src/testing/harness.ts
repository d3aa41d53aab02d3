import type { z } from 'zod';
import type { DestinationDefinition } from '../destination/define-destination';
import type { EmulatorClient } from '../emulator/emulator-client';
import type { RequestLogEntry } from '../emulator/types';
import type { RecordSnapshot } from '../records/types';

/** A source record the suite syncs. */
export interface ConformanceRecord {
  readonly id: string;
  readonly snapshot: RecordSnapshot;
}

/** A destination record as the suite compares it. Values are strings; empty is `null`. */
export interface DestinationView {
  /**
   * The destination's id of the record, as the verbs return it (optional): when given, the
   * suite checks that the id a run reports for each record is the one holding its key.
   */
  readonly id?: string | undefined;
  /** The normalised match key. */
  readonly key: string;
  readonly properties: Readonly<Record<string, string | null>>;
  /** Names of the groups the record is in (all groups, managed or not). */
  readonly groups: readonly string[];
}

/** What a logged request did, as far as the suite cares. */
export type RequestClass = 'read' | 'create' | 'update' | 'delete' | 'group' | 'other';

/** A running emulator for one test, with the config that points the destination at it. */
export interface ConformanceTarget<Schema extends z.ZodType> {
  readonly config: z.input<Schema>;
  readonly admin: EmulatorClient;
  /** Puts records in the destination as if people or other tools had created them (with their groups). */
  seed(records: readonly ConformanceRecord[]): Promise<void>;
  /** Every record the destination holds now (read from the emulator's data). */
  read(): Promise<DestinationView[]>;
  stop(): Promise<void>;
}

/**
 * What a destination package provides to run the conformance suite against its emulator.
 * Properties in records are the destination's field names.
 */
export interface ConformanceHarness<Schema extends z.ZodType> {
  readonly destination: DestinationDefinition<Schema, unknown>;
  /** Starts a fresh emulator. */
  start(): Promise<ConformanceTarget<Schema>>;
  /** A valid record number `i` (distinct match key per `i`), optionally in groups. */
  record(i: number, groups?: readonly string[]): ConformanceRecord;
  /** Record `i` with some properties replaced (`null` clears). */
  withProperties(record: ConformanceRecord, properties: Readonly<Record<string, string | null>>): ConformanceRecord;
  /** Record `i` whose write the destination rejects (on create and on update) while others in the batch succeed. */
  invalidRecord(i: number): ConformanceRecord;
  /**
   * Whether an update can change a record's match key (default true). False where the
   * match key is the record's identity, which the destination lets no update change (a
   * OneSignal user's `external_id` alias is assigned by the app's SDK): the key-change
   * test does not apply and is not registered; the destination package tests what it does
   * with a changed key instead.
   */
  readonly matchKeyChangeable?: boolean | undefined;
  /** The property holding the match key (changed by the key-change test). */
  readonly keyProperty: string;
  /** A new match-key value for record `i` (same format as `record(i)`'s). */
  changedKey(i: number): string;
  /**
   * Record `i`'s match-key value written differently but equal as the API compares keys
   * (e.g. upper case, for an email the API compares case-insensitively). Optional: when
   * given, the suite proves such a record updates the existing one instead of creating a
   * second.
   */
  keyVariant?(i: number): string;
  /**
   * Whether the destination can hold several records with one match key (default true: the
   * real services let people make duplicates by hand). False where the API keeps the key
   * unique (OneSignal's `external_id` alias): the ambiguity test does not apply.
   */
  readonly duplicateKeys?: boolean | undefined;
  /** A property that may be emptied (the clearing test). */
  readonly clearableProperty: string;
  /**
   * Deletes the destination records holding these records' match keys, as a person in the
   * vendor's UI would (optional; through an admin endpoint of the emulator or the vendor's
   * own API). When given, the suite calls it between a run's lookup and its writes, to prove
   * that a record gone at write time is never reported `updated`.
   */
  remove?(target: ConformanceTarget<Schema>, records: readonly ConformanceRecord[]): Promise<void>;
  /** Whether the destination manages groups (campaigns, tags). */
  readonly groups: boolean;
  /**
   * Whether, with this harness's config, `create` upserts by match key
   * (`DestinationDefinition.createUpserts`) so the kit sends records without state without a
   * lookup. Default false. When true, a create whose answer was lost is resent as it is and
   * answered as an existing record (who created it cannot be told): the fault check then
   * counts created and updated together.
   */
  readonly createUpserts?: boolean | undefined;
  /** Classifies a logged request. */
  classify(entry: RequestLogEntry): RequestClass;
  /** Records carried by a logged write request. */
  recordsIn(entry: RequestLogEntry): number;
  /** Most records one create / update call may carry (the API's limit). */
  readonly writeBatchLimit: number;
  /** Method and path (regular expression) of the create or update call, for the fault test. */
  writeRequest(kind: 'create' | 'update'): { readonly method: string; readonly path: string };
}
