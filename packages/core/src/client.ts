import { normalizeBaseUrl, type ApiContext, type Emit } from './api.js';
import { cancelJob, type CancelResult } from './cancel.js';
import { estimateCost, type CostEstimate } from './cost.js';
import { downloadAsset, type DownloadOptions, type DownloadResult } from './download.js';
import { ScenarioError } from './errors.js';
import type { EventListener, RenderEvent } from './events.js';
import { getAsset, getJob, getModel, listJobs, type JobList, type ScenarioAsset, type ScenarioJob } from './jobs.js';
import { WAN_MODEL_ID, wanParamsSchema } from './params.js';
import { DEFAULT_POLL_SCHEDULE, type PollScheduleOptions } from './poll-schedule.js';
import type { ByteSink, CorePorts } from './ports.js';
import { renderMany, type RenderItem, type RenderManyOptions, type RenderSettled } from './render-many.js';
import {
  planRender,
  renderVideo,
  resolveImage,
  resolveImages,
  zodToScenarioError,
  type ImageInput,
  type RenderInput,
  type RenderOptions,
  type RenderResult,
} from './render.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { DEFAULT_SUBMIT_RETRY_POLICY, submitJob, type JobHandle } from './submit.js';
import { uploadImage, type ImageBytes } from './upload.js';
import { downloadOutputs } from './outputs.js';
import { DEFAULT_WAIT_TIMEOUT_MS, waitForJob, type WaitOptions } from './wait.js';
import { slotHooks, type GenerationScheduler } from './scheduler.js';

export const DEFAULT_BASE_URL = 'https://api.cloud.scenario.com/v1';

export interface ScenarioClientOptions {
  /** Default `https://api.cloud.scenario.com/v1` (`SCENARIO_API_URL` where a host reads env). */
  baseUrl?: string;
  ports: CorePorts;
  /** Receives every event of every call (calls can add their own listener). */
  onEvent?: EventListener;
  /** Retries of repeatable requests (reads, dry runs, uploads). */
  retry?: Partial<RetryPolicy>;
  /** Retries of a submit the API explicitly refused (429 before a job existed, 5xx with no job). */
  submitRetry?: Partial<RetryPolicy>;
  /** Timeout of one API request up to its response headers (default 30 s). */
  requestTimeoutMs?: number;
  /** Timeout of the submit POST (default 60 s); a submit that times out is ambiguous and looked up, never re-sent. */
  submitTimeoutMs?: number;
  poll?: Partial<PollScheduleOptions>;
}

export interface CallOptions {
  signal?: AbortSignal;
  onEvent?: EventListener;
}

/**
 * What to submit. Without `modelId` (or with Wan 2.2's id), `params` are Wan 2.2 I2V parameters
 * (images as asset ids), validated against the documented table before anything is sent. Any other
 * model's `params` go as they are and the server validates them.
 */
export interface SubmitRequest {
  modelId?: string;
  params: Record<string, unknown>;
}

export interface ScenarioClient {
  readonly baseUrl: string;
  /** Upload an image (inline or multipart by size) and return its asset id. */
  uploadImage(image: ImageBytes, options?: CallOptions & { inlineMaxBytes?: number }): Promise<{ assetId: string }>;
  /** An image given as bytes, a URL (fetched without credentials) or an asset id, as an asset id. */
  resolveImage(image: ImageInput, options?: CallOptions & { field?: string }): Promise<{ assetId: string }>;
  /**
   * What `renderVideo` would submit, without submitting: the input validated (nothing is sent for
   * a bad one), then its images uploaded (uploads are free). For a separate submit or a quote.
   */
  prepareRender(
    input: RenderInput,
    options?: CallOptions,
  ): Promise<{ modelId: string; params: Record<string, unknown> }>;
  /**
   * Submit a job (the paid call; never blindly re-sent). Emits `submitted`. With a `scheduler`, the
   * submit waits for a team slot and a refusal at the team's limit waits for one of ours to end (for
   * up to `patienceMs` without one, default 30 minutes); the slot is freed once the job is accepted.
   * An unanswered submit is looked for among the recent jobs for `lookForMs` (on the client's clock; within 15 minutes of
   * sending; default a few seconds).
   */
  submit(
    request: SubmitRequest,
    options?: CallOptions & { scheduler?: GenerationScheduler; patienceMs?: number; lookForMs?: number },
  ): Promise<JobHandle>;
  /** Quote a job without paying (dry run). */
  estimateCost(request: SubmitRequest, options?: CallOptions): Promise<CostEstimate>;
  getJob(jobId: string, options?: CallOptions): Promise<ScenarioJob>;
  listJobs(
    query?: { pageSize?: number; paginationToken?: string; status?: string; type?: string },
    options?: CallOptions,
  ): Promise<JobList>;
  /** Wait for a job by id or handle (resumable from any process). */
  waitForJob(
    job: string | JobHandle,
    options?: CallOptions & Omit<WaitOptions, 'signal' | 'emit'>,
  ): Promise<ScenarioJob>;
  getAsset(assetId: string, options?: CallOptions): Promise<ScenarioAsset>;
  /** Stream an asset into a sink, resuming and refreshing its URL as needed. */
  downloadAsset(
    assetId: string,
    sink: ByteSink,
    options?: CallOptions & Omit<DownloadOptions, 'signal' | 'emit'>,
  ): Promise<DownloadResult>;
  /** Every output of a finished job into the sink, named `<jobId>`, `<jobId>-2`, … */
  downloadOutputs(
    job: ScenarioJob,
    sink: ByteSink,
    options?: CallOptions & { baseName?: string },
  ): Promise<DownloadResult[]>;
  /** Ask the API to cancel; a refusal is returned as `{ canceled: false, reason }`. */
  cancelJob(jobId: string, options?: CallOptions): Promise<CancelResult>;
  getModel(modelId: string, options?: CallOptions): Promise<Record<string, unknown>>;
  /** Validate, upload, submit, wait and download one video. */
  renderVideo(input: RenderInput, options?: RenderOptions & { onEvent?: EventListener }): Promise<RenderResult>;
  /** Many renders under an adaptive concurrency limit; settled results in input order. */
  renderMany(items: RenderItem[], options?: RenderManyOptions): Promise<RenderSettled[]>;
}

/** Listener errors must never break a render. */
const safe =
  (listener: EventListener | undefined): Emit =>
  (event: RenderEvent) => {
    if (listener === undefined) return;
    try {
      listener(event);
    } catch {
      // A faulty listener is the caller's problem, not the render's.
    }
  };

/** Check a submit request: Wan 2.2 parameters against the table, any model's params are an object. */
export const validateSubmitRequest = (request: SubmitRequest): { modelId: string; params: Record<string, unknown> } => {
  const modelId = request.modelId ?? WAN_MODEL_ID;
  if (typeof modelId !== 'string' || modelId.trim() === '') {
    throw new ScenarioError({ code: 'invalid_input', message: 'modelId is empty', field: 'modelId', retryable: false });
  }
  const params = request.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ScenarioError({
      code: 'invalid_input',
      message: 'params must be an object',
      field: 'params',
      retryable: false,
    });
  }
  if (modelId === WAN_MODEL_ID) {
    const parsed = wanParamsSchema.safeParse(params);
    if (!parsed.success) throw zodToScenarioError(parsed.error.issues);
    return { modelId, params: parsed.data };
  }
  return { modelId, params };
};

/** A Scenario client over the given ports. Pure: every wait, byte and socket goes through `ports`. */
export const createScenarioClient = (options: ScenarioClientOptions): ScenarioClient => {
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  const ports = options.ports;
  const ctx: ApiContext = {
    baseUrl,
    ports,
    random: ports.random ?? Math.random,
    retry: { ...DEFAULT_RETRY_POLICY, ...(options.retry ?? {}) },
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    uploads: new WeakMap(),
  };
  const submitPolicy: RetryPolicy = { ...DEFAULT_SUBMIT_RETRY_POLICY, ...(options.submitRetry ?? {}) };
  const schedule: PollScheduleOptions = { ...DEFAULT_POLL_SCHEDULE, ...(options.poll ?? {}) };
  const clientEmit = safe(options.onEvent);
  const claimed = new Set<string>();
  const submitOptions = {
    claimed,
    ...(options.submitTimeoutMs !== undefined ? { timeoutMs: options.submitTimeoutMs } : {}),
  };
  const rc = {
    ctx,
    claimed,
    ...(options.submitTimeoutMs !== undefined ? { submitTimeoutMs: options.submitTimeoutMs } : {}),
  };

  /** Both the client's and the call's listeners. */
  const emitter = (listener?: EventListener): Emit => {
    const call = safe(listener);
    return (event) => {
      clientEmit(event);
      call(event);
    };
  };
  const common = (o: CallOptions = {}) => ({
    emit: emitter(o.onEvent),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  });

  return {
    baseUrl,
    uploadImage: (image, o = {}) =>
      uploadImage(ctx, image, {
        ...common(o),
        ...(o.inlineMaxBytes !== undefined ? { inlineMaxBytes: o.inlineMaxBytes } : {}),
      }),
    resolveImage: async (image, o = {}) => ({
      assetId: await resolveImage(ctx, o.field ?? 'image', image, common(o)),
    }),
    prepareRender: async (input, o = {}) => {
      const plan = planRender(input);
      return { modelId: plan.modelId, params: await resolveImages(ctx, plan, common(o)) };
    },
    submit: async (request, o = {}) => {
      const valid = validateSubmitRequest(request);
      const slot = await o.scheduler?.acquire(o.signal !== undefined ? { signal: o.signal } : {});
      try {
        const handle = await submitJob(ctx, valid, {
          ...common(o),
          ...submitOptions,
          policy: submitPolicy,
          ...slotHooks(slot, o.signal, o.patienceMs ?? DEFAULT_WAIT_TIMEOUT_MS),
          ...(o.lookForMs !== undefined ? { lookUntil: ports.clock.now() + o.lookForMs } : {}),
        });
        slot?.submitted();
        return handle;
      } finally {
        // We do not follow the job from here: its place on the team is the API's to report (429).
        slot?.release();
      }
    },
    estimateCost: async (request, o = {}) => estimateCost(ctx, validateSubmitRequest(request), common(o)),
    getJob: (jobId, o = {}) => getJob(ctx, jobId, common(o)),
    listJobs: (query = {}, o = {}) => listJobs(ctx, query, common(o)),
    waitForJob: (job, o = {}) => {
      const { signal: _s, onEvent: _e, ...rest } = o;
      const handle = typeof job === 'string' ? undefined : job;
      return waitForJob(ctx, handle?.jobId ?? (job as string), {
        schedule,
        ...(handle?.submittedAt !== undefined ? { createdAt: handle.submittedAt } : {}),
        ...rest,
        ...common(o),
      });
    },
    getAsset: (assetId, o = {}) => getAsset(ctx, assetId, common(o)),
    downloadAsset: (assetId, sink, o = {}) => {
      const { signal: _s, onEvent: _e, ...rest } = o;
      return downloadAsset(ctx, assetId, sink, { ...rest, ...common(o) });
    },
    downloadOutputs: (job, sink, o = {}) =>
      downloadOutputs(ctx, job, sink, { ...common(o), ...(o.baseName !== undefined ? { baseName: o.baseName } : {}) }),
    cancelJob: (jobId, o = {}) => cancelJob(ctx, jobId, common(o)),
    getModel: (modelId, o = {}) => getModel(ctx, modelId, common(o)),
    renderVideo: (input, o = {}) => {
      const { onEvent, ...rest } = o;
      return renderVideo(
        rc,
        input,
        { submitPolicy, ...rest, wait: { schedule, ...(rest.wait ?? {}) } },
        emitter(onEvent),
      );
    },
    renderMany: (items, o = {}) =>
      renderMany(rc, items, { ...o, wait: { schedule, ...(o.wait ?? {}) } }, (index) =>
        emitter(o.onEvent === undefined ? undefined : (event) => o.onEvent!(event, index)),
      ),
  };
};
