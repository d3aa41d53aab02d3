import type { RecordSource, SourceItem } from '../records/types';
import type { ConformanceRecord } from './harness';

/** A {@link RecordSource} over records held in memory. */
export function memorySource(records: readonly ConformanceRecord[], name = 'memory'): RecordSource {
  return {
    name,
    async *open(): AsyncGenerator<SourceItem> {
      let row = 0;
      for (const r of records) yield { kind: 'record', id: r.id, row: ++row, snapshot: r.snapshot };
    },
  };
}
