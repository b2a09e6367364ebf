import type { Manifest, ManifestVideo, VideoStatus } from '../batch/manifest.js';

/** What the job summary and the PR comment show besides the manifest. */
export interface ReportContext {
  manifest: Manifest;
  /** Per video name: milliseconds from the first request to the end (this run only). */
  durations: ReadonlyMap<string, number>;
  artifact: { name: string; url: string | undefined; id?: number } | undefined;
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
  return `${parts.join(' · ')} · **${formatCu(t.creativeUnits)} creative units** spent in this run`;
}

function artifactCell(v: ManifestVideo, ctx: ReportContext): string {
  if (!ctx.artifact || !v.file || (v.status !== 'rendered' && v.status !== 'skipped')) return '—';
  const label = `${cell(ctx.artifact.name)}/${cell(v.file)}`;
  return ctx.artifact.url ? `[${label}](${ctx.artifact.url})` : label;
}

/** The results as markdown: headline, table, prompt-file problems and failures. */
export function reportMarkdown(ctx: ReportContext): string {
  const { manifest } = ctx;
  const lines: string[] = ['### Scenario videos', '', headline(ctx), ''];
  if (ctx.note) lines.push(`> ${ctx.note}`, '');
  if (ctx.interrupted) {
    lines.push(
      '> The run was cancelled while waiting. Submitted jobs are kept in the ledger (saved to the Actions cache): ' +
        're-run the workflow to resume them without paying again.',
      '',
    );
  }
  if (manifest.videos.length > 0) {
    lines.push(
      '| Video | Source file | Status | Job id | Duration | Creative units | Artifact |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const v of manifest.videos) {
      lines.push(
        `| ${cell(v.name)} | ${code(v.source)} | ${STATUS_LABEL[v.status]}${v.resumed ? ' (resumed)' : ''} | ${
          v.jobId ? code(v.jobId) : '—'
        } | ${formatDuration(ctx.durations.get(v.name))} | ${formatCu(v.creativeUnits)} | ${artifactCell(v, ctx)} |`,
      );
    }
    lines.push('');
  } else if (manifest.issues.length === 0) {
    lines.push('No prompt files matched.', '');
  }
  if (ctx.artifact?.url) lines.push(`Artifact: [${cell(ctx.artifact.name)}](${ctx.artifact.url})`, '');
  if (manifest.issues.length > 0) {
    lines.push('#### Prompt file errors', '');
    for (const i of manifest.issues) {
      const where = i.column === undefined ? `${i.file}:${i.line}` : `${i.file}:${i.line}:${i.column}`;
      lines.push(`- ${code(where)} ${cell(i.field)}: ${cell(i.message)}`);
    }
    lines.push('');
  }
  const failed = manifest.videos.filter((v) => v.status === 'failed' && v.error);
  if (failed.length > 0) {
    lines.push('#### Failures', '');
    for (const v of failed) {
      const e = v.error!;
      const extra = [e.hint ? `hint: ${e.hint}` : '', e.traceId ? `trace id: ${e.traceId}` : '']
        .filter(Boolean)
        .join('; ');
      lines.push(
        `- **${cell(v.name)}** (${code(v.source)}${v.jobId ? `, job ${code(v.jobId)}` : ''}): ${code(e.code)} ${cell(
          e.message,
        )}${extra ? ` (${cell(extra)})` : ''}`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The hidden marker that finds our PR comment again (one per artifact name, so a matrix keeps one each). */
export function commentMarker(artifactName: string): string {
  return `<!-- scenario-video:${artifactName.replace(/-->/g, '')} -->`;
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
