import { callApi, type ApiContext, type Emit } from './api.js';
import { ScenarioError } from './errors.js';
import { isRecord } from './json.js';

/** A job as the API describes it (`GET /jobs/{id}` → `{ job }`), normalised; unknown fields kept. */
export interface ScenarioJob {
  jobId: string;
  /** One of JOB_STATUSES, or something new the API started sending (tolerated for a while by `wait`). */
  status: string;
  /** 0 to 1. */
  progress?: number;
  jobType?: string;
  createdAt?: string;
  updatedAt?: string;
  statusHistory?: Array<{ status: string; date: string }>;
  metadata: {
    input?: Record<string, unknown>;
    assetIds: string[];
    /** Why a job failed ("Eventual error for the job"). */
    error?: string | null;
    /** What to do about it. */
    hint?: string;
    [key: string]: unknown;
  };
  billing?: { cuCost?: number; cuDiscount?: number; disableRefund?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

/** An asset (`GET /assets/{id}` → `{ asset }`); `url` is signed and expires. */
export interface ScenarioAsset {
  id: string;
  url?: string;
  mimeType?: string;
  kind?: string;
  status?: string;
  properties?: { size?: number; width?: number; height?: number; duration?: number; [key: string]: unknown };
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface JobList {
  jobs: ScenarioJob[];
  nextPaginationToken?: string;
}

const malformed = (what: string, jobId?: string): ScenarioError =>
  new ScenarioError({
    code: 'server',
    message: `Scenario API returned an unexpected ${what}`,
    retryable: true,
    details: { malformed: true },
    ...(jobId !== undefined ? { jobId } : {}),
  });

/** Accept `{ job }` or a bare job; `job.id` is tolerated where `job.jobId` is documented. */
export const normalizeJob = (raw: unknown, expectedId?: string): ScenarioJob => {
  const job = isRecord(raw) && isRecord(raw.job) ? raw.job : raw;
  if (!isRecord(job)) throw malformed('job object', expectedId);
  const jobId = typeof job.jobId === 'string' ? job.jobId : typeof job.id === 'string' ? job.id : undefined;
  if (jobId === undefined || jobId === '' || typeof job.status !== 'string') {
    throw malformed('job object (no jobId or status)', expectedId);
  }
  const meta = isRecord(job.metadata) ? job.metadata : {};
  const assetIds = Array.isArray(meta.assetIds) ? meta.assetIds.filter((a): a is string => typeof a === 'string') : [];
  const out: ScenarioJob = { ...job, jobId, status: job.status, metadata: { ...meta, assetIds } };
  if (isRecord(meta.input)) out.metadata.input = meta.input;
  if (typeof job.progress === 'number' && Number.isFinite(job.progress)) out.progress = job.progress;
  else delete out.progress;
  return out;
};

export const normalizeAsset = (raw: unknown, expectedId?: string): ScenarioAsset => {
  const asset = isRecord(raw) && isRecord(raw.asset) ? raw.asset : raw;
  if (!isRecord(asset) || typeof asset.id !== 'string') throw malformed('asset object');
  if (expectedId !== undefined && asset.id !== expectedId) throw malformed('asset (id mismatch)');
  return asset as ScenarioAsset;
};

export interface ReadOptions {
  signal?: AbortSignal;
  emit?: Emit;
  /** Absolute clock time after which no retry starts. */
  deadline?: number;
}

/** `GET /jobs/{id}`, retried on transient errors. */
export const getJob = async (ctx: ApiContext, jobId: string, options: ReadOptions = {}): Promise<ScenarioJob> => {
  const res = await callApi(ctx, {
    method: 'GET',
    path: `/jobs/${encodeURIComponent(jobId)}`,
    retry: true,
    jobId,
    ...options,
  });
  return normalizeJob(res.data, jobId);
};

/** `GET /jobs` (newest first), one page. */
export const listJobs = async (
  ctx: ApiContext,
  query: { pageSize?: number; paginationToken?: string; status?: string; type?: string } = {},
  options: ReadOptions = {},
): Promise<JobList> => {
  const res = await callApi(ctx, { method: 'GET', path: '/jobs', query, retry: true, ...options });
  const data = res.data;
  if (!isRecord(data) || !Array.isArray(data.jobs)) throw malformed('job list');
  const jobs: ScenarioJob[] = [];
  for (const j of data.jobs) {
    try {
      jobs.push(normalizeJob(j));
    } catch {
      // One odd entry must not hide the others.
    }
  }
  return {
    jobs,
    ...(typeof data.nextPaginationToken === 'string' && data.nextPaginationToken !== ''
      ? { nextPaginationToken: data.nextPaginationToken }
      : {}),
  };
};

/** `GET /assets/{id}`, retried on transient errors. Call it right before downloading: URLs expire. */
export const getAsset = async (
  ctx: ApiContext,
  assetId: string,
  options: ReadOptions & { jobId?: string } = {},
): Promise<ScenarioAsset> => {
  const { jobId, ...rest } = options;
  const res = await callApi(ctx, {
    method: 'GET',
    path: `/assets/${encodeURIComponent(assetId)}`,
    retry: true,
    ...(jobId !== undefined ? { jobId } : {}),
    ...rest,
  });
  return normalizeAsset(res.data, assetId);
};

/** `GET /models/{id}`: the model's declared inputs (used by contract tests and for discovery). */
export const getModel = async (
  ctx: ApiContext,
  modelId: string,
  options: ReadOptions = {},
): Promise<Record<string, unknown>> => {
  const res = await callApi(ctx, {
    method: 'GET',
    path: `/models/${encodeURIComponent(modelId)}`,
    retry: true,
    ...options,
  });
  const data = res.data;
  const model = isRecord(data) && isRecord(data.model) ? data.model : data;
  if (!isRecord(model)) throw malformed('model object');
  return model;
};
