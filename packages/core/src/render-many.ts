import type { Emit } from './api.js';
import { toScenarioError, type ScenarioError } from './errors.js';
import type { RenderEvent } from './events.js';
import { AdaptiveLimiter } from './limiter.js';
import { renderVideo, type RenderContext, type RenderInput, type RenderOptions, type RenderResult } from './render.js';
import type { RetryPolicy } from './retry.js';

/** One item of a batch: a render plus its own ledger key and output name. */
export interface RenderItem extends RenderInput {
  key?: string;
  name?: string;
}

export interface RenderManyOptions extends Omit<RenderOptions, 'key' | 'name' | 'onRateLimited'> {
  /** Most renders in flight at once (default 4); lowered while the API reports the team's ceiling. */
  concurrency?: number;
  /** Every item's events, with the item's index. */
  onEvent?: (event: RenderEvent, index: number) => void;
  /** Told whenever the effective limit changes (for displays and tests). */
  onLimitChange?: (limit: number) => void;
}

export type RenderSettled =
  | { index: number; status: 'fulfilled'; value: RenderResult }
  | { index: number; status: 'rejected'; error: ScenarioError };

/**
 * Refused submits in a batch wait for the team's other jobs to finish: keep trying for longer than
 * a single render would (a 429 creates no job, so retrying costs nothing).
 */
export const BATCH_SUBMIT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 40,
  maxElapsedMs: 60 * 60_000,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  maxHintMs: 10 * 60_000,
};

/**
 * Render many videos with at most `concurrency` in flight. A 429 with `details.actionLimit` lowers
 * the limit at once (to that ceiling, and to the number of our own jobs still running when others
 * share the team); the refused item steps back until one of our renders ends (or at once when none
 * runs), waits the backoff, and re-submits. The limit climbs back one step per round of accepted
 * submits. One item's failure never stops the others. Results come in input order.
 */
export const renderMany = async (
  rc: RenderContext,
  items: RenderItem[],
  options: RenderManyOptions,
  emitFor: (index: number) => Emit,
): Promise<RenderSettled[]> => {
  const { concurrency = 4, onEvent: _onEvent, onLimitChange, ...shared } = options;
  const limiter = new AdaptiveLimiter(concurrency, onLimitChange);
  /** Our jobs submitted and not yet finished. */
  let jobsRunning = 0;
  /** Our jobs that have finished so far (the team has room again after each). */
  let jobsEnded = 0;

  const runOne = async (item: RenderItem, index: number): Promise<RenderSettled> => {
    const emit = emitFor(index);
    let holdsJob = false;
    const track: Emit = (event) => {
      if (event.type === 'submitted' && !holdsJob) {
        holdsJob = true;
        jobsRunning++;
        limiter.succeeded();
      }
      if ((event.type === 'downloading' || event.type === 'completed' || event.type === 'failed') && holdsJob) {
        holdsJob = false;
        jobsRunning--;
        jobsEnded++;
      }
      emit(event);
    };
    let holdsSlot = false;
    try {
      await limiter.acquire(shared.signal);
      holdsSlot = true;
    } catch (e) {
      const error = toScenarioError(e, shared.signal ? { signal: shared.signal } : {});
      emit({ type: 'failed', error });
      return { index, status: 'rejected', error };
    }
    try {
      const { key, name, ...input } = item;
      const value = await renderVideo(
        rc,
        input,
        {
          submitPolicy: BATCH_SUBMIT_RETRY_POLICY,
          ...shared,
          ...(key !== undefined ? { key } : {}),
          ...(name !== undefined ? { name } : {}),
          onRateLimited: async (info) => {
            // A cooldown 429 (no actionLimit) is just waited out by the submit's backoff.
            if (info.actionLimit === undefined) return;
            // The team is at its ceiling: run no more than our jobs now running (and never more
            // than the ceiling), step back, and come back first in line when a render of ours ends.
            limiter.lower(Math.min(info.actionLimit, Math.max(1, jobsRunning)));
            const endedBefore = jobsEnded;
            limiter.release();
            holdsSlot = false;
            await limiter.acquire(shared.signal, { front: true });
            holdsSlot = true;
            // One of ours ended while this render stood back: its place on the team is free now,
            // so submit at once instead of leaving it idle for the backoff.
            return jobsEnded > endedBefore ? { retryNow: true } : undefined;
          },
        },
        track,
      );
      return { index, status: 'fulfilled', value };
    } catch (e) {
      // renderVideo already emitted `failed` with this error.
      return { index, status: 'rejected', error: toScenarioError(e) };
    } finally {
      if (holdsJob) jobsRunning--;
      if (holdsSlot) limiter.release();
    }
  };

  return Promise.all(items.map((item, index) => runOne(item, index)));
};
