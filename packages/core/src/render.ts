import type { ApiContext, Emit } from './api.js';
import type { DownloadResult } from './download.js';
import { downloadOutputs, requireOutputs } from './outputs.js';
import { ScenarioError, invalidInput as invalid, toScenarioError } from './errors.js';
import { getJob, type ScenarioJob } from './jobs.js';
import { WAN_MODEL_ID, WAN_TUNING_FIELDS, wanCrossFieldIssue, wanParamsSchema, type WanTuning } from './params.js';
import type { ByteSink, LedgerEntry, LedgerPort } from './ports.js';
import type { RetryPolicy } from './retry.js';
import { slotHooks, type GenerationScheduler, type Slot } from './scheduler.js';
import { adoptUnansweredSubmit, submitJob, type JobHandle, type UnknownSubmit } from './submit.js';
import { fetchImage, uploadImage, type ImageBytes } from './upload.js';
import { DEFAULT_WAIT_TIMEOUT_MS, waitForJob, type WaitOptions } from './wait.js';
import { isRecord } from './json.js';

/** An image for a render: an existing asset, bytes in memory, or a URL to fetch (no credentials sent). */
export type ImageInput = { assetId: string } | ImageBytes | { url: string };

/**
 * One video. By default Scenario's Wan 2.2 I2V with its typed, validated parameters; with another
 * `modelId`, `params` are sent as is (the server validates them) and `image` / `lastFrameImage`,
 * when given, are uploaded and set under those names.
 */
export interface RenderInput extends WanTuning {
  modelId?: string;
  prompt?: string;
  image?: ImageInput;
  lastFrameImage?: ImageInput;
  /** Raw parameters for other models (images in them must already be asset ids). */
  params?: Record<string, unknown>;
}

export interface RenderOptions {
  /** Where the video goes. Without a sink nothing is downloaded (the result names the assets). */
  sink?: ByteSink;
  /** Records the job before waiting, and resumes it on the next run with the same `key`. */
  ledger?: LedgerPort;
  /** The caller's key for this logical render (for example a content hash); needed by the ledger. */
  key?: string;
  /** Output base name (default: the job id); more outputs get `-2`, `-3`… */
  name?: string;
  signal?: AbortSignal;
  /** Overall wait for the job (default 30 minutes). */
  timeoutMs?: number;
  wait?: Omit<WaitOptions, 'signal' | 'emit' | 'timeoutMs'>;
  /**
   * The team's generation slots (shared by every render of one credential in this process): the submit
   * waits for a slot, and the slot is held until the job stops running. Without one, a refused submit
   * just backs off.
   */
  scheduler?: GenerationScheduler;
  submitPolicy?: RetryPolicy;
  /** Largest image sent inline (default 3.5 MB); larger ones use multipart uploads. */
  inlineMaxBytes?: number;
}

export interface RenderResult {
  jobId: string;
  handle: JobHandle;
  job: ScenarioJob;
  assetIds: string[];
  /** One per downloaded output, in `assetIds` order (empty without a sink). */
  files: DownloadResult[];
  creativeUnitsCost?: number;
  /** The job came from the ledger: nothing was submitted (or paid) this time. */
  resumed: boolean;
}

/** What renderVideo needs from the client. */
export interface RenderContext {
  ctx: ApiContext;
  claimed: Set<string>;
  submitTimeoutMs?: number;
}

/** Check an image input's shape without touching the network. */
const checkImage = (image: unknown, field: string): ImageInput => {
  if (!isRecord(image)) throw invalid(`${field} must be { assetId }, { bytes, fileName } or { url }`, field);
  if ('assetId' in image) {
    if (typeof image.assetId !== 'string' || image.assetId.trim() === '')
      throw invalid(`${field}.assetId is empty`, field);
    return { assetId: image.assetId.trim() };
  }
  if ('bytes' in image) {
    if (!(image.bytes instanceof Uint8Array) || image.bytes.length === 0) throw invalid(`${field} has no bytes`, field);
    if (typeof image.fileName !== 'string' || image.fileName.trim() === '') {
      throw invalid(`${field} needs a fileName`, field);
    }
    return image as unknown as ImageBytes;
  }
  if ('url' in image) {
    const url = typeof image.url === 'string' ? image.url : '';
    let ok = false;
    try {
      const u = new URL(url);
      ok = u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      ok = false;
    }
    if (!ok) throw invalid(`${field}.url must be an http(s) URL`, field);
    return { url };
  }
  throw invalid(`${field} must be { assetId }, { bytes, fileName } or { url }`, field);
};

/** zod issues as one invalid_input error naming the first field. */
export const zodToScenarioError = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): ScenarioError => {
  const list = issues.map((i) => ({ field: i.path.map(String).join('.') || '(input)', message: i.message }));
  const first = list[0] ?? { field: '(input)', message: 'invalid' };
  return invalid(
    `Invalid parameters: ${list.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    first.field === '(input)' ? undefined : first.field,
    { issues: list },
  );
};

export interface RenderPlan {
  modelId: string;
  /** Parameters with images still to resolve. */
  params: Record<string, unknown>;
  images: Array<{ field: 'image' | 'lastFrameImage'; input: ImageInput }>;
}

/**
 * Validate a render before anything is uploaded or paid: image inputs' shapes, and for Wan 2.2 the
 * whole parameter table (ranges, the prompt, `lastFrameImage` only with `image`).
 *
 * `image` itself is optional: Scenario's reference page marks it optional for Wan 2.2 and its own
 * example request has none, so a prompt-only request is sent and Scenario's answer decides (a 400
 * from it names the field like any other refusal).
 */
export const planRender = (input: RenderInput): RenderPlan => {
  if (!isRecord(input)) throw invalid('The render input must be an object');
  const modelId = input.modelId ?? WAN_MODEL_ID;
  if (typeof modelId !== 'string' || modelId.trim() === '') throw invalid('modelId is empty', 'modelId');
  const images: RenderPlan['images'] = [];
  if (input.image !== undefined) images.push({ field: 'image', input: checkImage(input.image, 'image') });
  if (input.lastFrameImage !== undefined) {
    const rule = wanCrossFieldIssue(input);
    if (rule) throw invalid(`${rule.field} ${rule.message}`, rule.field);
    images.push({ field: 'lastFrameImage', input: checkImage(input.lastFrameImage, 'lastFrameImage') });
  }
  const params: Record<string, unknown> = { ...(input.params ?? {}) };
  if (input.prompt !== undefined) params.prompt = input.prompt;
  for (const k of WAN_TUNING_FIELDS) if (input[k] !== undefined) params[k] = input[k];
  if (modelId === WAN_MODEL_ID) {
    // Validate with stand-in asset ids: the images are checked above and uploaded only after this.
    const probe = {
      ...params,
      ...(input.image !== undefined ? { image: 'asset_pending' } : {}),
      ...(input.lastFrameImage !== undefined ? { lastFrameImage: 'asset_pending' } : {}),
    };
    const parsed = wanParamsSchema.safeParse(probe);
    if (!parsed.success) throw zodToScenarioError(parsed.error.issues);
  }
  return { modelId, params, images };
};

/** An image as an asset id: uploaded, or fetched (without credentials) then uploaded, when it is not one yet. */
export const resolveImage = async (
  ctx: ApiContext,
  field: string,
  input: ImageInput,
  options: { signal?: AbortSignal; emit?: Emit; inlineMaxBytes?: number },
): Promise<string> => {
  if ('assetId' in input) return input.assetId;
  const bytes =
    'url' in input
      ? await fetchImage(ctx, input.url, {
          field,
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
        })
      : input;
  return (await uploadImage(ctx, bytes, options)).assetId;
};

/** Upload (or fetch then upload) each image that is not an asset id yet; returns the final params. */
export const resolveImages = async (
  ctx: ApiContext,
  plan: RenderPlan,
  options: { signal?: AbortSignal; emit?: Emit; inlineMaxBytes?: number },
): Promise<Record<string, unknown>> => {
  const params = { ...plan.params };
  for (const { field, input } of plan.images) params[field] = await resolveImage(ctx, field, input, options);
  return params;
};

const ledgerEntry = (key: string, handle: JobHandle, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  key,
  jobId: handle.jobId,
  modelId: handle.modelId,
  submittedAt: handle.submittedAt,
  ...(handle.creativeUnitsCost !== undefined ? { creativeUnitsCost: handle.creativeUnitsCost } : {}),
  ...extra,
});

/**
 * The whole render: validate (`validated`), upload the images (`uploading`), submit (`submitted`,
 * and the ledger entry is written before any waiting), wait (`status`), download every output into
 * the sink (`downloading`), `completed`. Any error is emitted as `failed` and thrown as a
 * ScenarioError naming the job once one exists. With a ledger and a key already recorded, the
 * recorded job is resumed instead of submitting (and paying) again.
 */
export const renderVideo = async (
  rc: RenderContext,
  input: RenderInput,
  options: RenderOptions,
  emit: Emit,
): Promise<RenderResult> => {
  const { ctx } = rc;
  const { signal, ledger, key } = options;
  const common = { ...(signal !== undefined ? { signal } : {}), emit };
  let jobId: string | undefined;
  let slot: Slot | undefined;
  try {
    if (ledger !== undefined && (key === undefined || key === '')) throw invalid('A ledger needs a key', 'key');
    const plan = planRender(input);
    emit({ type: 'validated' });

    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    let handle: JobHandle | undefined;
    let resumed = false;
    const entry = ledger !== undefined && key !== undefined ? await ledger.get(key) : undefined;
    if (entry?.jobId !== undefined) {
      handle = await resumeFromLedger(rc, { ...entry, jobId: entry.jobId }, plan, common);
      if (handle === undefined) await ledger!.remove(key!);
      else {
        resumed = true;
        // It runs on Scenario whatever we decide: it holds a place on the team.
        slot = options.scheduler?.occupy();
        emit({
          type: 'submitted',
          jobId: handle.jobId,
          resumed: true,
          ...(handle.creativeUnitsCost !== undefined ? { cost: handle.creativeUnitsCost } : {}),
        });
      }
    } else if (entry?.unknownSubmit !== undefined) {
      // An earlier submit of this render got no answer: find its job before paying again.
      handle = await adoptUnansweredSubmit(ctx, entry.unknownSubmit, {
        ...common,
        claimed: rc.claimed,
        until: ctx.ports.clock.now() + timeoutMs,
      });
      if (handle === undefined) {
        // Not made within the recovery window: it never will be, so this render may be submitted.
        await ledger!.remove(key!);
      } else {
        slot = options.scheduler?.occupy();
        await ledger!.put(ledgerEntry(key!, handle));
      }
    }
    if (handle === undefined) {
      const params = await resolveImages(ctx, plan, {
        ...common,
        ...(options.inlineMaxBytes !== undefined ? { inlineMaxBytes: options.inlineMaxBytes } : {}),
      });
      slot = await options.scheduler?.acquire(signal !== undefined ? { signal } : {});
      handle = await submitJob(
        ctx,
        { modelId: plan.modelId, params },
        {
          ...common,
          claimed: rc.claimed,
          ...(rc.submitTimeoutMs !== undefined ? { timeoutMs: rc.submitTimeoutMs } : {}),
          ...slotHooks(slot, signal, timeoutMs),
          ...(options.submitPolicy !== undefined ? { policy: options.submitPolicy } : {}),
          lookUntil: ctx.ports.clock.now() + timeoutMs,
          onUnknownOutcome: async (submit) => {
            if (ledger !== undefined && key !== undefined) await ledger.put(unknownEntry(key, submit));
          },
        },
      );
      slot?.submitted();
      jobId = handle.jobId;
      if (ledger !== undefined && key !== undefined) await ledger.put(ledgerEntry(key, handle));
    }
    jobId = handle.jobId;

    let job: ScenarioJob;
    try {
      job = await waitForJob(ctx, jobId, {
        ...(options.wait ?? {}),
        ...(resumed ? {} : { createdAt: handle.submittedAt }),
        ...common,
        timeoutMs,
      });
    } catch (e) {
      // A job that ended badly will not get better: forget it so the next run renders afresh.
      if (e instanceof ScenarioError && (e.code === 'job_failed' || e.code === 'job_canceled')) {
        if (ledger !== undefined && key !== undefined) await ledger.remove(key);
      }
      throw e;
    } finally {
      // The job no longer runs (or we no longer wait for it): the next submit may go while we download.
      slot?.release();
    }
    let assetIds: string[];
    try {
      assetIds = requireOutputs(job);
    } catch (e) {
      if (ledger !== undefined && key !== undefined) await ledger.remove(key);
      throw e;
    }
    const files =
      options.sink !== undefined
        ? await downloadOutputs(ctx, job, options.sink, {
            ...common,
            ...(options.name !== undefined ? { baseName: options.name } : {}),
          })
        : [];
    if (ledger !== undefined && key !== undefined) {
      await ledger.put(ledgerEntry(key, handle, { completedAt: new Date(ctx.ports.clock.now()).toISOString() }));
    }
    const fileNames = files.map((f) => f.file).filter((f): f is string => f !== undefined);
    emit({
      type: 'completed',
      jobId,
      assetIds,
      ...(fileNames[0] !== undefined ? { file: fileNames[0], files: fileNames } : {}),
    });
    return {
      jobId,
      handle,
      job,
      assetIds,
      files,
      resumed,
      ...(handle.creativeUnitsCost !== undefined ? { creativeUnitsCost: handle.creativeUnitsCost } : {}),
    };
  } catch (e) {
    slot?.release();
    const error = toScenarioError(e, { ...(jobId !== undefined ? { jobId } : {}), ...(signal ? { signal } : {}) });
    emit({ type: 'failed', error });
    throw error;
  }
};

/** The job a ledger names, or undefined when the account does not know it (a stale entry). */
const resumeFromLedger = async (
  rc: RenderContext,
  entry: LedgerEntry & { jobId: string },
  plan: RenderPlan,
  common: { signal?: AbortSignal; emit: Emit },
): Promise<JobHandle | undefined> => {
  try {
    const existing = await getJob(rc.ctx, entry.jobId, common);
    rc.claimed.add(entry.jobId);
    return {
      jobId: entry.jobId,
      modelId: entry.modelId,
      baseUrl: rc.ctx.baseUrl,
      submittedAt: entry.submittedAt,
      input: existing.metadata.input ?? plan.params,
      ...(entry.creativeUnitsCost !== undefined ? { creativeUnitsCost: entry.creativeUnitsCost } : {}),
    };
  } catch (e) {
    // A job this account does not know (404): the entry is stale, so render afresh.
    if (e instanceof ScenarioError && e.status === 404) return undefined;
    throw e;
  }
};

const unknownEntry = (key: string, submit: UnknownSubmit): LedgerEntry => ({
  key,
  modelId: submit.modelId,
  submittedAt: new Date(submit.sentAt).toISOString(),
  unknownSubmit: submit,
});
