// The real-scale profile's measures: time on two scales (discrete-event virtual time in process,
// a scaled clock shared with spawned processes), the ideal schedule of a batch, and the figures
// printed per face (delivered, paid twice by content, requests per video, wall ÷ ideal).
import path from 'node:path';
import type { FakeClock, FakeState } from '../../packages/fake-api/src/options.js';

/**
 * A clock `scale` times faster than real time, computed from the real clock so that any process
 * computing it the same way (the spawned CLI or Action with scaled-time.mjs preloaded) is in step
 * with the fake. `at(t)` holds a late submit answer in scaled real time.
 */
export interface ScaledClock extends FakeClock {
  at(t: number): Promise<void>;
  /** Environment for a child: NODE_OPTIONS with the preload, and the shared formula. */
  env(): Record<string, string>;
  readonly scale: number;
}

export const PRELOAD = path.join(import.meta.dirname, 'scaled-time.mjs');

export function createScaledClock(scale: number, virtualStart: number): ScaledClock {
  const realStart = Date.now();
  const now = () => Math.floor(virtualStart + (Date.now() - realStart) * scale);
  return {
    scale,
    now,
    at: (t) =>
      new Promise<void>((resolve) => {
        const left = t - now();
        if (left <= 0) resolve();
        else setTimeout(resolve, left / scale);
      }),
    env: () => ({
      NODE_OPTIONS: `--import=${PRELOAD}`,
      SV_SCALED_TIME: JSON.stringify({ scale, virtualStart, realStart }),
    }),
  };
}

/** The same jobs' durations packed greedily, in submission order, on `limit` slots with no overhead. */
export function idealMs(durations: number[], limit: number): number {
  const slots = new Array<number>(Math.max(1, limit)).fill(0);
  for (const d of durations) {
    let i = 0;
    for (let k = 1; k < slots.length; k++) if (slots[k]! < slots[i]!) i = k;
    slots[i]! += d;
  }
  return Math.max(...slots);
}

export interface ProfileFigures {
  face: string;
  items: number;
  limit: number;
  delivered: number;
  reportedWithJobId: number;
  /** Items neither delivered nor reported with a job id. */
  lost: number;
  /** Jobs made again for content that already had one (the fake's count, image bytes not asset ids). */
  paidTwice: number;
  requests: number;
  requestsPerVideo: number;
  /** Requests per route, per video (only the routes asked). */
  perRoute: Record<string, number>;
  /** Virtual ms from the first submit to the last download. */
  wallMs: number;
  idealMs: number;
  wallOverIdeal: number;
  /** Whether this run holds wall ÷ ideal to the bound (not with answers held late on purpose). */
  wallOverIdealAsserted: boolean;
}

/** Every request the fake answered (API and CDN). */
export const totalRequests = (state: FakeState) => Object.values(state.requests).reduce((a, b) => a + b, 0);

/**
 * The run's figures from the fake's side. `jobIds` are the jobs the face reported for its videos
 * (one per delivered video): the ideal packs their durations; wall runs from the first submit the
 * fake saw to the last download it served.
 */
export function figures(
  face: string,
  state: FakeState,
  o: {
    items: number;
    limit: number;
    delivered: number;
    reportedWithJobId: number;
    jobIds: string[];
    wallOverIdealAsserted: boolean;
  },
): ProfileFigures {
  const paid = state.submissions.filter((s) => !s.dryRun && s.jobId !== undefined);
  const byJob = new Map(paid.map((s) => [s.jobId!, s]));
  const ordered = o.jobIds
    .map((id) => byJob.get(id))
    .filter((s) => s !== undefined)
    .sort((a, b) => a.at - b.at);
  const ideal = idealMs(
    ordered.map((s) => s.durationMs ?? 0),
    o.limit,
  );
  const first = Math.min(...state.submissions.filter((s) => !s.dryRun).map((s) => s.at));
  const last = state.lastRequestAt.cdn ?? first;
  const requests = totalRequests(state);
  const wall = last - first;
  return {
    face,
    items: o.items,
    limit: o.limit,
    delivered: o.delivered,
    reportedWithJobId: o.reportedWithJobId,
    lost: o.items - o.delivered - o.reportedWithJobId,
    paidTwice: state.paidAgainByContent,
    requests,
    requestsPerVideo: Math.round((requests / o.items) * 10) / 10,
    perRoute: Object.fromEntries(
      Object.entries(state.requests)
        .filter(([, n]) => n > 0)
        .map(([route, n]) => [route, Math.round((n / o.items) * 10) / 10]),
    ),
    wallMs: wall,
    idealMs: ideal,
    wallOverIdeal: ideal > 0 ? Math.round((wall / ideal) * 1000) / 1000 : Number.NaN,
    wallOverIdealAsserted: o.wallOverIdealAsserted,
  };
}

export const formatFigures = (f: ProfileFigures) =>
  `real scale, ${f.face}, team limit ${f.limit}: ${f.delivered}/${f.items} delivered, ` +
  `${f.reportedWithJobId} reported with their job id, ${f.lost} lost, ${f.paidTwice} paid twice, ` +
  `${f.requestsPerVideo} requests per video (${Object.entries(f.perRoute)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ')}), wall ${(f.wallMs / 60_000).toFixed(1)} min ÷ ideal ` +
  `${(f.idealMs / 60_000).toFixed(1)} min = ${f.wallOverIdeal}` +
  (f.wallOverIdealAsserted ? '' : ' (not bounded: answers held late on purpose, or a stop and re-run)');
