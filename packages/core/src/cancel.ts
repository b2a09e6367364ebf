import { callApi, type ApiContext, type Emit } from './api.js';
import { ScenarioError } from './errors.js';
import { normalizeJob, type ScenarioJob } from './jobs.js';

/**
 * The answer to a cancel request. `canceled: true` means the API accepted it; the job reaches
 * `canceled` a little later (poll to see it). `canceled: false` carries the API's refusal, e.g.
 * 400 "Cannot cancel this type of job" for most generation jobs.
 */
export type CancelResult =
  | { canceled: true; jobId: string; job?: ScenarioJob }
  | { canceled: false; jobId: string; reason: string; status?: number; error: ScenarioError };

/**
 * `POST /jobs/{id}/action` with `{ action: "cancel" }`. A refusal (4xx other than 401 and 429) is
 * returned, not thrown; bad credentials, rate limits that outlast the retries, and network
 * failures are thrown (with the job id).
 */
export const cancelJob = async (
  ctx: ApiContext,
  jobId: string,
  options: { signal?: AbortSignal; emit?: Emit } = {},
): Promise<CancelResult> => {
  try {
    const res = await callApi(ctx, {
      method: 'POST',
      path: `/jobs/${encodeURIComponent(jobId)}/action`,
      json: { action: 'cancel' },
      retry: true,
      jobId,
      ...options,
    });
    let job: ScenarioJob | undefined;
    try {
      job = normalizeJob(res.data, jobId);
    } catch {
      job = undefined;
    }
    return { canceled: true, jobId, ...(job !== undefined ? { job } : {}) };
  } catch (e) {
    if (
      e instanceof ScenarioError &&
      e.status !== undefined &&
      e.status >= 400 &&
      e.status < 500 &&
      e.status !== 401 &&
      e.status !== 429
    ) {
      return { canceled: false, jobId, reason: e.reason ?? e.message, status: e.status, error: e };
    }
    throw e instanceof ScenarioError ? e.withJobId(jobId) : e;
  }
};
