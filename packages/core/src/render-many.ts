import type { Emit } from './api.js';
import type { ScenarioError } from './errors.js';
import type { RenderEvent } from './events.js';
import { renderVideo, type RenderContext, type RenderInput, type RenderOptions, type RenderResult } from './render.js';
import { runPool } from './pool.js';
import { GenerationScheduler } from './scheduler.js';

/** One item of a batch: a render plus its own ledger key and output name. */
export interface RenderItem extends RenderInput {
  key?: string;
  name?: string;
}

export interface RenderManyOptions extends Omit<RenderOptions, 'key' | 'name'> {
  /** Most renders in flight at once (default 4); the team's limit, once the API names it, caps it further. */
  concurrency?: number;
  /** Every item's events, with the item's index. */
  onEvent?: (event: RenderEvent, index: number) => void;
  /** Told whenever the scheduler's limit changes (for displays and tests); ignored with a shared scheduler. */
  onLimitChange?: (limit: number) => void;
}

export type RenderSettled =
  | { index: number; status: 'fulfilled'; value: RenderResult }
  | { index: number; status: 'rejected'; error: ScenarioError };

/**
 * Render many videos, at most `concurrency` in flight, their submits going through the team's
 * generation slots (`options.scheduler`, shared with other callers, or one of this call's own): a
 * refused submit waits for one of our jobs to end instead of hammering, and the team's limit caps the
 * rest of the batch. One item's failure never stops the others. Results come in input order.
 */
export const renderMany = async (
  rc: RenderContext,
  items: RenderItem[],
  options: RenderManyOptions,
  emitFor: (index: number) => Emit,
): Promise<RenderSettled[]> => {
  const { concurrency = 4, onEvent: _onEvent, onLimitChange, scheduler: shared, ...rest } = options;
  const scheduler = shared ?? new GenerationScheduler(onLimitChange);
  const settled: RenderSettled[] = [];
  // No signal for the pool: once the run is stopped, every item still starts and settles as `aborted`.
  await runPool(items, concurrency, async ({ key, name, ...input }, index) => {
    try {
      const value = await renderVideo(
        rc,
        input,
        {
          ...rest,
          scheduler,
          ...(key !== undefined ? { key } : {}),
          ...(name !== undefined ? { name } : {}),
        },
        emitFor(index),
      );
      settled[index] = { index, status: 'fulfilled', value };
    } catch (e) {
      // renderVideo already emitted `failed` with this error (a ScenarioError).
      settled[index] = { index, status: 'rejected', error: e as ScenarioError };
    }
  });
  return settled;
};
