import type { ApiContext, Emit } from './api.js';
import { downloadAsset, type DownloadResult } from './download.js';
import { ScenarioError } from './errors.js';
import type { ScenarioJob } from './jobs.js';
import type { ByteSink } from './ports.js';

/** A succeeded job's output asset ids; a success with none is reported as a failed render. */
export const requireOutputs = (job: ScenarioJob): string[] => {
  const assetIds = job.metadata.assetIds;
  if (assetIds.length === 0) {
    throw new ScenarioError({
      code: 'job_failed',
      message: `Job ${job.jobId} succeeded but produced no output`,
      jobId: job.jobId,
      retryable: false,
      details: { noOutput: true },
    });
  }
  return assetIds;
};

/**
 * Every output of a job into the sink, named `<base>`, `<base>-2`, … (base: the job id), so the
 * render, a resumed job and a job fetched by id all name their files the same way.
 */
export const downloadOutputs = async (
  ctx: ApiContext,
  job: ScenarioJob,
  sink: ByteSink,
  options: { baseName?: string; signal?: AbortSignal; emit?: Emit } = {},
): Promise<DownloadResult[]> => {
  const { baseName = job.jobId, ...common } = options;
  const files: DownloadResult[] = [];
  for (const [i, assetId] of job.metadata.assetIds.entries()) {
    files.push(
      await downloadAsset(ctx, assetId, sink, {
        ...common,
        jobId: job.jobId,
        baseName: i === 0 ? baseName : `${baseName}-${i + 1}`,
      }),
    );
  }
  return files;
};
