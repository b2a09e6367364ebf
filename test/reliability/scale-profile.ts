// The real-scale profile's shared parts: the runs' shape (20 videos of 2–10 minutes, team limits,
// late answers), how one video is judged (delivered from its job, or reported with its job id),
// and the figures each run reports and asserts (nothing lost, nothing paid twice by content,
// requests per video, wall ÷ ideal).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { FakeScenario, SubmitAnswerRule } from '../../packages/fake-api/src/options.js';
import { figures, formatFigures, type ProfileFigures } from './scale.js';
import { MIN, type ManifestVideo } from './scale-rig.js';
import { NO_HAZARDS, checkVideo, exampleImages, recordCounts } from './support.js';

export const ITEMS = 20;
export const LIMITS = [1, 3] as const;
/**
 * Requests per video, all routes and the CDN: an upload per distinct image, the submit, the polls
 * (the client's own schedule promises "a few dozen, not two hundred" for a ten-minute render; today
 * it makes about 28 for renders of 2–10 minutes, most of them 3 s apart through the fake's
 * `finalizing`, the render's last 15 %), the asset and the download. 40 allows for all of it.
 */
export const REQUESTS_PER_VIDEO = 40;
/**
 * Submit POSTs per video, refused ones included: a refused submit goes again when one of our own
 * jobs ends, never in a storm (issue 14). One refusal per video on average is allowed.
 */
export const SUBMITS_PER_VIDEO = 2;
export const MAX_WALL_OVER_IDEAL = 1.1;
/** Generous per-video timeouts (4 h): the profile measures the queue, not a timeout's choice. */
export const TIMEOUT_MINUTES = 240;

export const LATE: SubmitAnswerRule[] = [0, 30_000, 90_000, 5 * MIN].flatMap((delayMs) =>
  (['before-answer', 'after-answer'] as const).map((jobCreated) => ({
    delayMs,
    jobCreated,
    promptIncludes: `late ${delayMs / 1000}s ${jobCreated}`,
    times: 1,
  })),
);
export const latePrompts = (face: string) => LATE.map((r) => `${face} ${r.promptIncludes} video`);

const printed: ProfileFigures[] = [];

/** Record this file's runs for the suite's summary (call from afterAll). */
export const recordProfile = (section: string) => {
  const byRun: Record<string, ProfileFigures> = {};
  for (const f of printed) byRun[`${f.face} limit ${f.limit}`] = f;
  recordCounts(section, byRun);
};

export const images = async () => ({
  cells: new Uint8Array(await readFile(path.join(exampleImages, 'cells.png'))),
  gradient: new Uint8Array(await readFile(path.join(exampleImages, 'gradient.png'))),
});
export const promptsFor = (face: string, limit: number) =>
  Array.from({ length: ITEMS }, (_, i) => `real scale ${face} limit ${limit} video ${i}`);

export interface Outcome {
  delivered: number;
  reportedWithJobId: number;
  /** The job reported for each delivered video. */
  jobIds: string[];
  /** Items neither delivered nor naming a job, with what was said. */
  lost: string[];
}

export const outcome = (): Outcome => ({ delivered: 0, reportedWithJobId: 0, jobIds: [], lost: [] });

/** Judge one video: delivered intact from its job, or an error that names a job the fake made. */
export function judgeVideo(
  fake: FakeScenario,
  o: Outcome,
  prompt: string,
  got: { bytes: Uint8Array; jobId: string } | { jobId?: string | null; message: string },
): void {
  if ('bytes' in got) {
    expect(checkVideo(fake, got.bytes, got.jobId, prompt), prompt).toEqual({ ok: true });
    o.delivered++;
    o.jobIds.push(got.jobId);
    return;
  }
  const jobId = got.jobId ?? /job_[A-Za-z0-9]+/.exec(got.message)?.[0];
  if (jobId !== undefined && fake.state().jobIds.includes(jobId) && got.message.includes(jobId)) {
    o.reportedWithJobId++;
  } else o.lost.push(`${prompt}: ${got.message}`);
}

export function report(face: string, fake: FakeScenario, limit: number, items: number, o: Outcome, ratio: boolean) {
  const f = figures(face, fake.state(), { items, limit, ...o, wallOverIdealAsserted: ratio });
  printed.push(f);
  process.stdout.write(`${formatFigures(f)}\n`);
  expect(o.lost.join('\n'), 'every video delivered or reported with its job id').toBe('');
  expect(f.paidTwice, 'content paid for twice').toBe(0);
  expect(fake.state().hazards).toEqual(NO_HAZARDS);
  expect(f.requestsPerVideo, 'requests per video').toBeLessThanOrEqual(REQUESTS_PER_VIDEO);
  expect(f.perRoute.generate ?? 0, 'submit POSTs per video').toBeLessThanOrEqual(SUBMITS_PER_VIDEO);
  if (ratio) expect(f.wallOverIdeal, 'wall time ÷ ideal at the team limit').toBeLessThanOrEqual(MAX_WALL_OVER_IDEAL);
  return f;
}

/** The manifest's videos (by prompt file `vNN.yml`) against the prompts asked for. */
export async function judgeManifest(fake: FakeScenario, repo: string, videos: ManifestVideo[], prompts: string[]) {
  const o = outcome();
  for (const [i, prompt] of prompts.entries()) {
    const v = videos.find((x) => x.name === `v${String(i).padStart(2, '0')}`);
    if (v === undefined) o.lost.push(`${prompt}: not in the manifest`);
    else if (v.status === 'rendered' || v.status === 'skipped') {
      const bytes = new Uint8Array(await readFile(path.join(repo, 'out', v.file!)));
      judgeVideo(fake, o, prompt, { bytes, jobId: v.jobId! });
    } else
      judgeVideo(fake, o, prompt, { jobId: v.jobId ?? v.error?.jobId ?? null, message: v.error?.message ?? v.status });
  }
  return o;
}

/** The job the fake made for a prompt (the first, if there were several). */
export const jobFor = (fake: FakeScenario, prompt: string) =>
  fake.state().submissions.find((s) => s.input.prompt === prompt && s.jobId !== undefined)?.jobId;
