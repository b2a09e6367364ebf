import path from 'node:path';
import { createLogUpdate } from 'log-update';
import { pc } from './colors.js';
import type { BatchEvent, VideoPhase, VideoUpdate } from '../batch/events.js';
import type { Manifest } from '../batch/manifest.js';

/** Renders batch events for a person (live or plain) or a machine (JSON Lines). */
export interface Display {
  event(event: BatchEvent): void;
  /** A line for a person (ignored in JSON mode, where only events are printed). */
  note(text: string): void;
  /** Stop refreshing and leave the final state on screen. */
  close(): void;
}

export interface DisplayStreams {
  out: NodeJS.WritableStream & { columns?: number };
  err: NodeJS.WritableStream;
  /** Paths inside this folder are shown relative to it (the working directory). */
  cwd?: string;
}

export type DisplayMode = 'live' | 'plain' | 'json';

export function createDisplay(mode: DisplayMode, streams: DisplayStreams, now: () => number = Date.now): Display {
  if (mode === 'json') return new JsonDisplay(streams);
  if (mode === 'live') return new LiveDisplay(streams, now);
  return new PlainDisplay(streams, now);
}

const TERMINAL: ReadonlySet<VideoPhase> = new Set(['skipped', 'rendered', 'quoted', 'failed', 'interrupted']);

/** One line per event: every line is a JSON object with a `type`; the last one is `finished`. */
class JsonDisplay implements Display {
  constructor(private readonly streams: DisplayStreams) {}
  event(event: BatchEvent): void {
    this.streams.out.write(`${JSON.stringify(event)}\n`);
  }
  note(): void {}
  close(): void {}
}

interface Row {
  name: string;
  source: string;
  phase: VideoPhase;
  startedAt?: number;
  endedAt?: number;
  jobId?: string;
  status?: string;
  progress?: number;
  bytes?: number;
  total?: number;
  creativeUnits?: number;
  file?: string;
  error?: string;
  retrying?: string;
  resumed?: boolean;
}

/** Shared bookkeeping of the per-video rows. */
abstract class HumanDisplay implements Display {
  protected readonly rows = new Map<string, Row>();

  constructor(
    protected readonly streams: DisplayStreams,
    protected readonly now: () => number,
  ) {}

  abstract note(text: string): void;
  abstract close(): void;
  protected abstract changed(row: Row, previous: Row | undefined, event: VideoUpdate): void;
  protected abstract finished(event: Extract<BatchEvent, { type: 'finished' }>): void;

  event(event: BatchEvent): void {
    switch (event.type) {
      case 'discovered':
        if (event.files.length === 0) this.note(pc.yellow('No prompt files found.'));
        for (const pattern of event.unmatched) this.note(pc.yellow(`No file matches ${pattern}`));
        return;
      case 'invalid':
        for (const i of event.issues) {
          const where = i.column === undefined ? `${i.file}:${i.line}` : `${i.file}:${i.line}:${i.column}`;
          this.note(`${pc.red('error')} ${where}: ${pc.bold(i.field)}: ${i.message}`);
        }
        return;
      case 'planned': {
        for (const v of event.videos) {
          this.rows.set(v.name, { name: v.name, source: v.source, phase: v.action === 'skip' ? 'skipped' : 'queued' });
        }
        const skip = event.videos.filter((v) => v.action === 'skip').length;
        const resume = event.videos.filter((v) => v.action === 'resume').length;
        const todo = event.videos.length - skip;
        const parts = [`${todo} to ${event.videos.some((v) => v.action === 'quote') ? 'quote' : 'render'}`];
        if (resume > 0) parts.push(`${resume} resumed from the ledger`);
        if (skip > 0) parts.push(`${skip} unchanged`);
        this.note(`${event.videos.length} video${event.videos.length === 1 ? '' : 's'}: ${parts.join(', ')}`);
        for (const orphan of event.orphanJobs) {
          this.note(pc.yellow(orphan.message));
        }
        return;
      }
      case 'video': {
        const previous = this.rows.get(event.name);
        const row: Row = { ...(previous ?? { name: event.name, source: event.source, phase: event.phase }) };
        row.phase = event.phase;
        if (row.startedAt === undefined && event.phase !== 'queued' && event.phase !== 'skipped') {
          row.startedAt = event.at;
        }
        if (TERMINAL.has(event.phase)) row.endedAt = event.at;
        if (event.jobId !== undefined) row.jobId = event.jobId;
        if (event.status !== undefined) row.status = event.status;
        if (event.progress !== undefined) row.progress = event.progress;
        if (event.bytes !== undefined) row.bytes = event.bytes;
        if (event.total !== undefined) row.total = event.total;
        if (event.creativeUnits !== undefined) row.creativeUnits = event.creativeUnits;
        if (event.file !== undefined) row.file = event.file;
        if (event.resumed) row.resumed = true;
        row.retrying = event.retrying;
        if (event.error) row.error = event.error.message;
        this.rows.set(event.name, row);
        this.changed(row, previous, event);
        return;
      }
      case 'finished':
        this.finished(event);
        return;
    }
  }

  protected summary(event: Extract<BatchEvent, { type: 'finished' }>): string[] {
    const { manifest } = event;
    const t = manifest.totals;
    const files = t.invalidFiles > 0 ? [`${t.invalidFiles} invalid file${t.invalidFiles === 1 ? '' : 's'}`] : [];
    const lines = [manifest.dryRun ? dryRunSummary(manifest) : spentSummary(manifest, files)];
    if (manifest.dryRun && files.length > 0) lines[0] = `${lines[0]!.replace(/\.$/, '')}; ${files[0]}.`;
    lines.push(`Manifest: ${showPath(event.manifestPath, this.streams.cwd)}`);
    return lines;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function spentSummary(manifest: Manifest, files: string[]): string {
  const t = manifest.totals;
  const parts = [`${t.rendered} rendered`, `${t.skipped} unchanged`, `${t.failed} failed`];
  if (t.interrupted > 0) parts.push(`${t.interrupted} interrupted`);
  if (t.jobsRunning > 0) parts.push(`${plural(t.jobsRunning, 'job')} still running on Scenario`);
  parts.push(...files);
  // The same figures as the manifest and the Action: every job Scenario charges, refunds apart.
  const running = t.creativeUnitsRunning > 0 ? ` (${formatCu(t.creativeUnitsRunning)} for jobs still running)` : '';
  const refunded = t.refundedJobs > 0 ? `; ${plural(t.refundedJobs, 'failed job')} refunded by Scenario` : '';
  return `${parts.join(', ')}; ${formatCu(t.creativeUnits)} creative units spent${running}${refunded}.`;
}

/**
 * A dry run: the quote, in one sentence ("Quoted 3 videos: 21.75 creative units in all; nothing was
 * rendered."). Videos validated offline (no credentials) have no quote and say why.
 */
function dryRunSummary(manifest: Manifest): string {
  const quoted = manifest.videos.filter((v) => v.status === 'quoted' && v.creativeUnits !== null).length;
  const unquoted = manifest.videos.filter((v) => v.status === 'quoted' && v.creativeUnits === null).length;
  const failed = manifest.totals.failed;
  const parts: string[] = [];
  if (quoted > 0 || (unquoted === 0 && failed === 0)) {
    parts.push(`Quoted ${plural(quoted, 'video')}: ${formatCu(manifest.totals.creativeUnits)} creative units in all`);
  }
  if (unquoted > 0) {
    parts.push(
      `${plural(unquoted, 'video')} valid, not quoted (Scenario quotes the cost; that needs ` +
        'SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET)',
    );
  }
  if (failed > 0) parts.push(`${failed} could not be quoted`);
  return `${parts.join('; ')}; nothing was rendered.`;
}

/** No TTY (CI logs, pipes): one line per state change, no progress bars. */
class PlainDisplay extends HumanDisplay {
  note(text: string): void {
    this.streams.err.write(`${text}\n`);
  }

  close(): void {}

  protected changed(row: Row, previous: Row | undefined, event: VideoUpdate): void {
    // Only state changes: a new phase, a new job status, or the start of a retry.
    const samePhase = previous?.phase === row.phase;
    const sameStatus = previous?.status === row.status;
    const newRetry = event.retrying !== undefined && previous?.retrying !== event.retrying;
    if (samePhase && sameStatus && !newRetry && previous !== undefined) return;
    // A queued video is news only when it waits for something (a team slot).
    if (event.phase === 'queued' && !newRetry) return;
    this.streams.err.write(`${this.describe(row, event)}\n`);
  }

  protected finished(event: Extract<BatchEvent, { type: 'finished' }>): void {
    for (const line of this.summary(event)) this.streams.err.write(`${line}\n`);
  }

  private describe(row: Row, event: VideoUpdate): string {
    const elapsed =
      row.startedAt !== undefined ? ` [${formatDuration((row.endedAt ?? event.at) - row.startedAt)}]` : '';
    // Waiting for a slot says why, in full: a log has room, and minutes of silence need explaining.
    if (event.retrying === 'rate_limited') {
      const job = row.jobId ? ` ${row.jobId}` : '';
      return `${row.name}: ${TEAM_SLOT_WAIT}${job}${elapsed}`;
    }
    return `${row.name}: ${phaseText(row, event.retrying)}${elapsed}`;
  }
}

/** What a video refused for the team's limit (429 `actionLimit`) is doing, and why. */
const TEAM_SLOT_WAIT =
  "waiting for a team slot: the team's limit of generations at once is reached; it is submitted as soon as one ends";

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A TTY: a block of rows redrawn in place (log-update), with progress bars and elapsed times. */
class LiveDisplay extends HumanDisplay {
  private readonly log: ReturnType<typeof createLogUpdate>;
  private readonly timer: ReturnType<typeof setInterval>;
  private frame = 0;
  private closed = false;
  private final = false;

  constructor(streams: DisplayStreams, now: () => number) {
    super(streams, now);
    this.log = createLogUpdate(streams.err as NodeJS.WriteStream);
    this.timer = setInterval(() => this.draw(), 120);
    this.timer.unref();
  }

  note(text: string): void {
    if (this.closed) this.streams.err.write(`${text}\n`);
    else this.log.persist(text);
  }

  close(): void {
    if (this.closed) return;
    // The last frame lists every video, however many.
    this.final = true;
    this.draw();
    this.closed = true;
    clearInterval(this.timer);
    this.log.done();
  }

  protected changed(): void {
    this.draw();
  }

  protected finished(event: Extract<BatchEvent, { type: 'finished' }>): void {
    this.close();
    for (const line of this.summary(event)) this.streams.err.write(`${line}\n`);
  }

  private draw(): void {
    if (this.closed || this.rows.size === 0) return;
    this.frame = (this.frame + 1) % SPINNER.length;
    const width = (this.streams.err as { columns?: number }).columns ?? 100;
    const nameWidth = Math.min(28, Math.max(...[...this.rows.keys()].map((n) => n.length)));
    // More videos than the terminal has rows: show the ones in flight (and failures), count the rest.
    const height = Math.max(5, ((this.streams.err as { rows?: number }).rows ?? 24) - 4);
    let rows = [...this.rows.values()];
    let rest = '';
    if (rows.length > height && !this.final) {
      const active = rows.filter((r) => r.phase !== 'queued' && (!TERMINAL.has(r.phase) || r.phase === 'failed'));
      const shown = active.slice(0, height - 1);
      const count = (phases: VideoPhase[]) => rows.filter((r) => phases.includes(r.phase)).length;
      const hidden = active.length - shown.length;
      rest = pc.dim(
        `  … ${count(['rendered', 'quoted'])} done, ${count(['skipped'])} unchanged, ${count(['queued'])} queued` +
          (hidden > 0 ? `, ${hidden} more in flight` : ''),
      );
      rows = shown;
    }
    const lines = rows.map((row) => {
      const icon = iconOf(row.phase, SPINNER[this.frame]!);
      const name = row.name.length > nameWidth ? `${row.name.slice(0, nameWidth - 1)}…` : row.name.padEnd(nameWidth);
      const bar = row.phase === 'waiting' || row.phase === 'downloading' ? `${progressBar(row)} ` : '';
      const elapsed =
        row.startedAt !== undefined
          ? pc.dim(formatDuration((row.endedAt ?? this.now()) - row.startedAt).padStart(6))
          : '';
      // The job id is what recovers a paid video: a narrow terminal cuts the text before it, never it.
      const tail = `${row.jobId ? pc.dim(` ${row.jobId}`) : ''} ${elapsed}`;
      const text = phaseText(row, row.retrying, bar !== '', false);
      const fit = (head: string) => {
        const room = width - 1 - visibleLength(head) - visibleLength(tail);
        return room >= 8 ? `${head}${truncate(text, room)}${tail}` : undefined;
      };
      return (
        fit(`${icon} ${name}  ${bar}`) ??
        fit(`${icon} ${name}  `) ??
        `${truncate(`${icon} ${name}`, Math.max(2, width - 1 - visibleLength(tail)))}${tail}`
      );
    });
    if (rest !== '') lines.push(rest);
    this.log(lines.join('\n'));
  }
}

function iconOf(phase: VideoPhase, spinner: string): string {
  switch (phase) {
    case 'rendered':
      return pc.green('✔');
    case 'quoted':
      return pc.green('$');
    case 'skipped':
      return pc.dim('↷');
    case 'failed':
      return pc.red('✖');
    case 'interrupted':
      return pc.yellow('■');
    case 'queued':
      return pc.dim('·');
    default:
      return pc.cyan(spinner);
  }
}

function progressBar(row: Row): string {
  const ratio =
    row.phase === 'downloading'
      ? row.total
        ? (row.bytes ?? 0) / row.total
        : 0
      : Math.max(0, Math.min(1, row.progress ?? 0));
  const cells = 16;
  const full = Math.round(ratio * cells);
  return `${pc.cyan('█'.repeat(full))}${pc.dim('░'.repeat(cells - full))} ${String(Math.round(ratio * 100)).padStart(3)}%`;
}

function retryText(cause: string): string {
  switch (cause) {
    case 'rate_limited':
      return 'waiting for a team slot';
    case 'server':
      return 'retrying: Scenario answered with a server error';
    case 'network':
      return 'retrying: no answer from Scenario';
    default:
      return `retrying: ${cause}`;
  }
}

/** What a row says; `withJob` false when the caller places the job id itself (the live display). */
function phaseText(row: Row, retrying: string | undefined, withBar = false, withJob = true): string {
  const job = row.jobId && withJob ? pc.dim(` ${row.jobId}`) : '';
  const cu = row.creativeUnits !== undefined ? ` (${formatCu(row.creativeUnits)} CU)` : '';
  const retry = retrying ? pc.yellow(` ${retryText(retrying)}`) : '';
  switch (row.phase) {
    case 'queued':
      return retrying === 'rate_limited' ? pc.yellow(retryText(retrying)) : pc.dim('queued');
    case 'skipped':
      return pc.dim(`unchanged, kept ${row.file ?? ''}`.trim());
    case 'uploading':
      return `uploading images${retry}`;
    case 'submitted':
      return `${row.resumed ? 'resumed' : 'submitted'}${job}${cu}${retry}`;
    case 'waiting': {
      const pct = row.progress !== undefined && !withBar ? ` ${Math.round(row.progress * 100)}%` : '';
      return `${row.status ?? 'waiting'}${pct}${job}${retry}`;
    }
    case 'downloading':
      return `downloading ${formatBytes(row.bytes ?? 0)}${row.total ? ` of ${formatBytes(row.total)}` : ''}${job}${retry}`;
    case 'rendered':
      return (
        pc.green(`${row.file ?? 'done'}${row.bytes !== undefined ? ` (${formatBytes(row.bytes)})` : ''}`) + job + cu
      );
    case 'quoted':
      return `quote: ${formatCu(row.creativeUnits ?? 0)} CU`;
    case 'failed':
      return (
        pc.red(`failed: ${row.error ?? 'unknown error'}`) + (row.jobId && row.error?.includes(row.jobId) ? '' : job)
      );
    case 'interrupted':
      // Stopped before its submit: nothing runs and nothing was paid.
      if (!row.jobId) return pc.yellow('not started');
      return pc.yellow('stopped waiting; the job keeps running (in the ledger)') + job;
  }
}

/** A path relative to `cwd` when it is inside it, else absolute. */
export function showPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined) return file;
  const rel = path.relative(cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (h > 0) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCu(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Characters a terminal shows: colour codes take no room. */
function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

function truncate(line: string, width: number): string {
  // Keep colour codes intact: count visible characters only.
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      const end = line.indexOf('m', i);
      if (end > 0) {
        out += line.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= width) break;
    out += line[i];
    visible++;
  }
  return out + (visible >= width ? '\u001b[0m' : '');
}
