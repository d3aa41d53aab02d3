import type { EmulatorClient, RequestLogEntry } from '@syncmodes/connector-kit/emulator';

/** Reads the log again after a connection reset (a loaded machine; a full verify of stop 25 died on one): up to 5 tries. */
async function readLog(admin: EmulatorClient, since: number): Promise<RequestLogEntry[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.requests(since);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/**
 * A reader of the emulator's request log for loops that poll it every few ms (the crash
 * harness's kill point, the concurrent check's first write). Made when a run starts; each
 * call resolves to the entries logged since, in arrival order.
 *
 * It fetches only what is new (`?since=`), not the whole log at every poll: reading and
 * parsing the whole, growing log 200 times a second was most of the harness's own CPU time.
 * The emulator logs a request when it has answered it, so entries can arrive out of
 * sequence order: the reader asks for everything past the highest sequence number up to
 * which it has seen every entry, and keeps the entries it has not seen yet. An entry that
 * is never logged (a request still hanging) only makes later reads longer.
 */
export async function requestLogReader(admin: EmulatorClient): Promise<() => Promise<readonly RequestLogEntry[]>> {
  let watermark = (await readLog(admin, 0)).reduce((max, e) => Math.max(max, e.seq), 0);
  const seen = new Set<number>();
  const entries: RequestLogEntry[] = [];
  return async () => {
    for (const entry of await readLog(admin, watermark)) {
      if (seen.has(entry.seq)) continue;
      seen.add(entry.seq);
      entries.push(entry);
    }
    while (seen.has(watermark + 1)) seen.delete(++watermark);
    return entries;
  };
}
