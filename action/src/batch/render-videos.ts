import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScenarioError } from '@scenario-video/core';
import {
  runPool,
  scenarioErrorJson,
  toScenarioError,
  type ImageInput,
  type LedgerEntry,
  type LedgerPort,
  type RenderEvent,
  type RenderItem,
  type ScenarioClient,
} from '@scenario-video/core';
import { createFileSink, createJsonFileLedger } from '@scenario-video/core/node';
import type { ImageSource, LoadedVideo } from '../prompts/index.js';
import type { BatchEvent, VideoPhase, VideoUpdate } from './events.js';
import {
  readManifest,
  type ManifestError,
  type ManifestIssue,
  type ManifestOrphan,
  type ManifestVideo,
} from './manifest.js';
import type { BatchOptions } from './options.js';
import type { BatchPlan } from './plan.js';

/** What renderBatch has settled before the videos are rendered. */
export interface VideoRunContext {
  root: string;
  outDir: string;
  ledgerPath: string;
  dryRun: boolean;
  now: () => number;
  emit: (event: BatchEvent) => void;
}

interface Planned {
  video: LoadedVideo;
  hash: string;
  key: string;
  action: 'render' | 'resume' | 'skip' | 'quote';
  previous?: ManifestVideo;
}

/**
 * Steps 2 to 4 of renderBatch for the videos it planned (validated and hashed): skip, render or
 * resume, and quote. Returns the manifest's entries in file order and the invalid files' issues.
 * A module of its own, loaded only when there is something to render or resume: it brings the core,
 * the prompt parser and their schemas, which a run with no prompt files never needs.
 */
export async function renderVideos(
  options: BatchOptions,
  run: VideoRunContext,
  plan: BatchPlan,
): Promise<{ entries: ManifestVideo[]; issues: ManifestIssue[]; orphans: ManifestOrphan[] }> {
  const { outDir, dryRun, now, emit } = run;
  const ledger = createJsonFileLedger(run.ledgerPath);
  const { issues } = plan;
  if (issues.length > 0) emit({ type: 'invalid', issues });

  const previous = await readManifest(outDir);
  const entries: ManifestVideo[] = [];
  const plans: Planned[] = [];
  for (const planned of plan.videos) {
    const { video } = planned;
    if (!('hash' in planned)) {
      // The image vanished or became unreadable between validation and hashing.
      entries.push(failedEntry(video, '', localError(planned.hashError)));
      continue;
    }
    const { hash } = planned;
    const key = `${video.name}:${hash}`;
    const before = previous?.videos.find((v) => v.name === video.name);
    let action: Planned['action'] = dryRun ? 'quote' : 'render';
    if (!options.force && before && (await outputStillThere(outDir, before, hash))) action = 'skip';
    else if (await ledger.get(key)) action = 'resume';
    plans.push({ video, hash, key, action, ...(before ? { previous: before } : {}) });
  }
  const keys = new Set(plans.map((p) => p.key));
  const orphanJobs = (await ledger.list()).filter((e) => e.completedAt === undefined && !keys.has(e.key)).map(orphanOf);
  emit({
    type: 'planned',
    videos: plans.map((p) => ({ name: p.video.name, source: p.video.file, hash: p.hash, action: p.action })),
    orphanJobs,
  });

  const update = (p: Planned, phase: VideoPhase, extra: Partial<VideoUpdate> = {}) =>
    emit({ type: 'video', name: p.video.name, source: p.video.file, phase, at: now(), ...extra });

  const results = new Map<Planned, ManifestVideo>();
  for (const p of plans.filter((p) => p.action === 'skip')) {
    const prev = p.previous!;
    results.set(p, { ...prev, source: p.video.file, status: 'skipped', error: null });
    update(p, 'skipped', {
      ...(prev.jobId ? { jobId: prev.jobId } : {}),
      ...(prev.file ? { file: prev.file } : {}),
    });
  }

  const todo = plans.filter((p) => p.action !== 'skip');
  const client = todo.length > 0 ? await clientOf(options) : undefined;
  const images = new ImageCache();
  if (dryRun) {
    await runPool(todo, options.concurrency ?? 4, async (p) => {
      results.set(p, await quote(p, client!, ledger, images, update, options.signal));
    });
  } else if (todo.length > 0) {
    const items: RenderItem[] = [];
    const ready: Planned[] = [];
    for (const p of todo) {
      try {
        items.push(await renderItem(p, images));
        ready.push(p);
      } catch (e) {
        const error = localError(e);
        results.set(p, failedEntry(p.video, p.hash, error));
        update(p, 'failed', { error });
      }
    }
    const live = new Map<
      number,
      { retrying?: string; phase: VideoPhase; cost?: number; resumed?: boolean; recovered?: boolean }
    >();
    let lowestLimit = Number.POSITIVE_INFINITY;
    const settled = await client!.renderMany(items, {
      concurrency: options.concurrency ?? 4,
      sink: createFileSink(outDir),
      ledger,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      // The moment videos start waiting for a team slot (a video's `retrying` comes only when it goes again).
      onLimitChange: (limit) => {
        if (limit < lowestLimit) {
          lowestLimit = limit;
          emit({ type: 'limit', limit });
        }
      },
      onEvent: (event, index) => {
        const p = ready[index];
        if (!p) return;
        const state = live.get(index) ?? { phase: 'queued' as VideoPhase };
        live.set(index, state);
        if (event.type === 'submitted') {
          if (event.cost !== undefined) state.cost = event.cost;
          if (event.resumed) state.resumed = true;
          if (event.recovered) state.recovered = true;
        }
        const translated = translate(event, outDir, state);
        if (translated) update(p, translated.phase, translated.extra);
      },
    });
    images.clear();
    for (const s of settled) {
      const p = ready[s.index]!;
      if (s.status === 'fulfilled') {
        const first = s.value.files[0];
        results.set(p, {
          name: p.video.name,
          source: p.video.file,
          hash: p.hash,
          jobId: s.value.jobId,
          status: 'rendered',
          file: first?.file ? path.relative(outDir, first.file).split(path.sep).join('/') : null,
          bytes: first?.bytes ?? null,
          creativeUnits: s.value.creativeUnitsCost ?? null,
          ...(s.value.resumed ? { resumed: true } : {}),
          ...(s.value.handle.recovered ? { recovered: true } : {}),
          error: null,
        });
      } else {
        const error = errorJson(s.error);
        const stopped = s.error.code === 'aborted';
        const seen = live.get(s.index);
        results.set(p, {
          name: p.video.name,
          source: p.video.file,
          hash: p.hash,
          jobId: s.error.jobId ?? null,
          status: stopped ? 'interrupted' : 'failed',
          file: null,
          bytes: null,
          creativeUnits: seen?.cost ?? null,
          ...(seen?.resumed ? { resumed: true } : {}),
          ...(seen?.recovered ? { recovered: true } : {}),
          error,
        });
      }
    }
  }

  for (const p of plans) {
    const entry = results.get(p);
    if (entry) entries.push(entry);
  }
  return { entries, issues, orphans: orphanJobs.map(({ key: _key, ...orphan }) => orphan) };
}

/**
 * A ledger entry no video of this run matches: paid (or maybe paid) in an earlier run. It stays in the
 * ledger, so every run lists it until it is fetched or its prompt comes back.
 */
function orphanOf(e: LedgerEntry): ManifestOrphan & { key: string } {
  // Keys are `<name>:<hash>`.
  const name = e.key.includes(':') ? e.key.slice(0, e.key.lastIndexOf(':')) : e.key;
  const base = { key: e.key, name, submittedAt: e.submittedAt, creativeUnits: e.creativeUnitsCost ?? null };
  if (e.jobId === undefined) {
    return {
      ...base,
      jobId: null,
      message:
        `A submit of ${name} sent at ${e.submittedAt} by an earlier run got no answer, and its prompt has changed ` +
        'since: it may have made a job (and been charged). Look for it with: scenario-video jobs',
    };
  }
  return {
    ...base,
    jobId: e.jobId,
    message:
      `Job ${e.jobId} (${name}) was paid in an earlier run, and no prompt matches it any more. ` +
      `Fetch its video with: scenario-video job ${e.jobId} --download <dir>`,
  };
}

const clientOf = (options: BatchOptions): Promise<ScenarioClient> | ScenarioClient =>
  typeof options.client === 'function' ? options.client() : options.client;

/** An earlier output can be kept when it was made from the same content and is still whole on disk. */
async function outputStillThere(outDir: string, before: ManifestVideo, hash: string): Promise<boolean> {
  if (before.hash !== hash || (before.status !== 'rendered' && before.status !== 'skipped')) return false;
  if (!before.file || before.bytes === null) return false;
  const file = path.resolve(outDir, before.file);
  if (path.dirname(file) !== outDir) return false;
  try {
    const info = await stat(file);
    return info.isFile() && info.size === before.bytes;
  } catch {
    return false;
  }
}

/** Reads each input image once, however many videos use it. */
class ImageCache {
  private readonly files = new Map<string, Promise<Uint8Array>>();
  read(file: string): Promise<Uint8Array> {
    let bytes = this.files.get(file);
    if (!bytes) {
      bytes = readFile(file).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      this.files.set(file, bytes);
    }
    return bytes;
  }
  clear(): void {
    this.files.clear();
  }
}

async function imageInput(source: ImageSource, images: ImageCache): Promise<ImageInput> {
  if (source.kind === 'asset') return { assetId: source.assetId };
  if (source.kind === 'url') return { url: source.url };
  return { bytes: await images.read(source.path), fileName: path.basename(source.path) };
}

async function renderItem(p: Planned, images: ImageCache): Promise<RenderItem> {
  const v = p.video;
  return {
    key: p.key,
    name: v.name,
    modelId: v.model,
    prompt: v.prompt,
    ...v.tuning,
    ...(Object.keys(v.params).length > 0 ? { params: v.params } : {}),
    ...(v.image ? { image: await imageInput(v.image, images) } : {}),
    ...(v.lastFrameImage ? { lastFrameImage: await imageInput(v.lastFrameImage, images) } : {}),
  };
}

/** Dry run of one video: upload its images (free), then ask the API for the price (`?dryRun=true`). */
async function quote(
  p: Planned,
  client: ScenarioClient,
  ledger: LedgerPort,
  images: ImageCache,
  update: (p: Planned, phase: VideoPhase, extra?: Partial<VideoUpdate>) => void,
  signal: AbortSignal | undefined,
): Promise<ManifestVideo> {
  const base = { name: p.video.name, source: p.video.file, hash: p.hash, file: null, bytes: null };
  const existing = await ledger.get(p.key);
  if (existing?.jobId !== undefined) {
    // Already submitted by an earlier run: the next real run resumes it for free.
    update(p, 'quoted', { jobId: existing.jobId, creativeUnits: 0, resumed: true });
    return { ...base, jobId: existing.jobId, status: 'quoted', creativeUnits: 0, resumed: true, error: null };
  }
  try {
    const call = signal ? { signal } : {};
    // The same path as a render (and n8n's Estimate Cost): validate, upload the images, then quote.
    const { key: _key, name: _name, ...input } = await renderItem(p, images);
    if (input.image !== undefined || input.lastFrameImage !== undefined) update(p, 'uploading');
    const prepared = await client.prepareRender(input, call);
    const estimate = await client.estimateCost(prepared, call);
    update(p, 'quoted', { creativeUnits: estimate.creativeUnitsCost });
    return { ...base, jobId: null, status: 'quoted', creativeUnits: estimate.creativeUnitsCost, error: null };
  } catch (e) {
    const error = errorJson(toScenarioError(e, signal ? { signal } : {}));
    const stopped = error.code === 'aborted';
    update(p, stopped ? 'interrupted' : 'failed', { error });
    return { ...base, jobId: null, status: stopped ? 'interrupted' : 'failed', creativeUnits: null, error };
  }
}

/** The core's event for one item, as a display update. */
function translate(
  event: RenderEvent,
  outDir: string,
  state: { retrying?: string; phase: VideoPhase },
): { phase: VideoPhase; extra: Partial<VideoUpdate> } | undefined {
  const set = (phase: VideoPhase, extra: Partial<VideoUpdate> = {}) => {
    state.phase = phase;
    if (event.type !== 'retrying') delete state.retrying;
    return { phase, extra: { ...extra, ...(state.retrying ? { retrying: state.retrying } : {}) } };
  };
  switch (event.type) {
    case 'validated':
      return undefined;
    case 'uploading':
      return set('uploading');
    case 'submitted':
      return set('submitted', {
        jobId: event.jobId,
        ...(event.cost !== undefined ? { creativeUnits: event.cost } : {}),
        ...(event.resumed ? { resumed: true } : {}),
        ...(event.recovered ? { recovered: true } : {}),
      });
    case 'status':
      return set('waiting', {
        jobId: event.jobId,
        status: event.status,
        ...(event.progress !== undefined ? { progress: event.progress } : {}),
      });
    case 'retrying': {
      state.retrying = event.cause;
      const retry = set(state.phase);
      return { ...retry, extra: { ...retry.extra, retryDelayMs: event.delayMs, retryAttempt: event.attempt } };
    }
    case 'downloading':
      return set('downloading', {
        ...(event.jobId !== undefined ? { jobId: event.jobId } : {}),
        bytes: event.bytes,
        ...(event.total !== undefined ? { total: event.total } : {}),
      });
    case 'completed':
      return set('rendered', {
        jobId: event.jobId,
        ...(event.file ? { file: path.relative(outDir, event.file).split(path.sep).join('/') } : {}),
      });
    case 'failed': {
      const error = errorJson(event.error);
      return set(event.error.code === 'aborted' ? 'interrupted' : 'failed', {
        error,
        ...(event.error.jobId ? { jobId: event.error.jobId } : {}),
      });
    }
  }
}

/** The fields of the core's error JSON a manifest keeps: the ones its readers (and `--json`) have always had. */
const MANIFEST_ERROR_FIELDS = ['code', 'message', 'jobId', 'reason', 'hint', 'traceId', 'retryable'] as const;

/**
 * An error as the manifest shows it: the core's one error JSON (`scenarioErrorJson`), its fields
 * that help a reader (code, message, job id, the API's reason and hint, trace id, retryable); never a
 * stack or a credential.
 */
export function errorJson(error: ScenarioError): ManifestError {
  return scenarioErrorJson(error, MANIFEST_ERROR_FIELDS) as unknown as ManifestError;
}

function localError(e: unknown): ManifestError {
  return errorJson(toScenarioError(e));
}

function failedEntry(video: LoadedVideo, hash: string, error: ManifestError): ManifestVideo {
  return {
    name: video.name,
    source: video.file,
    hash,
    jobId: null,
    status: 'failed',
    file: null,
    bytes: null,
    creativeUnits: null,
    error,
  };
}
