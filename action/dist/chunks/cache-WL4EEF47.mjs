import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  cachePath
} from "./chunk-LDN6F7N3.mjs";
import {
  readManifest,
  summarize,
  writeManifest
} from "./chunk-M6DOG7FV.mjs";
import "./chunk-CRK2DHAM.mjs";
import {
  createJsonFileLedger,
  safeFileName
} from "./chunk-SOXTFEWF.mjs";
import {
  runPool
} from "./chunk-6O7C65AY.mjs";
import "./chunk-XDNEWOOM.mjs";

// src/action/cache.ts
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
var VIDEO_KEY_PREFIX = "scenario-video-v1-";
var LEDGER_KEY_PREFIX = "scenario-video-ledger-v1-";
var shardLedgerKeyPrefix = (shard) => `scenario-video-ledger-shard-v1-${shard.index}of${shard.count}-`;
var STAGING_DIR = ".scenario-video-cache";
var videoCacheKey = (hash) => `${VIDEO_KEY_PREFIX}${hash}`;
async function restoreVideos(cache, videos, options) {
  const { outDir, workspace } = options;
  const previous = await readManifest(outDir);
  const inPlace = async (v) => {
    const before = previous?.videos.find((p) => p.name === v.name);
    if (!before || before.hash !== v.hash || !before.file || before.bytes === null) return false;
    if (before.status !== "rendered" && before.status !== "skipped") return false;
    const info = await stat(path.join(outDir, before.file)).catch(() => void 0);
    return info?.isFile() === true && info.size === before.bytes;
  };
  const restored = [];
  const byHash = /* @__PURE__ */ new Map();
  for (const v of videos) if (!await inPlace(v)) byHash.set(v.hash, [...byHash.get(v.hash) ?? [], v]);
  await runPool([...byHash.values()], options.concurrency ?? 4, async ([first, ...others]) => {
    const entry = await restoreOne(cache, first, outDir, workspace);
    if (!entry) return;
    restored.push(entry);
    for (const other of others) {
      const file = safeFileName(`${other.name}${path.extname(entry.file)}`);
      await copyFile(path.join(outDir, entry.file), path.join(outDir, file));
      restored.push({ ...entry, name: other.name, source: other.source, file });
    }
  });
  await rm(path.join(outDir, STAGING_DIR), { recursive: true, force: true });
  if (restored.length > 0) {
    const names = new Set(restored.map((r) => r.name));
    const kept = (previous?.videos ?? []).filter((p) => !names.has(p.name));
    await writeManifest(
      outDir,
      summarize([...kept, ...restored], previous?.issues ?? [], { dryRun: false, now: new Date(options.now()) })
    );
  }
  return new Set(restored.map((r) => r.name));
}
async function restoreOne(cache, video, outDir, workspace) {
  const staging = path.join(outDir, STAGING_DIR, video.hash);
  await rm(staging, { recursive: true, force: true });
  const hit = await cache.restore([cachePath(workspace, staging)], videoCacheKey(video.hash));
  if (hit === void 0) return void 0;
  try {
    const entry = JSON.parse(await readFile(path.join(staging, "entry.json"), "utf8"));
    if (entry.hash !== video.hash || typeof entry.file !== "string" || typeof entry.bytes !== "number")
      return void 0;
    const staged = path.join(staging, safeFileName(entry.file));
    const info = await stat(staged);
    if (!info.isFile() || info.size !== entry.bytes) return void 0;
    const ext = path.extname(entry.file) || ".mp4";
    const file = safeFileName(`${video.name}${ext}`);
    await mkdir(outDir, { recursive: true });
    await rename(staged, path.join(outDir, file));
    return {
      name: video.name,
      source: video.source,
      hash: video.hash,
      jobId: entry.jobId,
      status: "skipped",
      file,
      bytes: entry.bytes,
      creativeUnits: entry.creativeUnits,
      error: null
    };
  } catch {
    return void 0;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
async function saveVideos(cache, videos, options) {
  const { outDir, workspace } = options;
  let saved = 0;
  const todo = videos.filter((v) => v.status === "rendered" && v.file && v.bytes !== null && v.hash);
  const unique = [...new Map(todo.map((v) => [v.hash, v])).values()];
  await runPool(unique, options.concurrency ?? 4, async (v) => {
    const staging = path.join(outDir, STAGING_DIR, v.hash);
    try {
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      const base = safeFileName(path.basename(v.file));
      await writeFile(path.join(staging, base), await readFile(path.join(outDir, v.file)));
      const entry = {
        hash: v.hash,
        name: v.name,
        jobId: v.jobId,
        file: base,
        bytes: v.bytes,
        creativeUnits: v.creativeUnits
      };
      await writeFile(path.join(staging, "entry.json"), `${JSON.stringify(entry, null, 2)}
`);
      if (await cache.save([cachePath(workspace, staging)], videoCacheKey(v.hash))) saved++;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
  await rm(path.join(outDir, STAGING_DIR), { recursive: true, force: true });
  return saved;
}
var LedgerCache = class {
  constructor(cache, ledgerPath, options) {
    this.cache = cache;
    this.ledgerPath = ledgerPath;
    this.options = options;
  }
  cache;
  ledgerPath;
  options;
  lastDigest;
  queue = Promise.resolve();
  get prefix() {
    return this.options.shard ? shardLedgerKeyPrefix(this.options.shard) : LEDGER_KEY_PREFIX;
  }
  get paths() {
    return [cachePath(this.options.workspace, this.ledgerPath)];
  }
  /** Restore the newest cached ledger; returns the number of jobs it holds afterwards. */
  async restore() {
    const ledger = createJsonFileLedger(this.ledgerPath);
    const local = await ledger.list();
    const { runId, runAttempt } = this.options;
    const hit = await this.cache.restore(this.paths, `${this.prefix}${runId}-${runAttempt}`, [this.prefix]);
    if (hit !== void 0) {
      for (const entry of local) await ledger.put(entry);
    }
    this.lastDigest = await this.digest();
    return (await ledger.list()).length;
  }
  /** Save the ledger when it changed since the last restore or save; true when it is in the cache. */
  save() {
    const next = this.queue.then(async () => {
      const digest = await this.digest();
      if (digest === void 0) return false;
      if (digest === this.lastDigest) return true;
      const { runId, runAttempt, now } = this.options;
      const ok = await this.cache.save(this.paths, `${this.prefix}${runId}-${runAttempt}-${now()}`);
      if (ok) this.lastDigest = digest;
      return ok;
    });
    this.queue = next.catch(() => void 0);
    return next;
  }
  async digest() {
    try {
      return createHash("sha256").update(await readFile(this.ledgerPath)).digest("hex");
    } catch {
      return void 0;
    }
  }
};
export {
  LEDGER_KEY_PREFIX,
  LedgerCache,
  STAGING_DIR,
  VIDEO_KEY_PREFIX,
  restoreVideos,
  saveVideos,
  shardLedgerKeyPrefix,
  videoCacheKey
};
