export * from './ports.js';
export * from './params.js';
export * from './events.js';
export * from './errors.js';
export * from './next-step.js';
export {
  parseApiError,
  parseRetryAfter,
  apiErrorFromResponse,
  codeForStatus,
  type ParsedApiError,
} from './http-errors.js';
export { DEFAULT_RETRY_POLICY, retryDelayMs, planRetry, type RetryPolicy } from './retry.js';
export {
  DEFAULT_POLL_SCHEDULE,
  PollObserver,
  basePollDelayMs,
  nextPollDelayMs,
  type PollScheduleOptions,
  type PollState,
} from './poll-schedule.js';
export type { ScenarioJob, ScenarioAsset, JobList } from './jobs.js';
export {
  DEFAULT_SUBMIT_RETRY_POLICY,
  SUBMIT_RECOVERY_WINDOW_MS,
  jobMatchesInput,
  type UnknownSubmit,
  type JobHandle,
  type RateLimitAdvice,
  type RateLimitInfo,
} from './submit.js';
export type { CostEstimate } from './cost.js';
export type { CancelResult } from './cancel.js';
export { DEFAULT_WAIT_TIMEOUT_MS, DEFAULT_UNKNOWN_STATUS_TIMEOUT_MS, type WaitOptions } from './wait.js';
export { outputName, type DownloadOptions, type DownloadResult } from './download.js';
export { requireOutputs } from './outputs.js';
export { DEFAULT_INLINE_MAX_BYTES, type ImageBytes } from './upload.js';
export { sniffImageType } from './bytes.js';
export { classifyTransportFailure, errorCodes, type TransportFailure } from './transport-failure.js';
export { planRender, type ImageInput, type RenderInput, type RenderOptions, type RenderResult } from './render.js';
export type { RenderItem, RenderManyOptions, RenderSettled } from './render-many.js';
export { GenerationScheduler, type Slot } from './scheduler.js';
export { runPool } from './pool.js';
export {
  DEFAULT_BASE_URL,
  createScenarioClient,
  validateSubmitRequest,
  type CallOptions,
  type ScenarioClient,
  type ScenarioClientOptions,
  type SubmitRequest,
} from './client.js';
