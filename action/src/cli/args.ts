import { parseArgs, type ParseArgsConfig } from 'node:util';

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
  scenario-video job <jobId> [options]       show a job; with --download, save its videos
  scenario-video fake-api [--port N]         run the local fake Scenario API (no account needed)

render options:
  --out DIR            where videos and manifest.json go (default: scenario-videos)
  --concurrency N      videos rendered at once (default 4)
  --dry-run            validate every file and print the quoted cost; render nothing
  --force              redo unchanged videos too (a job already paid for is downloaded again, not re-rendered)
  --timeout MINUTES    give up waiting for one video after this long (default 30)
  --root DIR           the repository root (default: the nearest folder with .git, else the current one)
  --base-url URL       Scenario API base URL (default: $SCENARIO_API_URL or https://api.cloud.scenario.com/v1)
  --fake               start the embedded fake API and render against it (no account, no cost)
  --json               machine output: one JSON object per line on stdout, the last one "finished"

job options:
  --download DIR       download the job's videos into DIR when it has succeeded
  --wait               wait for the job to finish first
  --base-url URL, --json as above

Credentials come from SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET.
A run stopped with Ctrl-C keeps the ledger of submitted jobs in the output folder: run the same
command again to resume them without paying twice. The exit code is non-zero when any video failed.
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
  json: boolean;
}

export interface FakeApiArgs {
  command: 'fake-api';
  port: number;
  json: boolean;
}

export type CliArgs = RenderArgs | JobArgs | FakeApiArgs | { command: 'help' } | { command: 'version' };

const positiveInt = (name: string, value: string | undefined, fallback: number, max: number): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got ${value})`);
  }
  return Number(value);
};

export function parseCli(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command === '--version' || command === '-v' || command === 'version') return { command: 'version' };

  const parse = (options: NonNullable<ParseArgsConfig['options']>) => {
    try {
      return parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  };

  switch (command) {
    case 'render': {
      const { values, positionals } = parse({
        out: { type: 'string', short: 'o' },
        concurrency: { type: 'string', short: 'c' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        timeout: { type: 'string' },
        root: { type: 'string' },
        'base-url': { type: 'string' },
        fake: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return { command: 'help' };
      if (values.fake && values['base-url'] !== undefined) {
        throw new UsageError('--fake and --base-url cannot be used together');
      }
      return {
        command: 'render',
        patterns: positionals,
        ...(values.out !== undefined ? { out: values.out as string } : {}),
        concurrency: positiveInt('concurrency', values.concurrency as string | undefined, 4, 64),
        dryRun: values['dry-run'] === true,
        force: values.force === true,
        timeoutMinutes: positiveInt('timeout', values.timeout as string | undefined, 30, 24 * 60),
        ...(values.root !== undefined ? { root: values.root as string } : {}),
        ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] as string } : {}),
        fake: values.fake === true,
        json: values.json === true,
      };
    }
    case 'job': {
      const { values, positionals } = parse({
        download: { type: 'string', short: 'd' },
        wait: { type: 'boolean' },
        'base-url': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return { command: 'help' };
      if (positionals.length !== 1) throw new UsageError('job takes one job id: scenario-video job <jobId>');
      const jobId = positionals[0]!;
      if (!/^[A-Za-z0-9_-]{1,200}$/.test(jobId)) throw new UsageError(`"${jobId}" is not a job id`);
      return {
        command: 'job',
        jobId,
        ...(values.download !== undefined ? { download: values.download as string } : {}),
        wait: values.wait === true,
        ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] as string } : {}),
        json: values.json === true,
      };
    }
    case 'fake-api': {
      const { values, positionals } = parse({
        port: { type: 'string', short: 'p' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return { command: 'help' };
      if (positionals.length > 0) throw new UsageError(`fake-api takes no arguments (got ${positionals.join(' ')})`);
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a port number (got ${String(values.port)})`);
      }
      return { command: 'fake-api', port, json: values.json === true };
    }
    default:
      throw new UsageError(`unknown command "${command}"; try scenario-video --help`);
  }
}
