/**
 * Run `work` over `items` with at most `limit` at once, in input order of starting; resolves when every
 * started item has settled. Once `signal` aborts, no new item starts (the ones running see the signal
 * through their own calls). The one pool every face uses for "videos in flight": the batch renderer,
 * its dry run, the Action's cache steps and n8n's items. `work` should not throw: a rejection is
 * passed through after every started item has settled.
 */
export const runPool = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> => {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('concurrency must be an integer >= 1');
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && signal?.aborted !== true) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
};
