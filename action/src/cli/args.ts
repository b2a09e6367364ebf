import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from './suggest.js';

/** A mistake on the command line: printed as one line (what is wrong, a suggestion, `--help`), exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const HELP = `scenario-video — render videos with Scenario's Wan 2.2 image-to-video model

Usage:
  scenario-video render [globs…] [options]   render prompt files (globs relative to the current folder;
                                             default: prompts/**/*.{yml,yaml,json,md} in the repository)
  scenario-video jobs [options]              list the account's recent jobs, newest first
  scenario-video job <jobId> [options]       show a job; with --download, save its videos
  scenario-video fake-api [--port N]         run the local fake Scenario API (no account needed)

render options:
  --out DIR            where videos and manifest.json go (default: scenario-videos)
  --concurrency N      videos rendered at once (default 4)
  --dry-run            validate every file and print the quoted cost; render nothing. Scenario quotes
                       the cost, so without credentials it validates the files only (offline)
  --force              redo unchanged videos too (a job already paid for is downloaded again, not re-rendered)
  --timeout MINUTES    give up waiting for one video after this long (default 30)
  --root DIR           the repository root (default: the nearest folder with .git, else the current one)
  --base-url URL       Scenario API base URL (default: $SCENARIO_API_URL or https://api.cloud.scenario.com/v1)
  --fake               start the embedded fake API and render against it (no account, no cost)
  --json               machine output: one JSON object per line on stdout, the last one "finished"

jobs options:
  --limit N            how many jobs to list (default 20, at most 1000)
  --status STATUS      only jobs in this status (e.g. in-progress, success, failure)
  --base-url URL, --fake as above (the embedded fake starts empty)
  --json               one JSON document on stdout: {"jobs": [...], "more": true|false}

job options:
  --download DIR       download the job's videos into DIR when it has succeeded
  --wait               wait for the job to finish first
  --base-url URL, --fake, --json as above (--json: one JSON document)

Credentials come from SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET.
A run stopped with Ctrl-C keeps the ledger of submitted jobs in the output folder: run the same
command again to resume them without paying twice. A video whose submit went unanswered is never
sent again blindly: find its job with scenario-video jobs, then scenario-video job <id> --download DIR.
The exit code is non-zero when any video failed (2 for a usage, credentials or connection problem).
`;

export interface RenderArgs {
  command: 'render';
  patterns: string[];
  out?: string;
  concurrency: number;
  dryRun: boolean;
  force: boolean;
  timeoutMinutes: number;
  root?: string;
  baseUrl?: string;
  fake: boolean;
  json: boolean;
}

export interface JobArgs {
  command: 'job';
  jobId: string;
  download?: string;
  wait: boolean;
  baseUrl?: string;
  fake: boolean;
  json: boolean;
}

export interface JobsArgs {
  command: 'jobs';
  limit: number;
  status?: string;
  baseUrl?: string;
  fake: boolean;
  json: boolean;
}

export interface FakeApiArgs {
  command: 'fake-api';
  port: number;
  json: boolean;
}

export type CliArgs = RenderArgs | JobArgs | JobsArgs | FakeApiArgs | { command: 'help' } | { command: 'version' };

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMANDS = ['render', 'jobs', 'job', 'fake-api', 'help', 'version'] as const;

const CONNECTION: Options = {
  'base-url': { type: 'string' },
  fake: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Each command's flags: what parseArgs accepts, and what a mistyped flag is compared with. */
const OPTIONS = {
  render: {
    out: { type: 'string', short: 'o' },
    concurrency: { type: 'string', short: 'c' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    timeout: { type: 'string' },
    root: { type: 'string' },
    ...CONNECTION,
  },
  jobs: {
    limit: { type: 'string', short: 'n' },
    status: { type: 'string' },
    ...CONNECTION,
  },
  job: {
    download: { type: 'string', short: 'd' },
    wait: { type: 'boolean' },
    ...CONNECTION,
  },
  'fake-api': {
    port: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
} satisfies Record<string, Options>;

const positiveInt = (name: string, value: string | undefined, fallback: number, max: number): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got ${value})`);
  }
  return Number(value);
};

/**
 * A base URL as the client needs it: http(s) with a host. "api.cloud.scenario.com/v1" (no scheme) would
 * otherwise fail deep in the transport, or parse as a URL whose scheme is the host name.
 */
export function checkBaseUrl(value: string, from: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '') return value;
  const suggestion = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? '' : `; did you mean https://${value}?`;
  throw new UsageError(
    `${from} must be an http(s) URL such as https://api.cloud.scenario.com/v1 (got ${value})${suggestion}`,
  );
}

/** `--flag` as the user typed it, from parseArgs' message ("Unknown option '--outt'. …"). */
const flagOf = (message: string): string | undefined => /'(-[^'\s]*)/.exec(message)?.[1];

/** parseArgs' errors, as one line that names the flag, suggests the closest one and points at --help. */
function usageFromParseError(command: keyof typeof OPTIONS, options: Options, e: unknown): UsageError {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  const flag = flagOf(message);
  const help = `see scenario-video ${command} --help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const names = Object.keys(options).map((n) => `--${n}`);
    const typed = flag.startsWith('--') ? flag.split('=')[0]! : flag;
    const near = closest(typed, names);
    const elsewhere = Object.entries(OPTIONS)
      .filter(([name, opts]) => name !== command && typed.startsWith('--') && typed.slice(2) in opts)
      .map(([name]) => name);
    const hint =
      near !== undefined
        ? `did you mean ${near}?`
        : elsewhere.length > 0
          ? `${typed} belongs to ${elsewhere.join(' and ')}`
          : `${command} takes ${names.join(', ')}`;
    return new UsageError(`unknown option ${typed} for ${command}; ${hint} (${help})`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    // "Option '-o, --out <value>' argument missing" or "Option '--json' does not take an argument".
    const name = /--[A-Za-z][\w-]*/.exec(message)?.[0] ?? flag;
    const takesValue = /argument missing/.test(message);
    return new UsageError(takesValue ? `${name} needs a value (${help})` : `${name} takes no value (${help})`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return new UsageError(`${command} takes no arguments (${help})`);
  }
  return new UsageError(`${message.split('\n')[0]} (${help})`);
}

export function parseCli(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command === '--version' || command === '-v' || command === 'version') return { command: 'version' };
  if (!(command in OPTIONS)) {
    const near = closest(command, [...COMMANDS]);
    throw new UsageError(
      `unknown command "${command}"${near !== undefined ? `; did you mean ${near}?` : ''} (see scenario-video --help)`,
    );
  }
  const name = command as keyof typeof OPTIONS;
  try {
    return parseCommand(name, rest);
  } catch (e) {
    // Every usage error ends by pointing at the help of the command it is about.
    if (e instanceof UsageError && !e.message.includes('--help')) {
      throw new UsageError(`${e.message} (see scenario-video ${name} --help)`);
    }
    throw e;
  }
}

function parseCommand(name: keyof typeof OPTIONS, rest: readonly string[]): CliArgs {
  const options: Options = OPTIONS[name];
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageFromParseError(name, options, e);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  if (values.help) return { command: 'help' };
  const str = (key: string) => values[key] as string | undefined;

  // Flags shared by the commands that talk to the API.
  const baseUrl = str('base-url');
  if (values.fake && baseUrl !== undefined) throw new UsageError('--fake and --base-url cannot be used together');
  const connection = {
    ...(baseUrl !== undefined ? { baseUrl: checkBaseUrl(baseUrl, '--base-url') } : {}),
    fake: values.fake === true,
    json: values.json === true,
  };

  switch (name) {
    case 'render':
      return {
        command: 'render',
        patterns: positionals,
        ...(str('out') !== undefined ? { out: str('out')! } : {}),
        concurrency: positiveInt('concurrency', str('concurrency'), 4, 64),
        dryRun: values['dry-run'] === true,
        force: values.force === true,
        timeoutMinutes: positiveInt('timeout', str('timeout'), 30, 24 * 60),
        ...(str('root') !== undefined ? { root: str('root')! } : {}),
        ...connection,
      };
    case 'jobs': {
      if (positionals.length > 0) {
        throw new UsageError(
          `jobs takes no arguments (got ${positionals.join(' ')}); to see one job: scenario-video job <jobId>`,
        );
      }
      const status = str('status');
      if (status !== undefined && !/^[a-z][a-z-]{0,40}$/.test(status)) {
        throw new UsageError(`--status must be a job status such as in-progress, success or failure (got ${status})`);
      }
      return {
        command: 'jobs',
        limit: positiveInt('limit', str('limit'), 20, 1000),
        ...(status !== undefined ? { status } : {}),
        ...connection,
      };
    }
    case 'job': {
      if (positionals.length !== 1) throw new UsageError('job takes one job id: scenario-video job <jobId>');
      const jobId = positionals[0]!;
      if (!/^[A-Za-z0-9_-]{1,200}$/.test(jobId)) throw new UsageError(`"${jobId}" is not a job id`);
      return {
        command: 'job',
        jobId,
        ...(str('download') !== undefined ? { download: str('download')! } : {}),
        wait: values.wait === true,
        ...connection,
      };
    }
    case 'fake-api': {
      if (positionals.length > 0) throw new UsageError(`fake-api takes no arguments (got ${positionals.join(' ')})`);
      const port = str('port') === undefined ? 0 : Number(str('port'));
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a port number (got ${String(str('port'))})`);
      }
      return { command: 'fake-api', port, json: values.json === true };
    }
  }
}
