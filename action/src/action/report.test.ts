import { describe, expect, it } from 'vitest';
import { summarize, type ManifestIssue, type ManifestVideo } from '../batch/manifest.js';
import { COMMENT_MAX_CHARS, SUMMARY_MAX_BYTES, reportMarkdown, type ReportContext } from './report.js';

const video = (i: number, failed: boolean): ManifestVideo => ({
  name: `clip-${i}`,
  source: `prompts/scene-${i}.yml`,
  hash: 'a'.repeat(64),
  jobId: `job_${String(i).padStart(8, '0')}`,
  status: failed ? 'failed' : 'rendered',
  file: failed ? null : `clip-${i}.mp4`,
  bytes: failed ? null : 1000,
  creativeUnits: 12.5,
  error: failed ? { code: 'job_failed', message: 'Job failed: the render ran out of memory', traceId: 'tr_1' } : null,
});

const issue = (i: number): ManifestIssue => ({
  file: `prompts/broken-${i}.yml`,
  line: 3,
  column: 7,
  field: 'resolution',
  message: 'Invalid option: expected one of "480p"|"720p" — «ünïcödé» in the message',
});

const report = (videos: ManifestVideo[], issues: ManifestIssue[] = []): ReportContext => ({
  manifest: summarize(videos, issues, { dryRun: false, now: new Date('2026-11-24T00:00:00Z') }),
  durations: new Map(),
  artifact: { name: 'scenario-videos', url: 'https://github.com/o/r/actions/runs/1/artifacts/2' },
  mode: 'render',
  interrupted: false,
});

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('reportMarkdown', () => {
  it('shows every video, error and failure when they fit', () => {
    const md = reportMarkdown(report([video(1, false), video(2, true)], [issue(1)]));
    expect(md).toContain('clip-1');
    expect(md).toContain('`job_00000002`');
    expect(md).toContain('prompts/broken-1.yml:3:7');
    expect(md).not.toContain('more');
  });

  it('stays within GitHub’s 1 MiB job summary with thousands of videos, failures first', () => {
    const videos = Array.from({ length: 12_000 }, (_, i) => video(i, i % 3 === 0));
    const issues = Array.from({ length: 2_000 }, (_, i) => issue(i));
    const md = reportMarkdown(report(videos, issues));
    expect(bytes(md)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    // Every failure (and its job id) is listed before the space runs out for the table.
    expect(md).toContain('- **clip-11997** (`prompts/scene-11997.yml`, job `job_00011997`)');
    expect(md).toContain('prompts/broken-1999.yml:3:7');
    expect(md).toMatch(/- …and \d+ more videos: every one is in `manifest.json` in the artifact scenario-videos\./);
    expect(md).not.toMatch(/more failures/);
    // The summary still opens with the totals.
    expect(md.split('\n')[2]).toContain('8000 rendered');
  });

  it('fits a pull request comment, cutting failures too when they alone are too many', () => {
    const videos = Array.from({ length: 3_000 }, (_, i) => video(i, true));
    const md = reportMarkdown(report(videos, [issue(1)]), COMMENT_MAX_CHARS - 100);
    expect(md.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS - 100);
    const shown = md.match(/^- \*\*clip-/gm)!.length;
    expect(shown).toBeGreaterThan(100);
    expect(md).toContain(`- …and ${3_000 - shown} more failures: every one is in`);
    expect(md).toMatch(/- …and \d+ more videos/);
    expect(md).toContain('### Scenario videos');
  });
});

describe('what each row says', () => {
  const base = (mode: ReportContext['mode'], videos: ManifestVideo[]): ReportContext => ({
    ...report(videos),
    mode,
    ...(mode === 'render' ? {} : { artifact: undefined }),
  });

  it('says a failure’s hint once, with its job id once', () => {
    const failed: ManifestVideo = {
      ...video(1, true),
      error: {
        code: 'job_failed',
        message: 'Job job_00000001 failed: the GPU ran out of memory (hint: use 480p or fewer frames)',
        jobId: 'job_00000001',
        hint: 'use 480p or fewer frames',
        traceId: 'tr_9',
        retryable: false,
      },
    };
    const md = reportMarkdown(report([failed]));
    expect(md.split('\n').filter((l) => l.startsWith('- **clip-1**'))).toMatchInlineSnapshot(`
      [
        "- **clip-1** (\`prompts/scene-1.yml\`, job \`job_00000001\`): \`job_failed\` Job job_00000001 failed: the GPU ran out of memory (hint: use 480p or fewer frames) (trace id: tr_9)",
      ]
    `);
  });

  it('a render links each row to its own artifact when there is one per video', () => {
    const ctx: ReportContext = {
      ...report([video(1, false), video(2, false)]),
      artifact: { name: 'scenario-videos', url: 'https://github.com/o/r/actions/runs/1/artifacts/2', id: 2 },
      videoArtifacts: new Map([
        ['clip-1', { name: 'clip-1.mp4', url: 'https://github.com/o/r/actions/runs/1/artifacts/3', id: 3 }],
        ['clip-2', { name: 'clip-2.mp4', url: 'https://github.com/o/r/actions/runs/1/artifacts/4', id: 4 }],
      ]),
      durations: new Map([['clip-1', 65_000]]),
    };
    const md = reportMarkdown(ctx);
    expect(md.split('\n').filter((l) => l.startsWith('|') || l.startsWith('Artifact'))).toMatchInlineSnapshot(`
      [
        "| Video | Source file | Status | Job id | Duration | Creative units | Artifact |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| clip-1 | \`prompts/scene-1.yml\` | ✅ rendered | \`job_00000001\` | 1m 05s | 12.5 | [clip-1.mp4](https://github.com/o/r/actions/runs/1/artifacts/3) |",
        "| clip-2 | \`prompts/scene-2.yml\` | ✅ rendered | \`job_00000002\` | — | 12.5 | [clip-2.mp4](https://github.com/o/r/actions/runs/1/artifacts/4) |",
        "Artifacts: one per video, unzipped (linked in the table); \`manifest.json\` in [scenario-videos](https://github.com/o/r/actions/runs/1/artifacts/2).",
      ]
    `);
  });

  it('a dry run shows no duration and no artifact', () => {
    const quoted: ManifestVideo = { ...video(1, false), status: 'quoted', file: null, bytes: null, jobId: null };
    const md = reportMarkdown(base('dry-run', [quoted]));
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toMatchInlineSnapshot(`
      [
        "| Video | Source file | Status | Job id | Creative units |",
        "| --- | --- | --- | --- | --- |",
        "| clip-1 | \`prompts/scene-1.yml\` | 💲 quoted | — | 12.5 |",
      ]
    `);
    expect(md).not.toContain('0s');
  });

  it('a validation without credentials says valid, not quoted', () => {
    const valid: ManifestVideo = {
      ...video(1, false),
      status: 'quoted',
      file: null,
      bytes: null,
      jobId: null,
      creativeUnits: null,
    };
    const md = reportMarkdown({
      ...base('validate-only', [valid]),
      note: 'No credentials: the cost could not be quoted.',
    });
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toMatchInlineSnapshot(`
      [
        "| Video | Source file | Status |",
        "| --- | --- | --- |",
        "| clip-1 | \`prompts/scene-1.yml\` | ✔️ valid |",
      ]
    `);
    expect(md).not.toContain('quoted |');
  });
});
