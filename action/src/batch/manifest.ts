import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

/**
 * - `rendered`: rendered and downloaded in this run (or resumed from the ledger and downloaded).
 * - `skipped`: unchanged since an earlier run whose output is still there; nothing was spent.
 * - `failed`: the render failed (`error` says why; `jobId` names the job when one was made).
 * - `interrupted`: the run was stopped while waiting; the job is in the ledger and the next run resumes it.
 * - `quoted`: dry run; `creativeUnits` is the API's quote, nothing was rendered.
 */
export type VideoStatus = 'rendered' | 'skipped' | 'failed' | 'interrupted' | 'quoted';

export interface ManifestError {
  code: string;
  message: string;
  jobId?: string;
  reason?: string;
  hint?: string;
  traceId?: string;
  retryable?: boolean;
}

export interface ManifestVideo {
  name: string;
  /** The prompt file, relative to the repository root. */
  source: string;
  /** SHA-256 of model + prompt + parameters + input image bytes. */
  hash: string;
  jobId: string | null;
  status: VideoStatus;
  /** The MP4, relative to the manifest's folder. */
  file: string | null;
  bytes: number | null;
  /** Creative units the job cost (for `skipped`, what the earlier render cost; for `quoted`, the quote). */
  creativeUnits: number | null;
  /** The job was submitted by an earlier run and resumed from the ledger (nothing paid in this run). */
  resumed?: boolean;
  error: ManifestError | null;
}

export interface ManifestIssue {
  file: string;
  line: number;
  column?: number;
  field: string;
  message: string;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  dryRun: boolean;
  totals: {
    videos: number;
    rendered: number;
    skipped: number;
    failed: number;
    interrupted: number;
    /** Prompt files with errors (their videos are not listed). */
    invalidFiles: number;
    /**
     * Spent on jobs submitted in this run (rendered, or still running after an interruption; failed jobs
     * are refunded), or the quote of a dry run.
     */
    creativeUnits: number;
  };
  videos: ManifestVideo[];
  issues: ManifestIssue[];
}

export function summarize(
  videos: ManifestVideo[],
  issues: ManifestIssue[],
  options: { dryRun: boolean; now: Date },
): Manifest {
  const count = (s: VideoStatus) => videos.filter((v) => v.status === s).length;
  const spent = videos
    .filter((v) => (v.status === 'rendered' || v.status === 'interrupted' || v.status === 'quoted') && !v.resumed)
    .reduce((sum, v) => sum + (v.creativeUnits ?? 0), 0);
  return {
    version: MANIFEST_VERSION,
    createdAt: options.now.toISOString(),
    dryRun: options.dryRun,
    totals: {
      videos: videos.length,
      rendered: count('rendered'),
      skipped: count('skipped'),
      failed: count('failed'),
      interrupted: count('interrupted'),
      invalidFiles: new Set(issues.map((i) => i.file)).size,
      creativeUnits: Math.round(spent * 1000) / 1000,
    },
    videos,
    issues,
  };
}

/** The manifest of an earlier run in `outDir`, or undefined when there is none or it is unreadable. */
export async function readManifest(outDir: string): Promise<Manifest | undefined> {
  try {
    const data = JSON.parse(await readFile(path.join(outDir, MANIFEST_FILE), 'utf8')) as Partial<Manifest>;
    if (data.version !== MANIFEST_VERSION || !Array.isArray(data.videos)) return undefined;
    return data as Manifest;
  } catch {
    return undefined;
  }
}

/** Write `outDir/manifest.json` atomically (temp file + rename): a reader never sees half a manifest. */
export async function writeManifest(outDir: string, manifest: Manifest): Promise<string> {
  return writeJsonAtomic(path.join(outDir, MANIFEST_FILE), manifest);
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return file;
}
