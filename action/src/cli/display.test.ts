import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BatchEvent } from '../batch/events.js';
import { summarize } from '../batch/manifest.js';
import { createDisplay, formatDuration, showPath } from './display.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

const events = (t0: number): BatchEvent[] => [
  { type: 'discovered', files: ['prompts/cat.yml'], unmatched: ['nope/*.yml'] },
  {
    type: 'invalid',
    issues: [
      { file: 'prompts/bad.yml', line: 3, column: 12, field: 'numFrames', message: 'must be between 81 and 100' },
    ],
  },
  {
    type: 'planned',
    videos: [{ name: 'cat', source: 'prompts/cat.yml', hash: 'h', action: 'render' }],
    orphanJobs: [
      {
        key: 'old:h',
        name: 'old',
        jobId: 'job_old',
        submittedAt: '2026-01-01T00:00:00.000Z',
        creativeUnits: 5,
        message:
          'Job job_old (old) was paid in an earlier run, and no prompt matches it any more. Fetch its video with: scenario-video job job_old --download <dir>',
      },
    ],
  },
  { type: 'video', name: 'cat', source: 'prompts/cat.yml', phase: 'uploading', at: t0 },
  {
    type: 'video',
    name: 'cat',
    source: 'prompts/cat.yml',
    phase: 'submitted',
    at: t0,
    jobId: 'job_1',
    creativeUnits: 7.25,
  },
  {
    type: 'video',
    name: 'cat',
    source: 'prompts/cat.yml',
    phase: 'waiting',
    at: t0 + 1000,
    status: 'queued',
    progress: 0,
  },
  {
    type: 'video',
    name: 'cat',
    source: 'prompts/cat.yml',
    phase: 'waiting',
    at: t0 + 2000,
    status: 'queued',
    progress: 0,
  },
  {
    type: 'video',
    name: 'cat',
    source: 'prompts/cat.yml',
    phase: 'waiting',
    at: t0 + 3000,
    status: 'in-progress',
    progress: 0.5,
  },
  {
    type: 'video',
    name: 'cat',
    source: 'prompts/cat.yml',
    phase: 'rendered',
    at: t0 + 65_000,
    jobId: 'job_1',
    file: 'cat.mp4',
  },
  {
    type: 'finished',
    manifest: summarize(
      [
        {
          name: 'cat',
          source: 'prompts/cat.yml',
          hash: 'h',
          jobId: 'job_1',
          status: 'rendered',
          file: 'cat.mp4',
          bytes: 10,
          creativeUnits: 7.25,
          error: null,
        },
      ],
      [{ file: 'prompts/bad.yml', line: 3, field: 'numFrames', message: 'x' }],
      { dryRun: false, now: new Date(t0) },
    ),
    manifestPath: '/repo/out/manifest.json',
    interrupted: false,
  },
];

describe('displays', () => {
  it('plain: one line per state change, issues located, a summary', () => {
    const out = new Capture();
    const err = new Capture();
    const display = createDisplay('plain', { out, err, cwd: '/repo' });
    for (const e of events(1_000_000)) display.event(e);
    display.close();
    expect(out.text).toBe('');
    expect(plain(err.text).split('\n')).toEqual([
      'No file matches nope/*.yml',
      'error prompts/bad.yml:3:12: numFrames: must be between 81 and 100',
      '1 video: 1 to render',
      'Job job_old (old) was paid in an earlier run, and no prompt matches it any more. Fetch its video with: scenario-video job job_old --download <dir>',
      'cat: uploading images [0:00]',
      'cat: submitted job_1 (7.25 CU) [0:00]',
      'cat: queued 0% job_1 [0:01]',
      'cat: in-progress 50% job_1 [0:03]',
      'cat: cat.mp4 job_1 (7.25 CU) [1:05]',
      '1 rendered, 0 unchanged, 0 failed, 1 invalid file; 7.25 creative units spent.',
      'Manifest: out/manifest.json',
      '',
    ]);
  });

  it('json: every event is one line of JSON on stdout', () => {
    const out = new Capture();
    const err = new Capture();
    const display = createDisplay('json', { out, err });
    display.note('ignored');
    for (const e of events(0)) display.event(e);
    const lines = out.text.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as BatchEvent).type)).toEqual(events(0).map((e) => e.type));
    expect(err.text).toBe('');
  });

  it('live: draws rows with a progress bar and elapsed time, and leaves the final state', () => {
    const out = new Capture();
    const err = Object.assign(new Capture(), { isTTY: true, columns: 100 });
    let now = 1_000_000;
    const display = createDisplay('live', { out, err }, () => now);
    const all = events(1_000_000);
    for (const e of all.slice(0, 8)) display.event(e);
    now += 3000;
    expect(plain(err.text)).toMatch(/cat\s+█{8}░{8}\s+50% in-progress job_1/);
    for (const e of all.slice(8)) display.event(e);
    display.close();
    expect(plain(err.text)).toMatch(/✔ cat\s+cat\.mp4 \(7\.25 CU\) job_1\s+1:05/);
    expect(plain(err.text)).toMatch(/1 rendered, 0 unchanged, 0 failed/);
  });

  it('live: with more videos than rows, shows those in flight and counts the rest', () => {
    const out = new Capture();
    const err = Object.assign(new Capture(), { isTTY: true, columns: 100, rows: 10 });
    const display = createDisplay('live', { out, err }, () => 0);
    const names = Array.from({ length: 20 }, (_, i) => `v${i}`);
    display.event({
      type: 'planned',
      videos: names.map((name) => ({ name, source: 's.yml', hash: 'h', action: 'render' as const })),
      orphanJobs: [],
    });
    display.event({ type: 'video', name: 'v3', source: 's.yml', phase: 'waiting', at: 0, status: 'in-progress' });
    display.event({ type: 'video', name: 'v0', source: 's.yml', phase: 'rendered', at: 0, file: 'v0.mp4' });
    const frame = plain(err.text);
    expect(frame).toMatch(/v3\s+.*in-progress/);
    expect(frame).toMatch(/… 1 done, 0 unchanged, 18 queued/);
    expect(frame).not.toMatch(/v7/);
    display.close();
    // The last frame lists every video.
    expect(plain(err.text)).toMatch(/v19/);
  });

  it('live: a row cut at the terminal width keeps its job id (what recovers the video)', () => {
    const out = new Capture();
    const err = Object.assign(new Capture(), { isTTY: true, columns: 60 });
    const display = createDisplay('live', { out, err }, () => 0);
    const name = 'a-rather-long-video-name';
    display.event({
      type: 'planned',
      videos: [{ name, source: 's.yml', hash: 'h', action: 'render' }],
      orphanJobs: [],
    });
    display.event({
      type: 'video',
      name,
      source: 's.yml',
      phase: 'waiting',
      at: 0,
      jobId: 'job_4f8a1c2e9d7b',
      status: 'in-progress',
      progress: 0.4,
      retrying: 'server',
    });
    display.event({
      type: 'video',
      name,
      source: 's.yml',
      phase: 'failed',
      at: 0,
      jobId: 'job_4f8a1c2e9d7b',
      error: { code: 'server', message: 'Scenario API answered 503 to GET /jobs/job_4f8a1c2e9d7b after 6 tries' },
    });
    display.close();
    const lines = plain(err.text)
      .split('\n')
      .filter((l) => l.includes(name.slice(0, 10)));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(59);
      expect(line).toContain('job_4f8a1c2e9d7b');
    }
  });

  it('plain: says when a video waits for a team slot, and why', () => {
    const out = new Capture();
    const err = new Capture();
    const display = createDisplay('plain', { out, err });
    display.event({
      type: 'planned',
      videos: [{ name: 'cat', source: 's.yml', hash: 'h', action: 'render' }],
      orphanJobs: [],
    });
    const slot = {
      type: 'video',
      name: 'cat',
      source: 's.yml',
      phase: 'queued',
      at: 0,
      retrying: 'rate_limited',
    } as const;
    display.event(slot);
    display.event({ ...slot, at: 5000 });
    const lines = plain(err.text).split('\n');
    expect(lines.filter((l) => l.startsWith('cat:'))).toEqual([
      "cat: waiting for a team slot: the team's limit of generations at once is reached; it is submitted as soon as one ends",
    ]);
  });

  it('a dry run sums up its quote in one sentence, and says when nothing could be quoted', () => {
    const video = (creativeUnits: number | null) => ({
      name: 'v',
      source: 's.yml',
      hash: 'h',
      jobId: null,
      status: 'quoted' as const,
      file: null,
      bytes: null,
      creativeUnits,
      error: null,
    });
    const summary = (videos: Array<ReturnType<typeof video>>) => {
      const err = new Capture();
      const display = createDisplay('plain', { out: new Capture(), err, cwd: '/repo' });
      display.event({
        type: 'finished',
        manifest: summarize(videos, [], { dryRun: true, now: new Date(0) }),
        manifestPath: '/repo/out/manifest.dry-run.json',
        interrupted: false,
      });
      return err.text.split('\n')[0];
    };
    expect(summary([video(7.25), video(7.25), video(7)])).toBe(
      'Quoted 3 videos: 21.5 creative units in all; nothing was rendered.',
    );
    expect(summary([video(null), video(null)])).toBe(
      '2 videos valid, not quoted (Scenario quotes the cost; that needs SCENARIO_SDK_API_KEY and ' +
        'SCENARIO_SDK_API_SECRET); nothing was rendered.',
    );
  });

  it('an interrupted video says whether its job runs on (naming it) or never started', () => {
    const err = new Capture();
    const display = createDisplay('plain', { out: new Capture(), err });
    const v = (name: string) => ({ type: 'video', name, source: 's.yml', at: 0 }) as const;
    display.event({
      type: 'planned',
      videos: ['a', 'b'].map((name) => ({ name, source: 's.yml', hash: 'h', action: 'render' as const })),
      orphanJobs: [],
    });
    display.event({ ...v('a'), phase: 'submitted', jobId: 'job_a' });
    display.event({ ...v('a'), phase: 'interrupted' });
    display.event({ ...v('b'), phase: 'interrupted' });
    expect(plain(err.text).split('\n').slice(1, -1)).toEqual([
      'a: submitted job_a [0:00]',
      'a: stopped waiting; the job keeps running (in the ledger) job_a [0:00]',
      'b: not started [0:00]',
    ]);
  });

  it('formats durations and paths', () => {
    expect([0, 59_999, 61_000, 3_600_000 + 120_000].map(formatDuration)).toEqual(['0:00', '0:59', '1:01', '1h02m']);
    expect(showPath('/repo/out/m.json', '/repo')).toBe('out/m.json');
    expect(showPath('/tmp/x', '/repo')).toBe('/tmp/x');
  });
});
