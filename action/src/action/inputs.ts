import { DEFAULT_PATTERNS } from '../batch/discover.js';
import { formatShard, parseShard, shardArtifactName, shardConcurrency, type Shard } from '../shard/shard.js';

/**
 * The Action's inputs and outputs: the one table that `action.yml`, the README and the code must
 * agree with (a test parses all three). Defaults are what the runner fills in from `action.yml`.
 */
export const INPUTS = {
  'api-key': {
    description:
      'Scenario API key (store it as a secret). Without it (a pull request from a fork gets no secrets) the action only validates the prompt files.',
    default: undefined,
  },
  'api-secret': { description: 'Scenario API secret (store it as a secret).', default: undefined },
  prompts: {
    description: 'Glob of prompt files relative to the repository root; several globs on separate lines.',
    default: DEFAULT_PATTERNS.join('\n'),
  },
  'output-dir': {
    description: 'Folder for the videos and manifest.json, relative to the workspace.',
    default: 'scenario-videos',
  },
  'artifact-name': {
    description: 'Name of the uploaded artifact (unique per workflow run; suffix it in a matrix).',
    default: 'scenario-videos',
  },
  'retention-days': {
    description: 'Days to keep the artifact (1-90); empty or 0 for the repository default.',
    default: '',
  },
  'artifact-per-video': {
    description:
      'One unzipped artifact per MP4, named by its file, so each summary row links to its video; manifest.json stays in the artifact-name artifact. Over 499 videos (GitHub allows 500 artifacts per job), one zip as usual.',
    default: 'false',
  },
  concurrency: { description: 'Videos rendered at once (lowered automatically at the team limit).', default: '4' },
  'team-concurrency': {
    description:
      "Your team's generation limit on Scenario, shared by all shards: each shard renders this divided by the number of shards at once (instead of concurrency). Empty: use concurrency.",
    default: '',
  },
  shard: {
    description:
      'This job\'s part of the prompt videos in a matrix, as "i/n" (e.g. "2/4"); empty renders them all. Videos are split by a stable hash of their name.',
    default: '',
  },
  'timeout-minutes': { description: 'Longest wait for one video, in minutes.', default: '30' },
  'dry-run': { description: 'Validate every prompt file and quote the total cost; render nothing.', default: 'false' },
  'skip-unchanged': {
    description:
      'Restore unchanged videos (same prompt, parameters and image bytes) from the Actions cache instead of rendering them again.',
    default: 'true',
  },
  'comment-on-pr': {
    description: 'On pull requests, keep one comment with the results, updated in place.',
    default: 'false',
  },
  'fail-on-error': {
    description: 'Fail the step when a video fails or a prompt file is invalid (finished videos are uploaded anyway).',
    default: 'true',
  },
  // The core's DEFAULT_BASE_URL (metadata.test.ts checks), written out: importing the core here would load it at start-up.
  'base-url': { description: 'Scenario API base URL.', default: 'https://api.cloud.scenario.com/v1' },
  'github-token': { description: 'Token for the pull request comment.', default: '${{ github.token }}' },
} as const satisfies Record<string, { description: string; default: string | undefined }>;

export type InputName = keyof typeof INPUTS;

export const OUTPUTS = {
  manifest: 'Path of manifest.json (every video, its status, job id, file and cost), relative to the workspace.',
  videos: 'JSON array: name, source, jobId, status, file, bytes, creativeUnits, error.',
  rendered: 'Number of videos rendered in this run.',
  skipped: 'Number of unchanged videos restored from the cache (or left in place) instead of rendered.',
  failed: 'Number of videos that failed.',
  'creative-units': 'Creative units spent in this run (the quote, on a dry run).',
  'artifact-id': 'ID of the uploaded artifact (empty when nothing was uploaded).',
  'artifact-url': 'Browser URL of the uploaded artifact (empty when nothing was uploaded).',
  shard: 'This job\'s part as "i/n" (empty when the input shard is empty).',
} as const;

export type OutputName = keyof typeof OUTPUTS;

export interface ActionInputs {
  apiKey: string;
  apiSecret: string;
  patterns: string[];
  outputDir: string;
  artifactName: string;
  retentionDays: number | undefined;
  /** One unzipped artifact per video (named by its file) instead of all of them in one zip. */
  artifactPerVideo: boolean;
  /**
   * Videos in flight at once: the `concurrency` input, or this shard's share of `team-concurrency`
   * (see `shardConcurrency`).
   */
  concurrency: number;
  /** The team's generation limit as the user gave it (`team-concurrency`), shared by all shards. */
  teamConcurrency: number | undefined;
  /** This job's part of the videos in a matrix; undefined renders them all. */
  shard: Shard | undefined;
  timeoutMinutes: number;
  dryRun: boolean;
  skipUnchanged: boolean;
  commentOnPr: boolean;
  failOnError: boolean;
  baseUrl: string;
  githubToken: string;
}

/** Most videos one job keeps in flight. */
const MAX_CONCURRENCY = 64;
/** Most generations a team's plan could allow at once, as far as this input is concerned. */
const MAX_TEAM_CONCURRENCY = 4096;

/**
 * How this job's concurrency was chosen, for the log: a shard says its share of the team's slots,
 * and warns when there are more shards than slots (then shards that run at once wait for each other).
 */
export function describeConcurrency(inputs: ActionInputs): { info: string; warning?: string } {
  const { shard, teamConcurrency, concurrency } = inputs;
  const who = shard ? `Shard ${formatShard(shard)}` : 'This job';
  if (teamConcurrency === undefined) return { info: `${who} renders up to ${concurrency} video(s) at once.` };
  const info =
    `${who} renders up to ${concurrency} video(s) at once: its share of team-concurrency ${teamConcurrency}` +
    (shard ? ` over ${shard.count} shard(s).` : '.');
  if (!shard || teamConcurrency >= shard.count) return { info };
  return {
    info,
    warning:
      `team-concurrency ${teamConcurrency} is below the ${shard.count} shards: each shard renders one video at a time, ` +
      `so set max-parallel to ${teamConcurrency} or fewer, or shards that run at once wait for each other's slots.`,
  };
}

/** A wrong input value: the message names the input and what it accepts. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * Read and check every input. `get` returns the raw value ('' when unset, as `core.getInput`
 * does); an empty value falls back to the default, as for a local run without the runner's defaults.
 */
export function readInputs(get: (name: InputName) => string): ActionInputs {
  const value = (name: InputName): string => {
    const raw = get(name).trim();
    return raw !== '' ? raw : (INPUTS[name].default ?? '');
  };
  const bool = (name: InputName): boolean => {
    const v = value(name);
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    throw new InputError(`Input ${name} must be true or false (got "${v}").`);
  };
  const int = (name: InputName, min: number, max: number): number => {
    const v = value(name);
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InputError(`Input ${name} must be a whole number from ${min} to ${max} (got "${v}").`);
    }
    return n;
  };
  const minutes = value('timeout-minutes');
  const timeoutMinutes = Number(minutes);
  if (!/^\d+(\.\d+)?$/.test(minutes) || !(timeoutMinutes > 0) || timeoutMinutes > 24 * 60) {
    throw new InputError(`Input timeout-minutes must be a number of minutes above 0 (got "${minutes}").`);
  }
  const retention = value('retention-days');
  const artifactName = value('artifact-name');
  if (/[":<>|*?\r\n\\/]/.test(artifactName)) {
    throw new InputError(
      `Input artifact-name may not contain " : < > | * ? \\ / or line breaks (got "${artifactName}").`,
    );
  }
  const baseUrl = value('base-url');
  if (!/^https?:\/\//.test(baseUrl)) throw new InputError(`Input base-url must be an http(s) URL (got "${baseUrl}").`);
  let shard: Shard | undefined;
  try {
    shard = parseShard(value('shard'));
  } catch (e) {
    throw new InputError(`Input shard ${(e as Error).message}.`);
  }
  const team = value('team-concurrency');
  const teamConcurrency = team === '' ? undefined : int('team-concurrency', 1, MAX_TEAM_CONCURRENCY);
  const concurrency = int('concurrency', 1, MAX_CONCURRENCY);
  return {
    apiKey: get('api-key').trim(),
    apiSecret: get('api-secret').trim(),
    patterns: value('prompts')
      .split(/\r?\n/)
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    outputDir: value('output-dir'),
    // Shards of a matrix run in one workflow run, where artifact names are unique: each gets its suffix,
    // unless the user named the artifact (then it is theirs to make unique, e.g. with the matrix value).
    artifactName:
      shard && artifactName === INPUTS['artifact-name'].default ? shardArtifactName(artifactName, shard) : artifactName,
    retentionDays: retention === '' || retention === '0' ? undefined : int('retention-days', 0, 90),
    artifactPerVideo: bool('artifact-per-video'),
    concurrency:
      teamConcurrency === undefined ? concurrency : Math.min(MAX_CONCURRENCY, shardConcurrency(teamConcurrency, shard)),
    teamConcurrency,
    shard,
    timeoutMinutes,
    dryRun: bool('dry-run'),
    skipUnchanged: bool('skip-unchanged'),
    commentOnPr: bool('comment-on-pr'),
    failOnError: bool('fail-on-error'),
    baseUrl,
    githubToken: get('github-token').trim(),
  };
}
