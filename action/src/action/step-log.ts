import type { BatchEvent, VideoUpdate } from '../batch/events.js';
import type { ActionLog } from './ports.js';
import { formatCu, formatDuration } from './report.js';

/** A progress line each time a video crosses a quarter (25 %, 50 %, 75 %)… */
const PROGRESS_STEP = 0.25;
/** …and a "still …" line when a video has said nothing for this long (a render is minutes of polls). */
const QUIET_MS = 3 * 60_000;

/** What a job status means to someone reading the log (the API's own words otherwise). */
const STATUS_TEXT: Record<string, string> = {
  pending: 'pending on Scenario',
  queued: 'queued on Scenario',
  'warming-up': 'warming up',
  'in-progress': 'rendering',
  finalizing: 'finalizing',
};

/** Why a request is tried again, as a reader of the log needs it said. */
function retryCause(cause: string): string {
  switch (cause) {
    case 'rate_limited':
      return 'Scenario asked us to slow down (429)';
    case 'server':
      return 'Scenario answered with a server error';
    case 'network':
      return 'no answer from Scenario (network)';
    case 'output_expired':
      return "the video's download link expired";
    case 'download_incomplete':
      return 'the download was cut short';
    default:
      return cause;
  }
}

interface VideoLine {
  startedAt?: number;
  lastLineAt: number;
  status?: string;
  /** Quarters of progress already said (0–3). */
  quarter: number;
  bytes?: number;
  downloading: boolean;
  /** Its job runs on Scenario (submitted, not yet ended): what `tick` looks at. */
  running: boolean;
  /** The last progress the job reported (0–1). */
  progress?: number;
}

/**
 * The step log of a render: one line per state change per video (submitted, each job status, every
 * quarter of progress or a "still …" line after three quiet minutes, each retry with why and how
 * long, the team's limit, downloading, the end), all inside one collapsible group so the log of a
 * long batch reads as a heading that opens onto each video's story. Never a line per poll.
 *
 * Every line starts with the video's name (what the summary's table and the manifest call it);
 * untrusted text (the API's messages) is kept on one line so it can never start a workflow command.
 */
export class StepLog {
  private readonly videos = new Map<string, VideoLine>();
  private grouped = false;

  constructor(
    private readonly log: ActionLog,
    private readonly dryRun: boolean,
  ) {}

  event(event: BatchEvent): void {
    switch (event.type) {
      case 'planned':
        return this.planned(event);
      case 'limit':
        this.log.info(
          `Scenario runs at most ${event.limit} of the team's generations at once: the other videos wait for a slot ` +
            'and are submitted as soon as one of ours ends (nothing is paid while they wait).',
        );
        return;
      case 'video':
        return this.video(event);
      default:
        return;
    }
  }

  /**
   * A sign of life for each job that has said nothing for three minutes. The core polls a long render
   * rarely once it can tell when it will end, so the caller calls this on a timer (every 30 s or so):
   * the log never goes quiet for minutes while a job runs.
   */
  tick(now: number): void {
    for (const [name, v] of this.videos) {
      if (!v.running || now - v.lastLineAt < QUIET_MS) continue;
      v.lastLineAt = now;
      const text = STATUS_TEXT[v.status ?? ''] ?? (v.status || 'waiting for its first status');
      const percent =
        v.progress !== undefined && v.progress > 0 ? `, ${Math.round(v.progress * 100)}% at the last look` : '';
      const elapsed = v.startedAt !== undefined ? ` [${formatDuration(now - v.startedAt)}]` : '';
      this.log.info(`${name}: still ${text}${percent}${elapsed}`);
    }
  }

  /** Close the group (after the render, before the totals and annotations); idempotent. */
  end(): void {
    if (!this.grouped) return;
    this.grouped = false;
    this.log.endGroup();
  }

  private planned(event: Extract<BatchEvent, { type: 'planned' }>): void {
    const resumed = event.videos.filter((v) => v.action === 'resume').length;
    if (resumed > 0)
      this.log.info(`Ledger: ${resumed} video(s) resume a job of an earlier run instead of paying again.`);
    // Paid (or maybe paid) in an earlier run, and no prompt of this run matches: never silently dropped.
    for (const orphan of event.orphanJobs) this.log.warning(orphan.message, { title: `Paid job of ${orphan.name}` });
    if (event.videos.length === 0) return;
    const skip = event.videos.filter((v) => v.action === 'skip').length;
    const todo = event.videos.length - skip;
    const parts: string[] = [];
    if (resumed > 0) parts.push(`${resumed} resumed`);
    if (skip > 0) parts.push(`${skip} unchanged`);
    const n = (count: number) => `${count} video${count === 1 ? '' : 's'}`;
    const verb = this.dryRun ? 'Quoting' : 'Rendering';
    this.log.startGroup(
      todo === 0
        ? `${verb} nothing: ${n(skip)} unchanged`
        : `${verb} ${n(todo)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`,
    );
    this.grouped = true;
  }

  private video(event: VideoUpdate): void {
    const { name, phase, at } = event;
    let v = this.videos.get(name);
    if (!v) {
      v = { lastLineAt: at, quarter: 0, downloading: false, running: false };
      this.videos.set(name, v);
    }
    if (v.startedAt === undefined && phase !== 'queued' && phase !== 'skipped') v.startedAt = at;
    v.running = phase === 'submitted' || phase === 'waiting';
    if (event.progress !== undefined) v.progress = event.progress;
    const say = (text: string) => {
      v.lastLineAt = at;
      this.log.info(`${name}: ${oneLine(text)}`);
    };
    const took = () => (v.startedAt !== undefined ? ` in ${formatDuration(at - v.startedAt)}` : '');
    const job = event.jobId ?? '';

    // A retry starts: why, and how long it waits.
    if (event.retryDelayMs !== undefined) {
      if (event.retrying === 'rate_limited' && phase === 'queued') {
        say(
          event.retryDelayMs === 0
            ? "Scenario refused the submit at the team's limit; one of our jobs has ended: submitting again"
            : `waiting for a team slot: Scenario refused the submit at the team's limit; trying again in ${formatDelay(event.retryDelayMs)}`,
        );
      } else {
        const attempt = event.retryAttempt !== undefined ? ` (attempt ${event.retryAttempt})` : '';
        const wait =
          event.retryDelayMs === 0 ? 'trying again now' : `trying again in ${formatDelay(event.retryDelayMs)}`;
        say(`${retryCause(event.retrying ?? 'error')}${attempt}; ${wait}`);
      }
      return;
    }

    switch (phase) {
      case 'queued':
        return;
      case 'skipped':
        return say(`unchanged, kept ${event.file ?? ''}`.trimEnd());
      case 'uploading':
        if (v.status === 'uploading') return;
        v.status = 'uploading';
        return say('uploading its image');
      case 'submitted':
        v.status = undefined;
        if (event.resumed) return say(`resumed ${job}, submitted by an earlier run (not paid again)`);
        if (event.recovered) {
          return say(`submitted ${job}: the answer was lost, and the job was found among the recent jobs (paid once)`);
        }
        return say(
          `submitted ${job}${event.creativeUnits !== undefined ? ` (${formatCu(event.creativeUnits)} creative units)` : ''}`,
        );
      case 'waiting':
        return this.waiting(v, event, say);
      case 'downloading':
        if (event.bytes !== undefined) v.bytes = event.bytes;
        if (v.downloading) return;
        v.downloading = true;
        return say(`downloading${event.total ? ` ${formatBytes(event.total)}` : ''}`);
      case 'rendered':
        return say(
          `downloaded ${event.file ?? ''}${v.bytes !== undefined ? ` (${formatBytes(v.bytes)})` : ''}${took()}`,
        );
      case 'quoted':
        return say(
          event.resumed
            ? `${formatCu(event.creativeUnits)} creative units: job ${job} of an earlier run resumes for free`
            : `${formatCu(event.creativeUnits)} creative units`,
        );
      case 'failed':
        return say(`failed${took()}: ${event.error?.message ?? 'unknown error'}`);
      case 'interrupted':
        return say(
          event.jobId
            ? `stopped waiting for ${job}; it keeps running on Scenario and a re-run resumes it`
            : 'not submitted',
        );
    }
  }

  /** While a job runs: its status changes, each quarter of progress, and a sign of life every few minutes. */
  private waiting(v: VideoLine, event: VideoUpdate, say: (text: string) => void): void {
    const status = event.status ?? v.status ?? '';
    // `success` is followed by the download's own line; `failure` and `canceled` by the failure's.
    if (status === 'success' || status === 'failure' || status === 'canceled') return;
    const progress = event.progress;
    const quarter = progress !== undefined ? Math.min(3, Math.floor(progress / PROGRESS_STEP + 1e-9)) : v.quarter;
    const percent = progress !== undefined && progress > 0 ? ` ${Math.round(progress * 100)}%` : '';
    const text = STATUS_TEXT[status] ?? status;
    const elapsed = v.startedAt !== undefined ? ` [${formatDuration(event.at - v.startedAt)}]` : '';
    if (status !== v.status || quarter > v.quarter) {
      v.status = status;
      v.quarter = Math.max(v.quarter, quarter);
      say(`${text}${percent}${elapsed}`);
    } else if (event.at - v.lastLineAt >= QUIET_MS) {
      say(`still ${text}${percent}${elapsed}`);
    }
  }
}

/** A retry's pause: tenths under ten seconds (most are), as the summary's durations above. */
function formatDelay(ms: number): string {
  return ms < 10_000 ? `${Math.max(0.1, Math.round(ms / 100) / 10)}s` : formatDuration(ms);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}
