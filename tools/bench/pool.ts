/**
 * Runs `task` for every item with at most `concurrency` in flight (the naive baseline's
 * request loop). Resolves when all are done; a task's rejection is counted, not thrown.
 */
export async function runPool<T>(items: Iterable<T>, concurrency: number, task: (item: T) => Promise<void>): Promise<{ failed: number }> {
  const iterator = items[Symbol.iterator]();
  let failed = 0;
  const lane = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      try {
        await task(next.value);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { failed };
}

/** 0, 1, …, n - 1 without an array. */
export function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}
