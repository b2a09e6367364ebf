import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// ../packages/core/src/next-step.ts
var isUnknownSubmitError = (e) => e.code === "network" && e.details?.submitOutcome === "unknown";
function nextStep(e) {
  const resume = e.jobId !== void 0 ? { kind: "resume", jobId: e.jobId } : { kind: "none" };
  switch (e.code) {
    case "unauthorized":
      return { kind: "check-credentials" };
    case "forbidden":
      return { kind: "check-permissions" };
    case "invalid_input":
      return { kind: "fix-input", ...e.field !== void 0 ? { field: e.field } : {} };
    case "rate_limited":
      return { kind: "wait-team-limit" };
    case "output_expired":
    case "download_incomplete":
      return e.jobId !== void 0 ? { kind: "download-again", jobId: e.jobId } : { kind: "none" };
    case "job_failed":
      return { kind: "job-failed", refunded: e.details?.refunded !== false };
    case "job_canceled":
      return { kind: "none" };
    case "network": {
      if (isUnknownSubmitError(e)) {
        const at = e.details?.attemptStartedAt;
        return { kind: "find-unknown-submit", ...typeof at === "string" ? { sentAfter: at } : {} };
      }
      if (e.retryable === true) return { kind: "check-network", ...e.jobId !== void 0 ? { jobId: e.jobId } : {} };
      return resume;
    }
    default:
      return resume;
  }
}

export {
  isUnknownSubmitError,
  nextStep
};
