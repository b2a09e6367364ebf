/** Metric 5, parent side: the fake, then the n8n node with 1 item, N items at concurrency N, and N at 1. */
import { FakeHandle } from './fake.js';
import { runRole } from './proc.js';

export interface N8nMetric {
  items: number;
  jobMs: number;
  oneItemMs: number;
  concurrentMs: number;
  serialMs: number;
  /** N items at concurrency N ÷ 1 item. */
  concurrentRatio: number;
  /** N items at concurrency 1 ÷ 1 item (the baseline). */
  serialRatio: number;
}

export async function measureN8n(o: { items: number; jobMs: number }): Promise<N8nMetric> {
  // No team limit here: the figure is the node's own concurrency, not the team's ceiling.
  const fake = await FakeHandle.start({ jobDurationMs: o.jobMs, teamConcurrencyLimit: 0 });
  try {
    const run = async (items: number, concurrency: number) => {
      await fake.reset();
      const r = await runRole<{ wallMs: number }>(
        'n8n',
        { info: fake.info, items, concurrency },
        o.jobMs * items * 3 + 60_000,
      );
      return r.wallMs;
    };
    const oneItemMs = await run(1, o.items);
    const concurrentMs = await run(o.items, o.items);
    const serialMs = await run(o.items, 1);
    return {
      items: o.items,
      jobMs: o.jobMs,
      oneItemMs,
      concurrentMs,
      serialMs,
      concurrentRatio: concurrentMs / oneItemMs,
      serialRatio: serialMs / oneItemMs,
    };
  } finally {
    await fake.stop();
  }
}
