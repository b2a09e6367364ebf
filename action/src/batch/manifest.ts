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
  /** The submit got no answer and its job was found among the recent jobs and adopted (paid once). */
  recovered?: boolean;
  error: ManifestError | null;
}

/**
 * A job the ledger holds from an earlier run that no video of this run matches any more (its prompt
 * changed or was removed). It was paid: it is listed until it is fetched, with how to fetch it.
 * Without `jobId`, a submit of an earlier run got no answer and its job was not found yet: it may have
 * been made (and charged); `scenario-video jobs` lists the recent jobs.
 */
export interface ManifestOrphan {
  name: string;
  jobId: string | null;
  /** When it was submitted (or, without a job id, when the unanswered submit was sent). */
  submittedAt: string;
  creativeUnits: number | null;
  /** What to do about it, in one sentence with the command. */
  message: string;
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
     * Charged for the jobs this run submitted or adopted, as Scenario charges them: delivered ones, and
     * ones still running on Scenario (interrupted, or timed out on our side); failed and canceled jobs
     * are refunded. For a dry run, the quote.
     */
    creativeUnits: number;
    /** The share of `creativeUnits` for jobs still running on Scenario (their videos are not here yet). */
    creativeUnitsRunning: number;
    /** Jobs of this run still running on Scenario (interrupted, or timed out on our side): resumable by id. */
    jobsRunning: number;
    /** Jobs that failed on Scenario (refunded, not in `creativeUnits`). */
    refundedJobs: number;
    /** Jobs paid in earlier runs that no video of this run matches (see `orphans`). */
    orphans: number;
  };
  videos: ManifestVideo[];
  issues: ManifestIssue[];
  orphans: ManifestOrphan[];
  /** This run's part of a matrix (`shard: i/n`): its videos are the ones the stable hash gives it. */
  shard?: { index: number; count: number };
}

/** Error codes of jobs Scenario ended badly: it refunds them. */
const REFUNDED = new Set(['job_failed', 'job_canceled']);
/** Error codes of jobs that still run on Scenario: we stopped waiting, the job goes on (and is charged). */
const STILL_RUNNING = new Set(['timed_out', 'aborted']);

/** Does this video's job still run on Scenario (we stopped waiting: interrupted, or timed out)? */
export function stillRunning(v: ManifestVideo): boolean {
  if (v.jobId === null) return false;
  return v.status === 'interrupted' || (v.status === 'failed' && v.error !== null && STILL_RUNNING.has(v.error.code));
}

/** Is this video's job charged by Scenario in this run (submitted or adopted here, and not refunded)? */
export function charged(v: ManifestVideo): boolean {
  if (v.resumed || v.jobId === null) return false;
  if (v.status === 'rendered' || v.status === 'interrupted') return true;
  // Failed and canceled jobs are refunded; a timed-out job, or one delivered by Scenario but not
  // downloaded here, is charged all the same.
  return v.status === 'failed' && v.error !== null && !REFUNDED.has(v.error.code);
}

export function summarize(
  videos: ManifestVideo[],
  issues: ManifestIssue[],
  options: { dryRun: boolean; now: Date; orphans?: ManifestOrphan[]; shard?: { index: number; count: number } },
): Manifest {
  const count = (s: VideoStatus) => videos.filter((v) => v.status === s).length;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const sum = (list: ManifestVideo[]) => list.reduce((total, v) => total + (v.creativeUnits ?? 0), 0);
  const spent = options.dryRun
    ? sum(videos.filter((v) => v.status === 'quoted' && !v.resumed))
    : sum(videos.filter(charged));
  const running = sum(videos.filter((v) => charged(v) && stillRunning(v)));
  const orphans = options.orphans ?? [];
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
      creativeUnits: round(spent),
      creativeUnitsRunning: round(running),
      jobsRunning: videos.filter(stillRunning).length,
      refundedJobs: videos.filter((v) => v.status === 'failed' && v.error && REFUNDED.has(v.error.code) && v.jobId)
        .length,
      orphans: orphans.length,
    },
    videos,
    issues,
    orphans,
    ...(options.shard ? { shard: { index: options.shard.index, count: options.shard.count } } : {}),
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
