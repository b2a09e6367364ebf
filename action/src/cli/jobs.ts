import type { ScenarioJob } from '@scenario-video/core';
import type { JobsArgs } from './args.js';
import { pc } from './colors.js';
import { connect } from './connect.js';
import { formatCu } from './display.js';
import { EXIT, type CliIO } from './io.js';
import { apiFailure, failureExit } from './job.js';

/** The API serves at most 200 per page; 100 keeps one answer small. */
const PAGE_SIZE = 100;
/** Bound on pages read for one listing (image uploads are skipped, so a page may add few rows). */
const MAX_PAGES = 20;

/** One job as `jobs --json` prints it. */
export interface ListedJob {
  jobId: string;
  status: string;
  /** 0–1, or null when the API gave none. */
  progress: number | null;
  createdAt: string | null;
  jobType: string | null;
  modelId: string | null;
  /** The whole prompt the job was submitted with, or null. */
  prompt: string | null;
  creativeUnits: number | null;
  assetIds: string[];
}

export function listedJob(job: ScenarioJob): ListedJob {
  const input = job.metadata.input ?? {};
  const model = job.metadata.modelId ?? job.modelId;
  return {
    jobId: job.jobId,
    status: job.status,
    progress: job.progress ?? null,
    createdAt: typeof job.createdAt === 'string' ? job.createdAt : null,
    jobType: typeof job.jobType === 'string' ? job.jobType : null,
    modelId: typeof model === 'string' ? model : null,
    prompt: typeof input.prompt === 'string' ? input.prompt : null,
    creativeUnits: job.billing?.cuCost ?? null,
    assetIds: job.metadata.assetIds,
  };
}

/**
 * `scenario-video jobs`: the account's recent jobs, newest first, so a job whose submit went unanswered
 * (or that no prompt file names any more) can be found and fetched with `job <id> --download DIR`.
 * Image uploads are jobs too in Scenario's API; they are left out. `--json` prints one JSON document.
 */
export async function jobsCommand(args: JobsArgs, io: CliIO): Promise<number> {
  const connection = await connect(io, {
    fake: args.fake,
    quiet: args.json,
    ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
  });
  if (!connection) return EXIT.usage;
  const controller = new AbortController();
  const stopListening = io.onInterrupt?.(() => controller.abort(new Error('interrupted')));
  try {
    const jobs: ListedJob[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES && jobs.length <= args.limit; page++) {
      const list = await connection.client.listJobs(
        {
          pageSize: PAGE_SIZE,
          ...(args.status !== undefined ? { status: args.status } : {}),
          ...(token !== undefined ? { paginationToken: token } : {}),
        },
        { signal: controller.signal },
      );
      for (const job of list.jobs) if (job.jobType !== 'upload') jobs.push(listedJob(job));
      token = list.nextPaginationToken;
      if (token === undefined) break;
    }
    // Newest first, whatever order the pages came in (jobs without a date last).
    jobs.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    const more = jobs.length > args.limit || token !== undefined;
    const shown = jobs.slice(0, args.limit);

    if (args.json) {
      io.stdout.write(`${JSON.stringify({ jobs: shown, more })}\n`);
      return EXIT.ok;
    }
    if (shown.length === 0) {
      io.stderr.write(
        `No jobs${args.status !== undefined ? ` in status ${args.status}` : ''} yet.` +
          (connection.fake ? ' (The embedded fake starts empty each time.)' : '') +
          '\n',
      );
      return EXIT.ok;
    }
    io.stdout.write(jobsTable(shown, io.stdout.isTTY ? (io.stdout.columns ?? 100) : undefined));
    io.stderr.write(
      pc.dim(
        `${shown.length} job${shown.length === 1 ? '' : 's'}, newest first` +
          (more ? `; more with --limit ${Math.min(1000, args.limit * 2)}` : '') +
          '. Fetch one: scenario-video job <jobId> --download DIR\n',
      ),
    );
    return EXIT.ok;
  } catch (e) {
    if (controller.signal.aborted) return EXIT.interrupted;
    io.stderr.write(`scenario-video: ${apiFailure(e, connection, 'the job list')}\n`);
    return failureExit(e);
  } finally {
    stopListening?.();
    await connection.close();
  }
}

/** Local date and time, to the second: what a person compares with when they ran a render. */
export function formatCreated(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}

/**
 * The table: created, status, progress, creative units, job id, then the prompt's start, cut to the
 * terminal's width (to 60 characters when not a terminal), so the job id is always whole.
 */
export function jobsTable(jobs: readonly ListedJob[], width: number | undefined): string {
  const header = ['CREATED', 'STATUS', 'PROGRESS', 'CU', 'JOB ID', 'PROMPT'];
  const rows = jobs.map((j) => [
    formatCreated(j.createdAt),
    j.status,
    j.progress === null ? '-' : `${Math.round(j.progress * 100)}%`,
    j.creativeUnits === null ? '-' : formatCu(j.creativeUnits),
    j.jobId,
    (j.prompt ?? '').replace(/\s+/g, ' ').trim(),
  ]);
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([2, 3]);
  const fixed = widths.reduce((a, b) => a + b + 2, 0);
  const promptWidth = Math.max(10, (width ?? fixed + 60) - fixed - 1);
  const line = (cells: string[]) => {
    const head = cells
      .slice(0, -1)
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ');
    const prompt = cells.at(-1)!;
    return `${head}  ${prompt.length > promptWidth ? `${prompt.slice(0, promptWidth - 1)}…` : prompt}`.trimEnd();
  };
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
