import path from 'node:path';
import type { ManifestVideo } from '../batch/manifest.js';
import { hashedVideos, type BatchPlan } from '../batch/plan.js';
import { LEDGER_FILE } from '../batch/render.js';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps, CachePort } from './ports.js';
import { errorMessage } from './results.js';

// The cache steps (and through them the core) load when a run first needs them.
const loadCacheSteps = () => import('./cache.js');
type CacheSteps = Awaited<ReturnType<typeof loadCacheSteps>>;

/** Quiet time after the last new submit before the ledger is put in the cache. */
const LEDGER_SAVE_DEBOUNCE_MS = 1500;

/**
 * The run's output folder kept in step with the Actions cache (cache.ts has the mechanics): before the
 * render, the ledger of submitted jobs and the unchanged videos are restored; during it, the ledger is
 * saved shortly after each burst of new submits and at once on cancellation; after it, the ledger and
 * then the new videos are saved. Without a cache (not on a GitHub runner) every step does nothing.
 * Nothing here fails the run: a cache problem is a warning, and the render goes on without it.
 */
export class CacheSync {
  private ledgerSave: Promise<boolean> | undefined;
  private ledgerTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly deps: ActionDeps,
    private readonly inputs: ActionInputs,
    private readonly outDir: string,
    private readonly cache:
      | { port: CachePort; steps: CacheSteps; ledger: InstanceType<CacheSteps['LedgerCache']> }
      | undefined,
  ) {}

  static async open(deps: ActionDeps, inputs: ActionInputs, outDir: string): Promise<CacheSync> {
    if (!deps.cache) return new CacheSync(deps, inputs, outDir, undefined);
    const { workspace, runId, runAttempt } = deps.context;
    const steps = await loadCacheSteps();
    const ledger = new steps.LedgerCache(deps.cache, path.join(outDir, LEDGER_FILE), {
      workspace,
      runId,
      runAttempt,
      now: () => deps.now(),
      ...(inputs.shard ? { shard: inputs.shard } : {}),
    });
    return new CacheSync(deps, inputs, outDir, { port: deps.cache, steps, ledger });
  }

  /**
   * Restore the ledger (jobs an earlier, cancelled or failed run already paid for) and, when unchanged
   * videos are skipped, the videos of the run's plan whose content hash has a cache entry.
   */
  async restore(plan: () => Promise<BatchPlan>): Promise<void> {
    const { deps, inputs, outDir, cache } = this;
    const log = deps.log;
    if (!cache) {
      if (inputs.skipUnchanged && !inputs.dryRun) {
        log.info(
          'The Actions cache is not available: unchanged videos are only skipped when their files are already in place.',
        );
      }
      return;
    }
    log.startGroup('Restoring from the Actions cache');
    try {
      const jobs = await cache.ledger.restore();
      if (jobs > 0) log.info(`Ledger: ${jobs} job(s) submitted by earlier runs restored; none is paid again.`);
      if (inputs.skipUnchanged && !inputs.dryRun) {
        const videos = hashedVideos(await plan());
        const restored = await cache.steps.restoreVideos(cache.port, videos, {
          outDir,
          workspace: deps.context.workspace,
          concurrency: inputs.concurrency,
          now: () => deps.now(),
        });
        log.info(`Restored ${restored.size} unchanged video(s) of ${videos.length}.`);
      }
    } catch (e) {
      log.warning(`Could not restore from the cache: ${errorMessage(e)}. Rendering without it.`);
    } finally {
      log.endGroup();
    }
  }

  /** Put the ledger in the cache now (once until the run's final save: a second call waits for the first). */
  saveLedger(): Promise<boolean> {
    this.ledgerSave ??= (this.cache?.ledger.save() ?? Promise.resolve(false)).catch((e: unknown) => {
      this.deps.log.warning(`Could not save the ledger to the cache: ${errorMessage(e)}`);
      return false;
    });
    return this.ledgerSave;
  }

  /**
   * A new submit, or an unanswered one: a runner that dies without a signal (a lost machine) must not
   * make the next run pay again either, so the ledger goes in the cache shortly after each burst.
   */
  saveLedgerSoon(): void {
    const ledger = this.cache?.ledger;
    if (!ledger || this.inputs.dryRun) return;
    clearTimeout(this.ledgerTimer);
    this.ledgerTimer = setTimeout(() => {
      void ledger.save().catch(() => false);
    }, LEDGER_SAVE_DEBOUNCE_MS);
  }

  /** The render is over: no more debounced saves. */
  stopSavingSoon(): void {
    clearTimeout(this.ledgerTimer);
  }

  /** After the render: the ledger first (it is what prevents paying twice), then the new videos. */
  async saveAfterRender(videos: readonly ManifestVideo[]): Promise<void> {
    const { deps, inputs, outDir, cache } = this;
    if (!cache || inputs.dryRun) return;
    if (this.ledgerSave) await this.ledgerSave;
    this.ledgerSave = undefined;
    await this.saveLedger();
    if (!inputs.skipUnchanged) return;
    const saved = await cache.steps
      .saveVideos(cache.port, videos, { outDir, workspace: deps.context.workspace, concurrency: inputs.concurrency })
      .catch((e: unknown) => {
        deps.log.warning(`Could not save videos to the cache: ${errorMessage(e)}`);
        return 0;
      });
    if (saved > 0) deps.log.info(`Saved ${saved} new video(s) to the Actions cache.`);
  }
}
