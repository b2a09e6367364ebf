import { Buffer } from 'node:buffer';
import path from 'node:path';
import type { Manifest, ManifestVideo, VideoStatus } from '../batch/manifest.js';

/** What the job summary and the PR comment show besides the manifest. */
export interface ReportContext {
  manifest: Manifest;
  /** Per video name: milliseconds from the first request to the end (this run only). */
  durations: ReadonlyMap<string, number>;
  artifact: { name: string; url: string | undefined; id?: number } | undefined;
  /**
   * With `artifact-per-video`: each delivered video's own artifact (unzipped, named by its file), by
   * video name; `artifact` then holds `manifest.json`.
   */
  videoArtifacts?: ReadonlyMap<string, { name: string; url: string | undefined; id?: number }>;
  /** Why nothing was rendered, when that is the case (dry run, validation only, cancelled). */
  mode: 'render' | 'dry-run' | 'validate-only';
  interrupted: boolean;
  /** Quotes are unknown (validation without credentials). */
  note?: string;
}

const STATUS_LABEL: Record<VideoStatus, string> = {
  rendered: '✅ rendered',
  skipped: '♻️ unchanged',
  failed: '❌ failed',
  interrupted: '⏸️ interrupted',
  quoted: '💲 quoted',
};

/** Markdown table cells: no pipes, no HTML, no line breaks. */
export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatCu(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return String(Math.round(value * 1000) / 1000);
}

/** The headline: what happened and what it cost. */
export function headline(ctx: ReportContext): string {
  const t = ctx.manifest.totals;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ctx.mode === 'validate-only') {
    return `Validated ${plural(ctx.manifest.videos.length, 'video')}${
      t.invalidFiles > 0 ? `; ${plural(t.invalidFiles, 'prompt file')} with errors` : ''
    }. Nothing was rendered.`;
  }
  if (ctx.mode === 'dry-run') {
    return `Dry run: ${plural(t.videos, 'video')} would cost **${formatCu(t.creativeUnits)} creative units**${
      t.skipped > 0 ? ` (${t.skipped} unchanged, free)` : ''
    }${t.failed > 0 ? `; ${t.failed} could not be quoted` : ''}${
      t.invalidFiles > 0 ? `; ${plural(t.invalidFiles, 'prompt file')} with errors` : ''
    }. Nothing was rendered.`;
  }
  const parts = [`${t.rendered} rendered`, `${t.skipped} unchanged`, `${t.failed} failed`];
  if (t.interrupted > 0) parts.push(`${t.interrupted} interrupted`);
  if (t.invalidFiles > 0) parts.push(`${plural(t.invalidFiles, 'invalid prompt file')}`);
  return `${parts.join(' · ')} · ${spendLine(t)}`;
}

/**
 * What this run was charged, as Scenario charges it: every job it submitted or adopted that Scenario
 * bills (delivered, or still running after we stopped waiting), with the still-running share apart;
 * failed jobs are refunded.
 */
export function spendLine(t: Manifest['totals']): string {
  const running =
    t.creativeUnitsRunning > 0
      ? ` (${formatCu(t.creativeUnitsRunning)} of them for jobs still running on Scenario)`
      : '';
  const refunded =
    t.refundedJobs > 0 ? `; ${t.refundedJobs} failed job${t.refundedJobs === 1 ? '' : 's'} refunded by Scenario` : '';
  return `**${formatCu(t.creativeUnits)} creative units** spent in this run${running}${refunded}`;
}

/** Where a delivered video is: its own artifact, or its file inside the one zip. */
function artifactCell(v: ManifestVideo, ctx: ReportContext): string {
  if (!v.file || (v.status !== 'rendered' && v.status !== 'skipped')) return '—';
  const own = ctx.videoArtifacts?.get(v.name);
  if (own) return own.url ? `[${cell(own.name)}](${own.url})` : cell(own.name);
  // One artifact per video, and this one's upload failed (the log says why): it is not in the zip either.
  if (ctx.videoArtifacts) return 'not uploaded';
  if (!ctx.artifact) return '—';
  const label = `${cell(ctx.artifact.name)}/${cell(v.file)}`;
  return ctx.artifact.url ? `[${label}](${ctx.artifact.url})` : label;
}

/** A row's status; a video validated without credentials was checked, not quoted. */
function statusCell(v: ManifestVideo, ctx: ReportContext): string {
  if (ctx.mode === 'validate-only' && v.status === 'quoted') return '✔️ valid';
  return `${STATUS_LABEL[v.status]}${v.resumed ? ' (resumed)' : ''}`;
}

/**
 * The table's columns for what the run did: a render has durations and artifacts; a dry run quotes in
 * a moment and uploads nothing; a validation without credentials has no quote either.
 */
function tableColumns(ctx: ReportContext): Array<{ title: string; value: (v: ManifestVideo) => string }> {
  const columns = [
    { title: 'Video', value: (v: ManifestVideo) => cell(v.name) },
    { title: 'Source file', value: (v: ManifestVideo) => code(v.source) },
    { title: 'Status', value: (v: ManifestVideo) => statusCell(v, ctx) },
  ];
  if (ctx.mode === 'validate-only') return columns;
  columns.push({ title: 'Job id', value: (v) => (v.jobId ? code(v.jobId) : '—') });
  if (ctx.mode === 'render') {
    columns.push({ title: 'Duration', value: (v) => formatDuration(ctx.durations.get(v.name)) });
  }
  columns.push({ title: 'Creative units', value: (v) => formatCu(v.creativeUnits) });
  if (ctx.mode === 'render') columns.push({ title: 'Artifact', value: (v) => artifactCell(v, ctx) });
  return columns;
}

/** GitHub refuses a job summary over 1 MiB (and then shows none). */
export const SUMMARY_MAX_BYTES = 1024 * 1024;
/** GitHub refuses a pull request comment over 65 536 characters. */
export const COMMENT_MAX_CHARS = 65_536;

/** One list of the report: its rows, and what it says when only some of them fit. */
interface ReportList {
  head: string[];
  rows: string[];
  more: (n: number) => string;
}

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The results as markdown: headline, table, prompt-file problems and failures, in at most
 * `maxBytes` bytes of UTF-8 (a character is never more than its bytes, so a byte budget also holds
 * for GitHub's limit on comment characters). When everything does not fit, the failures keep
 * their rows first (they name the job to recover), then the prompt-file errors, then the table;
 * each cut list ends by saying how many rows it left out and where they all are.
 */
export function reportMarkdown(ctx: ReportContext, maxBytes = SUMMARY_MAX_BYTES): string {
  const { manifest } = ctx;
  // A matrix job says which part it is: its summary and comment are one of several.
  const shard = manifest.shard ? ` · shard ${manifest.shard.index} of ${manifest.shard.count}` : '';
  const top: string[] = [`### Scenario videos${shard}`, '', headline(ctx), ''];
  if (ctx.note) top.push(`> ${ctx.note}`, '');
  if (ctx.interrupted) {
    top.push(
      '> The run was cancelled while waiting. Submitted jobs are kept in the ledger (saved to the Actions cache): ' +
        're-run the workflow to resume them without paying again.',
      '',
    );
  }
  const where = ctx.artifact ? `\`manifest.json\` in the artifact ${cell(ctx.artifact.name)}` : '`manifest.json`';
  const more = (what: string) => (n: number) => `- …and ${n} more ${what}: every one is in ${where}.`;
  const columns = tableColumns(ctx);
  const table: ReportList = {
    head: [`| ${columns.map((c) => c.title).join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`],
    rows: manifest.videos.map((v) => `| ${columns.map((c) => c.value(v)).join(' | ')} |`),
    more: (n) => `\n${more('videos')(n)}`,
  };
  const issues: ReportList = {
    head: ['#### Prompt file errors', ''],
    rows: manifest.issues.map((i) => {
      const at = i.column === undefined ? `${i.file}:${i.line}` : `${i.file}:${i.line}:${i.column}`;
      return `- ${code(at)} ${cell(i.field)}: ${cell(i.message)}`;
    }),
    more: more('prompt file errors'),
  };
  const failures: ReportList = {
    head: ['#### Failures', ''],
    rows: manifest.videos
      .filter((v) => v.status === 'failed' && v.error)
      .map((v) => {
        const e = v.error!;
        // The core's message may already carry the API's hint: say it once.
        const hint = e.hint && !e.message.includes(e.hint) ? `hint: ${e.hint}` : '';
        const extra = [hint, e.traceId ? `trace id: ${e.traceId}` : ''].filter(Boolean).join('; ');
        return `- **${cell(v.name)}** (${code(v.source)}${v.jobId ? `, job ${code(v.jobId)}` : ''}): ${code(e.code)} ${cell(
          e.message,
        )}${extra ? ` (${cell(extra)})` : ''}`;
      }),
    more: more('failures'),
  };
  const orphans: ReportList = {
    head: ['#### Paid in earlier runs, no prompt matches them any more', ''],
    rows: manifest.orphans.map(
      (o) =>
        `- **${cell(o.name)}**${o.jobId ? `, job ${code(o.jobId)}` : ''} (${code(o.submittedAt)}): ${cell(o.message)}`,
    ),
    more: more('jobs of earlier runs'),
  };

  const render = (shown: { table: number; issues: number; failures: number; orphans: number }): string => {
    const lines = [...top];
    const list = (l: ReportList, n: number) => {
      lines.push(...l.head, ...l.rows.slice(0, n));
      if (n < l.rows.length) lines.push(l.more(l.rows.length - n));
      lines.push('');
    };
    if (table.rows.length > 0) list(table, shown.table);
    else if (issues.rows.length === 0)
      lines.push(manifest.shard ? 'No video of the prompt files falls to this shard.' : 'No prompt files matched.', '');
    if (ctx.videoArtifacts && ctx.videoArtifacts.size > 0) {
      const manifestLink = ctx.artifact?.url
        ? `[${cell(ctx.artifact.name)}](${ctx.artifact.url})`
        : ctx.artifact
          ? cell(ctx.artifact.name)
          : '';
      lines.push(
        `Artifacts: one per video, unzipped (linked in the table)${manifestLink ? `; \`manifest.json\` in ${manifestLink}` : ''}.`,
        '',
      );
    } else if (ctx.artifact?.url) lines.push(`Artifact: [${cell(ctx.artifact.name)}](${ctx.artifact.url})`, '');
    if (issues.rows.length > 0) list(issues, shown.issues);
    if (failures.rows.length > 0) list(failures, shown.failures);
    if (orphans.rows.length > 0) list(orphans, shown.orphans);
    return `${lines.join('\n')}\n`;
  };

  const all = {
    table: table.rows.length,
    issues: issues.rows.length,
    failures: failures.rows.length,
    orphans: orphans.rows.length,
  };
  const full = render(all);
  if (utf8Bytes(full) <= maxBytes) return full;
  // Room for the rows once the frame (headings, the "…and N more" lines) is counted.
  let room = maxBytes - utf8Bytes(render({ table: 0, issues: 0, failures: 0, orphans: 0 }));
  const shown = { table: 0, issues: 0, failures: 0, orphans: 0 };
  for (const [key, l] of [
    ['failures', failures],
    ['orphans', orphans],
    ['issues', issues],
    ['table', table],
  ] as const) {
    for (const row of l.rows) {
      const cost = utf8Bytes(row) + 1;
      if (cost > room) break;
      room -= cost;
      shown[key]++;
    }
  }
  return render(shown);
}

/** The hidden marker that finds our PR comment again (one per artifact name, so a matrix keeps one each). */
export function commentMarker(artifactName: string): string {
  return `<!-- scenario-video:${artifactName.replace(/-->/g, '')} -->`;
}

/** The outputs the render and the merge actions share, as their action.yml files name them. */
export type ManifestOutputName =
  | 'manifest'
  | 'videos'
  | 'rendered'
  | 'skipped'
  | 'failed'
  | 'creative-units'
  | 'artifact-id'
  | 'artifact-url';

/** Those outputs' values for a manifest (files relative to the workspace) and its artifact. */
export function manifestOutputs(
  manifest: Manifest,
  manifestPath: string,
  outFromWorkspace: string,
  artifact: { id?: number; url: string | undefined } | undefined,
): Record<ManifestOutputName, string> {
  const t = manifest.totals;
  return {
    manifest: joinPosix(outFromWorkspace, path.basename(manifestPath)),
    videos: JSON.stringify(videosOutput(manifest, outFromWorkspace)),
    rendered: String(t.rendered),
    skipped: String(t.skipped),
    failed: String(t.failed),
    'creative-units': String(t.creativeUnits),
    'artifact-id': artifact?.id !== undefined ? String(artifact.id) : '',
    'artifact-url': artifact?.url ?? '',
  };
}

/** The `videos` output: one object per video, files relative to the workspace. */
export function videosOutput(manifest: Manifest, outDirFromWorkspace: string): unknown[] {
  return manifest.videos.map((v) => ({
    name: v.name,
    source: v.source,
    jobId: v.jobId,
    status: v.status,
    file: v.file ? joinPosix(outDirFromWorkspace, v.file) : null,
    bytes: v.bytes,
    creativeUnits: v.creativeUnits,
    error: v.error,
  }));
}

export function joinPosix(dir: string, file: string): string {
  return dir === '' || dir === '.' ? file : `${dir.replace(/\/+$/, '')}/${file}`;
}
