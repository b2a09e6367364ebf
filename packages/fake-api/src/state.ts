/**
 * Everything the fake remembers: jobs, assets, uploads (scoped per team) and the inspection
 * counters. Plain data; time-dependent views (job status, upload status, whether an asset exists
 * yet) are computed from the clock by the routes, never stored.
 */
import type { FakeHazards, FakeRoute, FakeState, FakeSubmission, FaultKind, JobOutcome } from './options.js';

export const ROUTES: readonly FakeRoute[] = [
  'createAsset',
  'getAsset',
  'createUpload',
  'getUpload',
  'uploadAction',
  'putPart',
  'generate',
  'dryRun',
  'getJob',
  'listJobs',
  'jobAction',
  'getModel',
  'cdn',
];

export interface JobRecord {
  /** Creation order, for newest-first listing and stable pagination tokens. */
  seq: number;
  jobId: string;
  teamId: string;
  authorId: string;
  modelId: string;
  input: Record<string, unknown>;
  createdAt: number;
  durationMs: number;
  outcome: JobOutcome;
  error?: string;
  hint?: string;
  disableRefund: boolean;
  cost: number;
  canceledAt?: number;
  /** Reserved at submit, so the output's id is known before the job ends. */
  outputAssetId: string;
  /** `videoBytes` as it was at submit, so the asset's size never changes under a client. */
  videoBytes: number;
}

export interface AssetRecord {
  id: string;
  teamId: string;
  authorId: string;
  kind: string;
  mimeType: string;
  source: 'uploaded' | 'generated';
  /** The asset does not exist for reads before this instant (a job's end, an upload's import). */
  availableAt: number;
  name?: string;
  width?: number;
  height?: number;
  /** Uploaded bytes; generated videos are composed on the fly from `jobId`. */
  data?: Buffer;
  jobId?: string;
  hide?: boolean;
  parentId?: string;
  collectionIds?: string[];
}

export interface UploadRecord {
  id: string;
  /** Uploads run as a job of type `upload` too (docs §1: `upload.jobId`), listed with the others. */
  jobId: string;
  seq: number;
  teamId: string;
  authorId: string;
  fileName: string;
  contentType: string;
  kind: string;
  fileSize: number;
  partsCount: number;
  parts: Map<number, Buffer>;
  createdAt: number;
  partsExpireAt: number;
  partUrls: Array<{ number: number; url: string; expires: string }>;
  completedAt?: number;
  importMs?: number;
  /** Decided at `complete`: why the import fails, or the asset it produces. */
  importError?: string;
  assetId?: string;
  assetOptions?: { hide?: boolean; parentId?: string; collectionIds?: string[] };
}

export interface AmbiguousSubmit {
  teamId: string;
  /** `FakeSubmission.contentKey`: the same content hides behind no re-upload. */
  contentKey: string;
}

const zeroHazards = (): FakeHazards => ({ authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 });

export class Store {
  jobs = new Map<string, JobRecord>();
  assets = new Map<string, AssetRecord>();
  uploads = new Map<string, UploadRecord>();
  /** Upload records by their job id. */
  uploadJobs = new Map<string, UploadRecord>();
  seq = 0;
  requests = Object.fromEntries(ROUTES.map((r) => [r, 0])) as Record<FakeRoute, number>;
  /** When each route was last asked, on the fake's clock. */
  lastRequestAt: Partial<Record<FakeRoute, number>> = {};
  unauthorized = 0;
  submissions: FakeSubmission[] = [];
  hazards = zeroHazards();
  faultsInjected: Array<{ at: number; route: FakeRoute; kind: FaultKind }> = [];
  jobIds: string[] = [];
  /** Inputs of submits that met an ambiguous failure: resending one is the duplicate hazard. */
  ambiguous: AmbiguousSubmit[] = [];
  /** Content keys (per team) that a job was made for: a second job for one is paid again. */
  paidContent = new Set<string>();
  paidAgainByContent = 0;

  clear(): void {
    this.jobs.clear();
    this.assets.clear();
    this.uploads.clear();
    this.uploadJobs.clear();
    this.requests = Object.fromEntries(ROUTES.map((r) => [r, 0])) as Record<FakeRoute, number>;
    this.lastRequestAt = {};
    this.unauthorized = 0;
    this.submissions = [];
    this.hazards = zeroHazards();
    this.faultsInjected = [];
    this.jobIds = [];
    this.ambiguous = [];
    this.paidContent.clear();
    this.paidAgainByContent = 0;
    // `seq` keeps counting: pagination tokens from before a reset never match new jobs.
  }

  /** A deep copy, safe to hand out and to serialise. */
  snapshot(): FakeState {
    return structuredClone({
      requests: this.requests,
      lastRequestAt: this.lastRequestAt,
      unauthorized: this.unauthorized,
      submissions: this.submissions,
      hazards: this.hazards,
      faultsInjected: this.faultsInjected,
      jobIds: this.jobIds,
      paidAgainByContent: this.paidAgainByContent,
    });
  }

  teamJob(teamId: string, id: string): JobRecord | undefined {
    const j = this.jobs.get(id);
    return j && j.teamId === teamId ? j : undefined;
  }

  teamAsset(teamId: string, id: string, now: number): AssetRecord | undefined {
    const a = this.assets.get(id);
    return a && a.teamId === teamId && a.availableAt <= now ? a : undefined;
  }

  teamUpload(teamId: string, id: string): UploadRecord | undefined {
    const u = this.uploads.get(id);
    return u && u.teamId === teamId ? u : undefined;
  }
}
