import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runPool } from '@scenario-video/core';
import { createJsonFileLedger, safeFileName } from '@scenario-video/core/node';
import { readManifest, summarize, writeManifest, type ManifestVideo } from '../batch/manifest.js';
import { cachePath } from './paths.js';
import type { CachePort } from './ports.js';

/**
 * Composes the Actions cache around the batch renderer, which keeps its whole state in the output
 * folder: unchanged videos are restored into that folder (with a manifest.json that lists them, so
 * the renderer skips them), new ones are saved after the run, and the ledger of submitted jobs is
 * restored before and saved after (and on cancellation), so a re-run resumes instead of paying again.
 */

/** Bump when the cached layout changes. */
export const VIDEO_KEY_PREFIX = 'scenario-video-v1-';
export const LEDGER_KEY_PREFIX = 'scenario-video-ledger-v1-';
/**
 * A shard's ledger (`shard: i/n`), apart from the unsharded one and from the other shards': a re-run of
 * shard 2/4 restores the jobs shard 2/4 submitted. Not under LEDGER_KEY_PREFIX, whose restore key (a
 * prefix) would otherwise match it. The video entries stay content-addressed and shared by all shards.
 */
export const shardLedgerKeyPrefix = (shard: { index: number; count: number }): string =>
  `scenario-video-ledger-shard-v1-${shard.index}of${shard.count}-`;
/** Staging folder inside the output folder (never uploaded, never searched for prompt files). */
export const STAGING_DIR = '.scenario-video-cache';

export const videoCacheKey = (hash: string): string => `${VIDEO_KEY_PREFIX}${hash}`;

/** What a cache entry says about its video, beside the MP4. */
interface CachedEntry {
  hash: string;
  name: string;
  jobId: string | null;
  file: string;
  bytes: number;
  creativeUnits: number | null;
}

export interface PlannedVideo {
  name: string;
  source: string;
  hash: string;
}

/**
 * Restore the videos whose content hash has a cache entry into `outDir`, and list them in
 * `outDir/manifest.json` as outputs of an earlier run, so the batch renderer skips them. Videos
 * already in place (a self-hosted runner keeps the folder) are left alone. Returns the restored names.
 */
export async function restoreVideos(
  cache: CachePort,
  videos: readonly PlannedVideo[],
  options: { outDir: string; workspace: string; concurrency?: number; now: () => number },
): Promise<Set<string>> {
  const { outDir, workspace } = options;
  const previous = await readManifest(outDir);
  const inPlace = async (v: PlannedVideo) => {
    const before = previous?.videos.find((p) => p.name === v.name);
    if (!before || before.hash !== v.hash || !before.file || before.bytes === null) return false;
    if (before.status !== 'rendered' && before.status !== 'skipped') return false;
    const info = await stat(path.join(outDir, before.file)).catch(() => undefined);
    return info?.isFile() === true && info.size === before.bytes;
  };
  const restored: ManifestVideo[] = [];
  // Videos with the same content share one entry (and one staging folder): restore it once, copy it to the others.
  const byHash = new Map<string, PlannedVideo[]>();
  for (const v of videos) if (!(await inPlace(v))) byHash.set(v.hash, [...(byHash.get(v.hash) ?? []), v]);
  await runPool([...byHash.values()], options.concurrency ?? 4, async ([first, ...others]) => {
    const entry = await restoreOne(cache, first!, outDir, workspace);
    if (!entry) return;
    restored.push(entry);
    for (const other of others) {
      const file = safeFileName(`${other.name}${path.extname(entry.file!)}`);
      await copyFile(path.join(outDir, entry.file!), path.join(outDir, file));
      restored.push({ ...entry, name: other.name, source: other.source, file });
    }
  });
  await rm(path.join(outDir, STAGING_DIR), { recursive: true, force: true });
  if (restored.length > 0) {
    const names = new Set(restored.map((r) => r.name));
    const kept = (previous?.videos ?? []).filter((p) => !names.has(p.name));
    await writeManifest(
      outDir,
      summarize([...kept, ...restored], previous?.issues ?? [], { dryRun: false, now: new Date(options.now()) }),
    );
  }
  return new Set(restored.map((r) => r.name));
}

async function restoreOne(
  cache: CachePort,
  video: PlannedVideo,
  outDir: string,
  workspace: string,
): Promise<ManifestVideo | undefined> {
  const staging = path.join(outDir, STAGING_DIR, video.hash);
  await rm(staging, { recursive: true, force: true });
  const hit = await cache.restore([cachePath(workspace, staging)], videoCacheKey(video.hash));
  if (hit === undefined) return undefined;
  try {
    const entry = JSON.parse(await readFile(path.join(staging, 'entry.json'), 'utf8')) as CachedEntry;
    if (entry.hash !== video.hash || typeof entry.file !== 'string' || typeof entry.bytes !== 'number')
      return undefined;
    const staged = path.join(staging, safeFileName(entry.file));
    const info = await stat(staged);
    if (!info.isFile() || info.size !== entry.bytes) return undefined;
    const ext = path.extname(entry.file) || '.mp4';
    const file = safeFileName(`${video.name}${ext}`);
    await mkdir(outDir, { recursive: true });
    await rename(staged, path.join(outDir, file));
    return {
      name: video.name,
      source: video.source,
      hash: video.hash,
      jobId: entry.jobId,
      status: 'skipped',
      file,
      bytes: entry.bytes,
      creativeUnits: entry.creativeUnits,
      error: null,
    };
  } catch {
    return undefined; // A damaged entry is a miss: the video is rendered (or resumed from the ledger).
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Save each video rendered in this run under its content hash. Returns how many were saved. */
export async function saveVideos(
  cache: CachePort,
  videos: readonly ManifestVideo[],
  options: { outDir: string; workspace: string; concurrency?: number },
): Promise<number> {
  const { outDir, workspace } = options;
  let saved = 0;
  const todo = videos.filter((v) => v.status === 'rendered' && v.file && v.bytes !== null && v.hash);
  // One entry per content hash (two names for the same content are one cache entry).
  const unique = [...new Map(todo.map((v) => [v.hash, v])).values()];
  await runPool(unique, options.concurrency ?? 4, async (v) => {
    const staging = path.join(outDir, STAGING_DIR, v.hash);
    try {
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      const base = safeFileName(path.basename(v.file!));
      // A hard link would do, but a copy also works across file systems; videos are small next to a render.
      await writeFile(path.join(staging, base), await readFile(path.join(outDir, v.file!)));
      const entry: CachedEntry = {
        hash: v.hash,
        name: v.name,
        jobId: v.jobId,
        file: base,
        bytes: v.bytes!,
        creativeUnits: v.creativeUnits,
      };
      await writeFile(path.join(staging, 'entry.json'), `${JSON.stringify(entry, null, 2)}\n`);
      if (await cache.save([cachePath(workspace, staging)], videoCacheKey(v.hash))) saved++;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
  await rm(path.join(outDir, STAGING_DIR), { recursive: true, force: true });
  return saved;
}

/**
 * The ledger of submitted jobs in the Actions cache. Entries are immutable, so every save gets a new
 * key under one prefix and a restore takes the newest. A local ledger (a self-hosted runner keeps the
 * folder) is merged into the restored one, its entries winning.
 */
export class LedgerCache {
  private lastDigest: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cache: CachePort,
    private readonly ledgerPath: string,
    private readonly options: {
      workspace: string;
      runId: number;
      runAttempt: number;
      now: () => number;
      shard?: { index: number; count: number };
    },
  ) {}

  private get prefix(): string {
    return this.options.shard ? shardLedgerKeyPrefix(this.options.shard) : LEDGER_KEY_PREFIX;
  }

  private get paths(): string[] {
    return [cachePath(this.options.workspace, this.ledgerPath)];
  }

  /** Restore the newest cached ledger; returns the number of jobs it holds afterwards. */
  async restore(): Promise<number> {
    const ledger = createJsonFileLedger(this.ledgerPath);
    const local = await ledger.list();
    const { runId, runAttempt } = this.options;
    const hit = await this.cache.restore(this.paths, `${this.prefix}${runId}-${runAttempt}`, [this.prefix]);
    if (hit !== undefined) {
      for (const entry of local) await ledger.put(entry);
    }
    this.lastDigest = await this.digest();
    return (await ledger.list()).length;
  }

  /** Save the ledger when it changed since the last restore or save; true when it is in the cache. */
  save(): Promise<boolean> {
    const next = this.queue.then(async () => {
      const digest = await this.digest();
      if (digest === undefined) return false;
      if (digest === this.lastDigest) return true;
      const { runId, runAttempt, now } = this.options;
      const ok = await this.cache.save(this.paths, `${this.prefix}${runId}-${runAttempt}-${now()}`);
      if (ok) this.lastDigest = digest;
      return ok;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async digest(): Promise<string | undefined> {
    try {
      return createHash('sha256')
        .update(await readFile(this.ledgerPath))
        .digest('hex');
    } catch {
      return undefined;
    }
  }
}
