import { describe, expect, it } from 'vitest';
import type { BatchEvent, VideoUpdate } from '../batch/events.js';
import type { ActionLog } from './ports.js';
import { StepLog } from './step-log.js';

/** The log as the runner shows it: groups as `::group::`, annotations with their level. */
function recorder(): { log: ActionLog; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (m) => lines.push(m),
      notice: (m) => lines.push(`notice: ${m}`),
      warning: (m) => lines.push(`warning: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
      startGroup: (t) => lines.push(`::group::${t}`),
      endGroup: () => lines.push('::endgroup::'),
    },
  };
}

const T0 = Date.UTC(2026, 11, 8, 9, 0, 0);
const s = (seconds: number) => T0 + seconds * 1000;
const video = (
  name: string,
  at: number,
  phase: VideoUpdate['phase'],
  extra: Partial<VideoUpdate> = {},
): BatchEvent => ({
  type: 'video',
  name,
  source: `prompts/${name}.yml`,
  phase,
  at,
  ...extra,
});
const planned = (names: string[], skip: string[] = []): BatchEvent => ({
  type: 'planned',
  videos: [...names, ...skip].map((name) => ({
    name,
    source: `prompts/${name}.yml`,
    hash: 'h',
    action: skip.includes(name) ? ('skip' as const) : ('render' as const),
  })),
  orphanJobs: [],
});

describe('StepLog', () => {
  it('tells each video’s story in one group: a line per state change, never one per poll', () => {
    const { log, lines } = recorder();
    const step = new StepLog(log, false);
    const events: BatchEvent[] = [
      planned(['ocean', 'city'], ['intro']),
      video('intro', s(0), 'skipped', { file: 'intro.mp4' }),
      video('ocean', s(0), 'uploading'),
      video('ocean', s(1), 'uploading'),
      video('ocean', s(2), 'submitted', { jobId: 'job_ocean', creativeUnits: 12.5 }),
      { type: 'limit', limit: 1 },
      video('city', s(2), 'queued', { retrying: 'rate_limited', retryDelayMs: 0, retryAttempt: 1 }),
      video('city', s(3), 'submitted', { jobId: 'job_city', creativeUnits: 12.5, retrying: 'rate_limited' }),
      video('ocean', s(4), 'waiting', { jobId: 'job_ocean', status: 'queued' }),
      video('ocean', s(9), 'waiting', { jobId: 'job_ocean', status: 'queued' }),
      video('ocean', s(20), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.03 }),
      // Polls that change nothing a reader needs: silent.
      video('ocean', s(40), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.1 }),
      video('ocean', s(60), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.2 }),
      video('ocean', s(75), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.26 }),
      // A poll's GET refused by a server error: why, and how long it waits.
      video('ocean', s(80), 'waiting', {
        jobId: 'job_ocean',
        retrying: 'server',
        retryDelayMs: 4000,
        retryAttempt: 1,
      }),
      video('ocean', s(90), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.3 }),
      // Three quiet minutes: a sign of life.
      video('ocean', s(260), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.45 }),
      video('ocean', s(300), 'waiting', { jobId: 'job_ocean', status: 'in-progress', progress: 0.99 }),
      video('ocean', s(310), 'waiting', { jobId: 'job_ocean', status: 'finalizing', progress: 1 }),
      video('ocean', s(320), 'waiting', { jobId: 'job_ocean', status: 'success', progress: 1 }),
      video('ocean', s(321), 'downloading', { jobId: 'job_ocean', bytes: 0, total: 3_400_000 }),
      video('ocean', s(322), 'downloading', { jobId: 'job_ocean', bytes: 3_400_000, total: 3_400_000 }),
      video('ocean', s(322), 'rendered', { jobId: 'job_ocean', file: 'ocean.mp4' }),
      video('city', s(330), 'failed', {
        jobId: 'job_city',
        error: {
          code: 'job_failed',
          message: 'Job job_city failed: out of memory\n::error::injected',
          retryable: false,
        },
      }),
    ];
    for (const e of events) step.event(e);
    step.end();
    step.end();
    expect(lines).toMatchInlineSnapshot(`
      [
        "::group::Rendering 2 videos (1 unchanged)",
        "intro: unchanged, kept intro.mp4",
        "ocean: uploading its image",
        "ocean: submitted job_ocean (12.5 creative units)",
        "Scenario runs at most 1 of the team's generations at once: the other videos wait for a slot and are submitted as soon as one of ours ends (nothing is paid while they wait).",
        "city: Scenario refused the submit at the team's limit; one of our jobs has ended: submitting again",
        "city: submitted job_city (12.5 creative units)",
        "ocean: queued on Scenario [4s]",
        "ocean: rendering 3% [20s]",
        "ocean: rendering 26% [1m 15s]",
        "ocean: Scenario answered with a server error (attempt 1); trying again in 4s",
        "ocean: still rendering 45% [4m 20s]",
        "ocean: rendering 99% [5m 00s]",
        "ocean: finalizing 100% [5m 10s]",
        "ocean: downloading 3.2 MB",
        "ocean: downloaded ocean.mp4 (3.2 MB) in 5m 22s",
        "city: failed in 5m 27s: Job job_city failed: out of memory ::error::injected",
        "::endgroup::",
      ]
    `);
  });

  it('says a job still runs when it has been quiet for three minutes between rare polls, and stops once it ends', () => {
    const { log, lines } = recorder();
    const step = new StepLog(log, false);
    step.event(planned(['long']));
    step.event(video('long', s(0), 'submitted', { jobId: 'job_long', creativeUnits: 12.5 }));
    step.event(video('long', s(30), 'waiting', { jobId: 'job_long', status: 'in-progress', progress: 0.1 }));
    step.tick(s(120));
    step.tick(s(215));
    step.tick(s(300));
    step.tick(s(400));
    step.event(video('long', s(500), 'waiting', { jobId: 'job_long', status: 'in-progress', progress: 0.6 }));
    step.event(video('long', s(600), 'downloading', { jobId: 'job_long', bytes: 0, total: 2048 }));
    step.event(video('long', s(601), 'downloading', { jobId: 'job_long', bytes: 2048, total: 2048 }));
    step.event(video('long', s(601), 'rendered', { jobId: 'job_long', file: 'long.mp4' }));
    step.tick(s(1000));
    step.end();
    expect(lines).toEqual([
      '::group::Rendering 1 video',
      'long: submitted job_long (12.5 creative units)',
      'long: rendering 10% [30s]',
      'long: still rendering, 10% at the last look [3m 35s]',
      'long: still rendering, 10% at the last look [6m 40s]',
      'long: rendering 60% [8m 20s]',
      'long: downloading 2.0 KB',
      'long: downloaded long.mp4 (2.0 KB) in 10m 01s',
      '::endgroup::',
    ]);
  });

  it('quotes in a group of its own on a dry run, and keeps orphaned jobs as warnings', () => {
    const { log, lines } = recorder();
    const step = new StepLog(log, true);
    step.event({
      type: 'planned',
      videos: [
        { name: 'a', source: 'prompts/a.yml', hash: 'h', action: 'quote' },
        { name: 'b', source: 'prompts/b.yml', hash: 'h', action: 'quote' },
      ],
      orphanJobs: [
        {
          key: 'old:h',
          name: 'old',
          jobId: 'job_old',
          submittedAt: '2026-12-01T00:00:00.000Z',
          creativeUnits: 12,
          message: 'Job job_old (old) was paid in an earlier run, and no prompt matches it any more.',
        },
      ],
    });
    step.event(video('a', s(1), 'quoted', { creativeUnits: 12.5 }));
    step.event(video('b', s(1), 'quoted', { creativeUnits: 0, jobId: 'job_b', resumed: true }));
    step.end();
    expect(lines).toEqual([
      'warning: Job job_old (old) was paid in an earlier run, and no prompt matches it any more.',
      '::group::Quoting 2 videos',
      'a: 12.5 creative units',
      'b: 0 creative units: job job_b of an earlier run resumes for free',
      '::endgroup::',
    ]);
  });
});
