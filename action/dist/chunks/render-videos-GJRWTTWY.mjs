import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  readManifest
} from "./chunk-M6DOG7FV.mjs";
import "./chunk-CRK2DHAM.mjs";
import {
  createFileSink,
  createJsonFileLedger
} from "./chunk-SOXTFEWF.mjs";
import {
  runPool,
  scenarioErrorJson,
  toScenarioError
} from "./chunk-6O7C65AY.mjs";
import "./chunk-XDNEWOOM.mjs";

// src/batch/render-videos.ts
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
async function renderVideos(options, run, plan) {
  const { outDir, dryRun, now, emit } = run;
  const ledger = createJsonFileLedger(run.ledgerPath);
  const { issues } = plan;
  if (issues.length > 0) emit({ type: "invalid", issues });
  const previous = await readManifest(outDir);
  const entries = [];
  const plans = [];
  for (const planned of plan.videos) {
    const { video } = planned;
    if (!("hash" in planned)) {
      entries.push(failedEntry(video, "", localError(planned.hashError)));
      continue;
    }
    const { hash } = planned;
    const key = `${video.name}:${hash}`;
    const before = previous?.videos.find((v) => v.name === video.name);
    let action = dryRun ? "quote" : "render";
    if (!options.force && before && await outputStillThere(outDir, before, hash)) action = "skip";
    else if (await ledger.get(key)) action = "resume";
    plans.push({ video, hash, key, action, ...before ? { previous: before } : {} });
  }
  const keys = new Set(plans.map((p) => p.key));
  const orphanJobs = (await ledger.list()).filter((e) => e.completedAt === void 0 && !keys.has(e.key)).map(orphanOf);
  emit({
    type: "planned",
    videos: plans.map((p) => ({ name: p.video.name, source: p.video.file, hash: p.hash, action: p.action })),
    orphanJobs
  });
  const update = (p, phase, extra = {}) => emit({ type: "video", name: p.video.name, source: p.video.file, phase, at: now(), ...extra });
  const results = /* @__PURE__ */ new Map();
  for (const p of plans.filter((p2) => p2.action === "skip")) {
    const prev = p.previous;
    results.set(p, { ...prev, source: p.video.file, status: "skipped", error: null });
    update(p, "skipped", {
      ...prev.jobId ? { jobId: prev.jobId } : {},
      ...prev.file ? { file: prev.file } : {}
    });
  }
  const todo = plans.filter((p) => p.action !== "skip");
  const client = todo.length > 0 ? await clientOf(options) : void 0;
  const images = new ImageCache();
  if (dryRun) {
    await runPool(todo, options.concurrency ?? 4, async (p) => {
      results.set(p, await quote(p, client, ledger, images, update, options.signal));
    });
  } else if (todo.length > 0) {
    const items = [];
    const ready = [];
    for (const p of todo) {
      try {
        items.push(await renderItem(p, images));
        ready.push(p);
      } catch (e) {
        const error = localError(e);
        results.set(p, failedEntry(p.video, p.hash, error));
        update(p, "failed", { error });
      }
    }
    const live = /* @__PURE__ */ new Map();
    let lowestLimit = Number.POSITIVE_INFINITY;
    const settled = await client.renderMany(items, {
      concurrency: options.concurrency ?? 4,
      sink: createFileSink(outDir),
      ledger,
      ...options.signal ? { signal: options.signal } : {},
      ...options.timeoutMs !== void 0 ? { timeoutMs: options.timeoutMs } : {},
      // The moment videos start waiting for a team slot (a video's `retrying` comes only when it goes again).
      onLimitChange: (limit) => {
        if (limit < lowestLimit) {
          lowestLimit = limit;
          emit({ type: "limit", limit });
        }
      },
      onEvent: (event, index) => {
        const p = ready[index];
        if (!p) return;
        const state = live.get(index) ?? { phase: "queued" };
        live.set(index, state);
        if (event.type === "submitted") {
          if (event.cost !== void 0) state.cost = event.cost;
          if (event.resumed) state.resumed = true;
          if (event.recovered) state.recovered = true;
        }
        const translated = translate(event, outDir, state);
        if (translated) update(p, translated.phase, translated.extra);
      }
    });
    images.clear();
    for (const s of settled) {
      const p = ready[s.index];
      if (s.status === "fulfilled") {
        const first = s.value.files[0];
        results.set(p, {
          name: p.video.name,
          source: p.video.file,
          hash: p.hash,
          jobId: s.value.jobId,
          status: "rendered",
          file: first?.file ? path.relative(outDir, first.file).split(path.sep).join("/") : null,
          bytes: first?.bytes ?? null,
          creativeUnits: s.value.creativeUnitsCost ?? null,
          ...s.value.resumed ? { resumed: true } : {},
          ...s.value.handle.recovered ? { recovered: true } : {},
          error: null
        });
      } else {
        const error = errorJson(s.error);
        const stopped = s.error.code === "aborted";
        const seen = live.get(s.index);
        results.set(p, {
          name: p.video.name,
          source: p.video.file,
          hash: p.hash,
          jobId: s.error.jobId ?? null,
          status: stopped ? "interrupted" : "failed",
          file: null,
          bytes: null,
          creativeUnits: seen?.cost ?? null,
          ...seen?.resumed ? { resumed: true } : {},
          ...seen?.recovered ? { recovered: true } : {},
          error
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
function orphanOf(e) {
  const name = e.key.includes(":") ? e.key.slice(0, e.key.lastIndexOf(":")) : e.key;
  const base = { key: e.key, name, submittedAt: e.submittedAt, creativeUnits: e.creativeUnitsCost ?? null };
  if (e.jobId === void 0) {
    return {
      ...base,
      jobId: null,
      message: `A submit of ${name} sent at ${e.submittedAt} by an earlier run got no answer, and its prompt has changed since: it may have made a job (and been charged). Look for it with: scenario-video jobs`
    };
  }
  return {
    ...base,
    jobId: e.jobId,
    message: `Job ${e.jobId} (${name}) was paid in an earlier run, and no prompt matches it any more. Fetch its video with: scenario-video job ${e.jobId} --download <dir>`
  };
}
var clientOf = (options) => typeof options.client === "function" ? options.client() : options.client;
async function outputStillThere(outDir, before, hash) {
  if (before.hash !== hash || before.status !== "rendered" && before.status !== "skipped") return false;
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
var ImageCache = class {
  files = /* @__PURE__ */ new Map();
  read(file) {
    let bytes = this.files.get(file);
    if (!bytes) {
      bytes = readFile(file).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      this.files.set(file, bytes);
    }
    return bytes;
  }
  clear() {
    this.files.clear();
  }
};
async function imageInput(source, images) {
  if (source.kind === "asset") return { assetId: source.assetId };
  if (source.kind === "url") return { url: source.url };
  return { bytes: await images.read(source.path), fileName: path.basename(source.path) };
}
async function renderItem(p, images) {
  const v = p.video;
  return {
    key: p.key,
    name: v.name,
    modelId: v.model,
    prompt: v.prompt,
    ...v.tuning,
    ...Object.keys(v.params).length > 0 ? { params: v.params } : {},
    ...v.image ? { image: await imageInput(v.image, images) } : {},
    ...v.lastFrameImage ? { lastFrameImage: await imageInput(v.lastFrameImage, images) } : {}
  };
}
async function quote(p, client, ledger, images, update, signal) {
  const base = { name: p.video.name, source: p.video.file, hash: p.hash, file: null, bytes: null };
  const existing = await ledger.get(p.key);
  if (existing?.jobId !== void 0) {
    update(p, "quoted", { jobId: existing.jobId, creativeUnits: 0, resumed: true });
    return { ...base, jobId: existing.jobId, status: "quoted", creativeUnits: 0, resumed: true, error: null };
  }
  try {
    const call = signal ? { signal } : {};
    const { key: _key, name: _name, ...input } = await renderItem(p, images);
    if (input.image !== void 0 || input.lastFrameImage !== void 0) update(p, "uploading");
    const prepared = await client.prepareRender(input, call);
    const estimate = await client.estimateCost(prepared, call);
    update(p, "quoted", { creativeUnits: estimate.creativeUnitsCost });
    return { ...base, jobId: null, status: "quoted", creativeUnits: estimate.creativeUnitsCost, error: null };
  } catch (e) {
    const error = errorJson(toScenarioError(e, signal ? { signal } : {}));
    const stopped = error.code === "aborted";
    update(p, stopped ? "interrupted" : "failed", { error });
    return { ...base, jobId: null, status: stopped ? "interrupted" : "failed", creativeUnits: null, error };
  }
}
function translate(event, outDir, state) {
  const set = (phase, extra = {}) => {
    state.phase = phase;
    if (event.type !== "retrying") delete state.retrying;
    return { phase, extra: { ...extra, ...state.retrying ? { retrying: state.retrying } : {} } };
  };
  switch (event.type) {
    case "validated":
      return void 0;
    case "uploading":
      return set("uploading");
    case "submitted":
      return set("submitted", {
        jobId: event.jobId,
        ...event.cost !== void 0 ? { creativeUnits: event.cost } : {},
        ...event.resumed ? { resumed: true } : {},
        ...event.recovered ? { recovered: true } : {}
      });
    case "status":
      return set("waiting", {
        jobId: event.jobId,
        status: event.status,
        ...event.progress !== void 0 ? { progress: event.progress } : {}
      });
    case "retrying": {
      state.retrying = event.cause;
      const retry = set(state.phase);
      return { ...retry, extra: { ...retry.extra, retryDelayMs: event.delayMs, retryAttempt: event.attempt } };
    }
    case "downloading":
      return set("downloading", {
        ...event.jobId !== void 0 ? { jobId: event.jobId } : {},
        bytes: event.bytes,
        ...event.total !== void 0 ? { total: event.total } : {}
      });
    case "completed":
      return set("rendered", {
        jobId: event.jobId,
        ...event.file ? { file: path.relative(outDir, event.file).split(path.sep).join("/") } : {}
      });
    case "failed": {
      const error = errorJson(event.error);
      return set(event.error.code === "aborted" ? "interrupted" : "failed", {
        error,
        ...event.error.jobId ? { jobId: event.error.jobId } : {}
      });
    }
  }
}
var MANIFEST_ERROR_FIELDS = ["code", "message", "jobId", "reason", "hint", "traceId", "retryable"];
function errorJson(error) {
  return scenarioErrorJson(error, MANIFEST_ERROR_FIELDS);
}
function localError(e) {
  return errorJson(toScenarioError(e));
}
function failedEntry(video, hash, error) {
  return {
    name: video.name,
    source: video.file,
    hash,
    jobId: null,
    status: "failed",
    file: null,
    bytes: null,
    creativeUnits: null,
    error
  };
}
export {
  errorJson,
  renderVideos
};
