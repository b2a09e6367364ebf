// How a fault cell is judged, the same way for every face: each video either arrived whole from the
// job it is reported for, or failed the way the cell allows (naming its job, or saying that the
// submit's outcome is unknown); no input was paid for twice; the fake saw no hazard.
import { expect } from 'vitest';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { UNKNOWN_OUTCOME, type Cell } from './cells.js';
import { NO_HAZARDS, auditSubmits, checkVideo } from './support.js';

export type Delivered =
  | { prompt: string; video: Uint8Array; jobId: string }
  | { prompt: string; error: { code: string; jobId?: string | null; message: string } };

export interface Verdict {
  videos: number;
  errors: number;
  errorsWithJobId: number;
  unknownOutcomes: number;
}

export function judge(fake: FakeScenario, cell: Cell, delivered: Delivered[], expected: number): Verdict {
  const state = fake.state();
  expect(delivered, 'one result per video asked for').toHaveLength(expected);
  expect(state.faultsInjected.length, 'the fault fired').toBeGreaterThan(0);
  expect(state.hazards).toEqual(NO_HAZARDS);
  const audit = auditSubmits(fake);
  expect(audit.duplicates, 'inputs paid for more than once').toBe(0);
  expect(audit.maxPaidPerInput).toBeLessThanOrEqual(1);

  const verdict: Verdict = { videos: 0, errors: 0, errorsWithJobId: 0, unknownOutcomes: 0 };
  for (const d of delivered) {
    if ('video' in d) {
      expect(checkVideo(fake, d.video, d.jobId, d.prompt)).toEqual({ ok: true });
      verdict.videos++;
      continue;
    }
    verdict.errors++;
    const { error } = d;
    expect(cell.expect.kind, `"${d.prompt}" failed: ${error.code} ${error.message}`).not.toBe('intact');
    if (cell.expect.kind === 'job-error') {
      expect(error.code).toBe(cell.expect.code);
      expect(error.jobId, `the error names the job: ${error.message}`).toMatch(/^job_/);
      expect(error.message).toContain(error.jobId);
      expect(state.jobIds).toContain(error.jobId);
      verdict.errorsWithJobId++;
    } else if (cell.expect.kind === 'unknown-outcome') {
      expect(error.code).toBe('network');
      expect(error.jobId ?? undefined).toBeUndefined();
      expect(error.message).toMatch(UNKNOWN_OUTCOME);
      // Nothing was created for it, and nothing was sent again.
      const mine = state.submissions.filter((s) => !s.dryRun && s.input.prompt === d.prompt);
      expect(mine.filter((s) => s.jobId !== undefined)).toHaveLength(0);
      expect(mine.length).toBeLessThanOrEqual(1);
      verdict.unknownOutcomes++;
    }
  }
  if (cell.expect.kind !== 'intact') expect(verdict.errors, 'the fault reached a video').toBeGreaterThan(0);
  return verdict;
}

/** Virtual time a cell may take at most: the render's wait timeout plus downloads and retries. */
export const WAIT_TIMEOUT_MS = 20 * 60_000;
export const DEADLINE_MS = 30 * 60_000;
