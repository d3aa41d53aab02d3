import type { BenchEntry } from '../types';
import { facebookBench } from './facebook';
import { intercomBench } from './intercom';
import { onesignalBench } from './onesignal';
import { salesforceBench } from './salesforce';
import { salesforceExtIdBench } from './salesforce-extid';

/**
 * The destinations the benchmark runs, in order. A new destination is one {@link BenchEntry}
 * (emulator, config, records, call classes, minimum, naive baseline) added here.
 */
export const BENCH_DESTINATIONS: readonly BenchEntry[] = [salesforceBench, intercomBench, onesignalBench, facebookBench, salesforceExtIdBench];

/** The entry with this id. @throws Error for an unknown id. */
export function benchEntry(id: string): BenchEntry {
  const entry = BENCH_DESTINATIONS.find((d) => d.id === id);
  if (!entry) throw new Error(`unknown destination "${id}" (known: ${BENCH_DESTINATIONS.map((d) => d.id).join(', ')})`);
  return entry;
}
