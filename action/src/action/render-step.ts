import type { BatchEvent } from '../batch/events.js';
import type { BatchPlan } from '../batch/plan.js';
import { renderBatch, type BatchResult } from '../batch/render.js';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps } from './ports.js';
import { StepLog } from './step-log.js';

/** How often the step log looks for jobs that have said nothing for minutes. */
const HEARTBEAT_MS = 30_000;

export interface RenderStepResult extends BatchResult {
  /** How long each video took from its first upload or submit to its end (a dry run has none). */
  durations: Map<string, number>;
  /** Patterns that matched no prompt file. */
  unmatched: string[];
}

/**
 * Render the run's plan with the batch renderer, with the step log (and its heartbeat) showing
 * progress. `onSubmitted` is told of each new submit or unanswered one (each changes the ledger).
 * Throws what renderBatch throws, with the step log ended.
 */
export async function renderStep(
  deps: ActionDeps,
  inputs: ActionInputs,
  options: { outDir: string; plan: () => Promise<BatchPlan>; signal: AbortSignal; onSubmitted: () => void },
): Promise<RenderStepResult> {
  const durations = new Map<string, number>();
  const started = new Map<string, number>();
  let unmatched: string[] = [];
  const stepLog = new StepLog(deps.log, inputs.dryRun);
  // A long render is polled rarely once its end can be told: a sign of life in between (see StepLog.tick).
  const heartbeat = setInterval(() => stepLog.tick(deps.now()), HEARTBEAT_MS);
  heartbeat.unref();
  const onEvent = (event: BatchEvent) => {
    if (event.type === 'discovered') unmatched = event.unmatched;
    stepLog.event(event);
    if (event.type !== 'video') return;
    const { name, phase, at } = event;
    if (['uploading', 'submitted', 'waiting', 'downloading'].includes(phase) && !started.has(name))
      started.set(name, at);
    // A dry run quotes in a moment: its table shows no duration.
    if (['rendered', 'failed', 'interrupted'].includes(phase) && started.has(name)) {
      durations.set(name, at - started.get(name)!);
    }
    // A new submit, or an unanswered one (recorded in the ledger): keep the record if the runner dies.
    if ((phase === 'submitted' && !event.resumed) || phase === 'failed') options.onSubmitted();
  };

  try {
    const result = await renderBatch({
      root: deps.context.workspace,
      patterns: inputs.patterns,
      outDir: options.outDir,
      plan: await options.plan(),
      client: () => deps.createClient({ apiKey: inputs.apiKey, apiSecret: inputs.apiSecret, baseUrl: inputs.baseUrl }),
      concurrency: inputs.concurrency,
      dryRun: inputs.dryRun,
      force: !inputs.skipUnchanged,
      ...(inputs.shard ? { shard: inputs.shard } : {}),
      timeoutMs: Math.round(inputs.timeoutMinutes * 60_000),
      signal: options.signal,
      onEvent,
    });
    return { ...result, durations, unmatched };
  } finally {
    clearInterval(heartbeat);
    stepLog.end();
  }
}
