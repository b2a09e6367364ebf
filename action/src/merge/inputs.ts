import { InputError } from '../action/inputs.js';
import { MAX_SHARDS } from '../shard/shard.js';

/**
 * The merge action's inputs (`merge/action.yml`): the one table that file, the docs and the code agree
 * with (a test parses them). Defaults are what the runner fills in from `merge/action.yml`.
 */
export const MERGE_INPUTS = {
  'artifact-name': {
    description:
      "Name of the merged artifact. The shards' artifacts are found as <artifact-name>-<i>-of-<n>, the names the render action gives them with the default artifact-name.",
    default: 'scenario-videos',
  },
  pattern: {
    description:
      "Names of the shards' artifacts when you named them yourself, with * as a wildcard (e.g. renders-*); empty: <artifact-name>-<i>-of-<n>.",
    default: '',
  },
  shards: {
    description:
      "Number of shards the matrix has (e.g. 4); empty: as the shards' manifests say. With it, a run where no shard uploaded anything fails naming every shard.",
    default: '',
  },
  'output-dir': {
    description: 'Folder for the merged videos and manifest.json, relative to the workspace.',
    default: 'scenario-videos',
  },
  'retention-days': {
    description: 'Days to keep the merged artifact (1-90); empty or 0 for the repository default.',
    default: '',
  },
  'delete-merged': {
    description: "Delete the shards' artifacts once the merged one is uploaded (the merged one holds every video).",
    default: 'false',
  },
  'comment-on-pr': {
    description: 'On pull requests, keep one comment with the merged results, updated in place.',
    default: 'false',
  },
  'fail-on-error': {
    description:
      'Fail the step when a video failed or was interrupted in a shard, or a prompt file is invalid (the finished videos are merged anyway).',
    default: 'true',
  },
  'github-token': { description: 'Token for the pull request comment.', default: '${{ github.token }}' },
} as const satisfies Record<string, { description: string; default: string }>;

export type MergeInputName = keyof typeof MERGE_INPUTS;

export const MERGE_OUTPUTS = {
  manifest: 'Path of the merged manifest.json (every video of every shard), relative to the workspace.',
  videos: 'JSON array: name, source, jobId, status, file, bytes, creativeUnits, error.',
  rendered: 'Number of videos rendered by the shards in this workflow run.',
  skipped: 'Number of unchanged videos the shards restored from the cache instead of rendering.',
  failed: 'Number of videos that failed in a shard.',
  'creative-units': 'Creative units the shards spent in this workflow run.',
  'artifact-id': 'ID of the merged artifact (empty when nothing was uploaded).',
  'artifact-url': 'Browser URL of the merged artifact (empty when nothing was uploaded).',
} as const;

export type MergeOutputName = keyof typeof MERGE_OUTPUTS;

export interface MergeInputs {
  artifactName: string;
  /** Matches the shards' artifact names. */
  pattern: RegExp;
  /** What `pattern` was, as the user reads it. */
  patternText: string;
  shards: number | undefined;
  outputDir: string;
  retentionDays: number | undefined;
  deleteMerged: boolean;
  commentOnPr: boolean;
  failOnError: boolean;
  githubToken: string;
}

/** Read and check every input; an empty value falls back to the default. Throws InputError naming the input. */
export function readMergeInputs(get: (name: MergeInputName) => string): MergeInputs {
  const value = (name: MergeInputName): string => {
    const raw = get(name).trim();
    return raw !== '' ? raw : MERGE_INPUTS[name].default;
  };
  const bool = (name: MergeInputName): boolean => {
    const v = value(name);
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    throw new InputError(`Input ${name} must be true or false (got "${v}").`);
  };
  const int = (name: MergeInputName, min: number, max: number): number => {
    const v = value(name);
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      throw new InputError(`Input ${name} must be a whole number from ${min} to ${max} (got "${v}").`);
    }
    return n;
  };
  const artifactName = value('artifact-name');
  if (/[":<>|*?\r\n\\/]/.test(artifactName)) {
    throw new InputError(
      `Input artifact-name may not contain " : < > | * ? \\ / or line breaks (got "${artifactName}").`,
    );
  }
  const given = value('pattern');
  const patternText = given !== '' ? given : `${artifactName}-<i>-of-<n>`;
  const pattern =
    given !== ''
      ? new RegExp(`^${given.split('*').map(escapeRegExp).join('.*')}$`)
      : new RegExp(`^${escapeRegExp(artifactName)}-\\d+-of-\\d+$`);
  const shards = value('shards');
  const retention = value('retention-days');
  return {
    artifactName,
    pattern,
    patternText,
    shards: shards === '' ? undefined : int('shards', 1, MAX_SHARDS),
    outputDir: value('output-dir'),
    retentionDays: retention === '' || retention === '0' ? undefined : int('retention-days', 0, 90),
    deleteMerged: bool('delete-merged'),
    commentOnPr: bool('comment-on-pr'),
    failOnError: bool('fail-on-error'),
    githubToken: get('github-token').trim(),
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
