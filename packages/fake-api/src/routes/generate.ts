/**
 * `POST /v1/generate/custom/{modelId}`: validate, quote (`?dryRun=true` → 269, no job), enforce the
 * per-team concurrency ceiling, create the job (or hold its answer on the fake's clock, with the job
 * made before or after the answer, per `submitAnswers`). Also where the money-related hazards are watched:
 * `dryRun` in the body (the real API ignores it there and runs a paid job) and a resubmit of an
 * input whose earlier submit met an ambiguous failure.
 */
import type { ApiCtx } from '../app.js';
import { CONCURRENCY_ACTION, isObject } from '../app.js';
import { contentKeyOf } from '../content.js';
import { errorReply, type Reply } from '../http.js';
import { MODELS } from '../models.js';
import type { FakeSubmission } from '../options.js';
import type { JobRecord } from '../state.js';
import { scheduledEnd } from '../timeline.js';
import { jobJson, unfinishedJobs } from './jobs.js';

export function isDryRunQuery(url: URL): boolean {
  return (url.searchParams.get('dryRun') ?? '').toLowerCase() === 'true';
}

/**
 * Runs once the body is read, before any fault answers: records the submission, counts hazards,
 * and watches how the exchange ends. A submit whose answer never fully left (connection destroyed,
 * client gone during a slow answer) or arrived unusable is ambiguous from the client's side.
 */
export function onSubmitBody(ctx: ApiCtx): void {
  const { app, res } = ctx;
  const dryRun = ctx.route === 'dryRun';
  const input = isObject(ctx.json) ? ctx.json : {};
  const modelId = ctx.params.modelId ?? '';
  const contentKey = contentKeyOf(app, ctx.teamId, modelId, input);
  const sub: FakeSubmission = { at: ctx.now, teamId: ctx.teamId, modelId, input, dryRun, status: 0, contentKey };
  app.store.submissions.push(sub);
  ctx.submission = sub;
  const parsed = isObject(ctx.json);
  if (parsed && 'dryRun' in input) app.store.hazards.dryRunInBody++;
  if (parsed && !dryRun && app.store.ambiguous.some((a) => a.teamId === ctx.teamId && a.contentKey === contentKey)) {
    app.store.hazards.duplicateSubmitAfterAmbiguous++;
  }
  const store = app.store;
  res.on('close', () => {
    sub.status = res.writableFinished ? res.statusCode : 0;
    sub.answeredAt = app.clock.now();
    if (parsed && !dryRun && (!res.writableFinished || ctx.ambiguousAnswer)) {
      store.ambiguous.push({ teamId: ctx.teamId, contentKey });
    }
  });
}

export async function generate(ctx: ApiCtx): Promise<Reply> {
  const { app, json, traceId, now } = ctx;
  const modelId = ctx.params.modelId ?? '';
  const model = MODELS.get(modelId);
  if (!model) return errorReply(404, `Model not found: ${modelId}`, traceId);
  if (!isObject(json)) return errorReply(400, "Request body must be a JSON object of the model's inputs", traceId);
  const reason = model.validate(json, {
    isImageAsset: (id) => app.store.teamAsset(ctx.teamId, id, now)?.kind === 'image',
  });
  if (reason) return errorReply(400, reason, traceId);
  const cost = model.cost(json);
  if (ctx.route === 'dryRun') {
    // 269: the documented dry-run status; `fetch` still reports ok.
    return { status: 269, body: { creativeUnitsCost: cost, creativeUnitsDiscount: 0 } };
  }
  const limit = app.opts.teamConcurrencyLimit;
  if (limit > 0 && unfinishedJobs(app, ctx.teamId, now) >= limit) {
    return errorReply(429, `Too many jobs in progress: your team can run ${limit} at a time`, traceId, {
      details: { actionName: CONCURRENCY_ACTION, actionLimit: limit },
    });
  }
  const answer = app.chooseAnswer(json.prompt);
  if (answer === undefined) return created(ctx, json, now);
  const answerAt = now + answer.delayMs;
  if (answer.jobCreated === 'after-answer') {
    // Nothing exists until the delay ends; then the job is made whether or not the client waited.
    await app.waitUntil(answerAt, ctx);
    return created(ctx, json, app.clock.now());
  }
  const reply = created(ctx, json, now);
  await app.waitUntil(answerAt, ctx);
  const job = ctx.submission?.jobId !== undefined ? app.store.jobs.get(ctx.submission.jobId) : undefined;
  // The answer shows the job as it is when the answer leaves.
  return job ? { ...reply, body: { ...(reply.body as object), job: jobJson(app, job, app.clock.now()) } } : reply;
}

/** Make the job (it is billed from here) and the answer that names it. */
function created(ctx: ApiCtx, json: Record<string, unknown>, now: number): Reply {
  const { app } = ctx;
  const modelId = ctx.params.modelId ?? '';
  const cost = MODELS.get(modelId)?.cost(json) ?? 0;
  const chosen = app.chooseOutcome(json.prompt);
  const job: JobRecord = {
    seq: ++app.store.seq,
    jobId: app.ids.make('job'),
    teamId: ctx.teamId,
    authorId: ctx.authorId,
    modelId,
    input: json,
    createdAt: now,
    durationMs: chosen.durationMs,
    outcome: chosen.outcome,
    ...(chosen.error !== undefined ? { error: chosen.error } : {}),
    ...(chosen.hint !== undefined ? { hint: chosen.hint } : {}),
    disableRefund: chosen.disableRefund,
    cost,
    outputAssetId: app.ids.make('asset'),
    videoBytes: app.opts.videoBytes,
  };
  app.store.jobs.set(job.jobId, job);
  app.store.jobIds.push(job.jobId);
  if (ctx.submission) {
    ctx.submission.jobId = job.jobId;
    ctx.submission.durationMs = job.durationMs;
    const paidKey = `${ctx.teamId} ${ctx.submission.contentKey}`;
    if (app.store.paidContent.has(paidKey)) app.store.paidAgainByContent++;
    app.store.paidContent.add(paidKey);
  }
  // The output exists from the moment the job succeeds; a job that never succeeds never shows it.
  const end = scheduledEnd(job);
  app.store.assets.set(job.outputAssetId, {
    id: job.outputAssetId,
    teamId: job.teamId,
    authorId: job.authorId,
    kind: 'video',
    mimeType: 'video/mp4',
    source: 'generated',
    availableAt: end?.status === 'success' ? end.at : Number.POSITIVE_INFINITY,
    jobId: job.jobId,
  });
  return {
    status: 200,
    body: { job: jobJson(app, job, now), creativeUnitsCost: cost, creativeUnitsDiscount: 0 },
  };
}
