import { callApi, type ApiContext, type Emit } from './api.js';
import { ScenarioError } from './errors.js';
import { isRecord } from './json.js';

export interface CostEstimate {
  /** Creative Units the render would cost (can be fractional). */
  creativeUnitsCost: number;
  creativeUnitsDiscount?: number;
  /** `costDetails`, when the API breaks the price down. */
  details?: unknown;
}

/**
 * Quote a render without paying: `POST /generate/custom/{modelId}?dryRun=true`. The flag goes in
 * the query (in the body the API ignores it and runs a paid job); the answer is HTTP 269 (200 is
 * accepted too) with `creativeUnitsCost`. Free, so transient errors are retried. If the answer
 * ever names a real job, that is reported loudly instead of being passed off as a quote.
 */
export const estimateCost = async (
  ctx: ApiContext,
  request: { modelId: string; params: Record<string, unknown> },
  options: { signal?: AbortSignal; emit?: Emit } = {},
): Promise<CostEstimate> => {
  const res = await callApi(ctx, {
    method: 'POST',
    path: `/generate/custom/${encodeURIComponent(request.modelId)}`,
    query: { dryRun: true },
    json: request.params,
    retry: true,
    ...options,
  });
  const data = res.data;
  const job = isRecord(data) && isRecord(data.job) ? data.job : undefined;
  const jobId = typeof job?.jobId === 'string' && job.jobId !== '' ? job.jobId : undefined;
  if (jobId !== undefined && typeof job?.status === 'string' && job.status !== '') {
    throw new ScenarioError({
      code: 'server',
      message: `The dry run answered with a real job (${jobId}): it may be billed. Cancel or inspect it.`,
      jobId,
      status: res.status,
      retryable: false,
    });
  }
  if (!isRecord(data) || typeof data.creativeUnitsCost !== 'number') {
    throw new ScenarioError({
      code: 'server',
      message: 'The dry run answer has no creativeUnitsCost',
      status: res.status,
      retryable: true,
      details: { malformed: true },
    });
  }
  return {
    creativeUnitsCost: data.creativeUnitsCost,
    ...(typeof data.creativeUnitsDiscount === 'number' ? { creativeUnitsDiscount: data.creativeUnitsDiscount } : {}),
    ...(data.costDetails !== undefined ? { details: data.costDetails } : {}),
  };
};
