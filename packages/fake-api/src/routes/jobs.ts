/** `GET /v1/jobs/{id}`, `GET /v1/jobs` and `POST /v1/jobs/{id}/action`. */
import type { ApiCtx, App } from '../app.js';
import { isObject } from '../app.js';
import { errorReply, type Reply } from '../http.js';
import type { JobRecord } from '../state.js';
import { JOB_STATUSES, TERMINAL, viewJob } from '../timeline.js';
import { uploadJobJson } from './uploads.js';

/** Every job the fake makes comes from `/generate/custom`, which real captures show as `custom`. */
export const JOB_TYPE = 'custom';

export const DEFAULT_FAILURE_ERROR = 'The generation failed: the model could not process the input.';
export const DEFAULT_FAILURE_HINT =
  'Check that the first frame is a clear image (ideally 16:9 or 9:16) and try a simpler prompt.';

export function jobJson(app: App, job: JobRecord, now: number, statusOverride?: string): Record<string, unknown> {
  const v = viewJob(job, now);
  const failed = v.status === 'failure';
  return {
    jobId: job.jobId,
    jobType: JOB_TYPE,
    status: statusOverride ?? v.status,
    progress: v.progress,
    statusHistory: v.statusHistory,
    createdAt: new Date(job.createdAt).toISOString(),
    updatedAt: new Date(v.updatedAt).toISOString(),
    authorId: job.authorId,
    ownerId: job.teamId,
    metadata: {
      input: job.input,
      modelId: job.modelId,
      assetIds: v.status === 'success' ? [job.outputAssetId] : [],
      error: failed ? (job.error ?? DEFAULT_FAILURE_ERROR) : null,
      hint: failed ? (job.hint ?? DEFAULT_FAILURE_HINT) : null,
    },
    billing: { cuCost: job.cost, cuDiscount: 0, disableRefund: job.disableRefund },
  };
}

/** Count of the team's jobs not yet terminal (the per-team concurrency ceiling counts these). */
export function unfinishedJobs(app: App, teamId: string, now: number): number {
  let n = 0;
  for (const job of app.store.jobs.values()) {
    if (job.teamId === teamId && !TERMINAL.has(viewJob(job, now).status)) n++;
  }
  return n;
}

function overrideStatus(ctx: ApiCtx, jobId: string): string | undefined {
  const f = ctx.fault;
  if (f?.kind !== 'unknown-status' || (f.id !== undefined && f.id !== jobId)) return undefined;
  return f.statusName ?? 'throttled';
}

/** A job of the team as the API shows it, whichever kind it is (generation or upload). */
interface Listed {
  seq: number;
  jobId: string;
  jobType: string;
  authorId: string;
  json: () => Record<string, unknown>;
}

function teamJobs(ctx: ApiCtx): Listed[] {
  const { app, now } = ctx;
  const out: Listed[] = [];
  for (const j of app.store.jobs.values()) {
    if (j.teamId !== ctx.teamId) continue;
    out.push({ seq: j.seq, jobId: j.jobId, jobType: JOB_TYPE, authorId: j.authorId, json: () => jobJson(app, j, now) });
  }
  for (const u of app.store.uploadJobs.values()) {
    if (u.teamId !== ctx.teamId) continue;
    out.push({
      seq: u.seq,
      jobId: u.jobId,
      jobType: 'upload',
      authorId: u.authorId,
      json: () => uploadJobJson(u, now),
    });
  }
  return out;
}

function withStatus(json: Record<string, unknown>, status: string | undefined): Record<string, unknown> {
  return status === undefined ? json : { ...json, status };
}

export function getJob(ctx: ApiCtx): Reply {
  const id = ctx.params.id ?? '';
  const job = ctx.app.store.teamJob(ctx.teamId, id);
  const upload = ctx.app.store.uploadJobs.get(id);
  let json: Record<string, unknown>;
  if (job) json = jobJson(ctx.app, job, ctx.now);
  else if (upload && upload.teamId === ctx.teamId) json = uploadJobJson(upload, ctx.now);
  else return errorReply(404, 'Job not found', ctx.traceId);
  return { status: 200, body: { job: withStatus(json, overrideStatus(ctx, id)) } };
}

function encodeToken(seq: number): string {
  return Buffer.from(JSON.stringify({ seq })).toString('base64url');
}

function decodeToken(token: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return Number.isInteger(v?.seq) ? v.seq : undefined;
  } catch {
    return undefined;
  }
}

/** Newest first; the token names the last job returned, so new jobs never shift later pages. */
export function listJobs(ctx: ApiCtx): Reply {
  const { url, traceId } = ctx;
  const q = url.searchParams;
  let pageSize = 10;
  if (q.has('pageSize')) {
    pageSize = Number(q.get('pageSize'));
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) {
      return errorReply(400, 'pageSize must be an integer between 1 and 200', traceId);
    }
  }
  let before = Number.POSITIVE_INFINITY;
  const token = q.get('paginationToken');
  if (token) {
    const seq = decodeToken(token);
    if (seq === undefined) return errorReply(400, 'Invalid paginationToken', traceId);
    before = seq;
  }
  const status = q.get('status') || undefined;
  if (status && !(JOB_STATUSES as readonly string[]).includes(status)) {
    return errorReply(400, `status must be one of ${JOB_STATUSES.join(', ')}`, traceId);
  }
  const types = [q.get('type'), ...(q.get('types')?.split(',') ?? [])].filter((t): t is string => Boolean(t));
  const authorId = q.get('authorId') || undefined;

  const matches = teamJobs(ctx)
    .filter((j) => j.seq < before)
    .filter((j) => types.length === 0 || types.includes(j.jobType))
    .filter((j) => !authorId || j.authorId === authorId)
    .map((j) => ({ ...j, body: j.json() }))
    .filter((j) => !status || j.body.status === status)
    .sort((a, b) => b.seq - a.seq);
  const page = matches.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    status: 200,
    body: {
      jobs: page.map((j) => withStatus(j.body, overrideStatus(ctx, j.jobId))),
      ...(matches.length > pageSize && last ? { nextPaginationToken: encodeToken(last.seq) } : {}),
    },
  };
}

export function jobAction(ctx: ApiCtx): Reply {
  const { app, json, traceId, now } = ctx;
  const id = ctx.params.id ?? '';
  const job = app.store.teamJob(ctx.teamId, id);
  const upload = app.store.uploadJobs.get(id);
  if (!job && upload?.teamId !== ctx.teamId) return errorReply(404, 'Job not found', traceId);
  const action = isObject(json) ? json.action : undefined;
  if (action !== 'cancel') return errorReply(400, `Unsupported action: ${JSON.stringify(action ?? null)}`, traceId);
  // Upload jobs are never cancelable in the fake (the import is short and not billed).
  if (!job) return errorReply(400, 'Cannot cancel this type of job', traceId);
  // The schema: "Today only cancel on inference jobs is supported"; custom jobs are refused.
  if (!app.opts.cancelableJobTypes.includes(JOB_TYPE))
    return errorReply(400, 'Cannot cancel this type of job', traceId);
  const status = viewJob(job, now).status;
  if (TERMINAL.has(status)) return errorReply(400, `Cannot cancel a job with status ${status}`, traceId);
  job.canceledAt = now;
  const output = app.store.assets.get(job.outputAssetId);
  if (output) output.availableAt = Number.POSITIVE_INFINITY;
  return { status: 200, body: { job: jobJson(app, job, now) } };
}
