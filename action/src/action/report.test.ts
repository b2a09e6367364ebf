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
