import { UsageError, HELP, parseCli, type FakeApiArgs } from './args.js';
import { EXIT, type CliIO } from './io.js';
import { jobCommand } from './job.js';
import { jobsCommand } from './jobs.js';
import { renderCommand } from './render.js';

export { EXIT, type CliIO } from './io.js';
export { findRepoRoot } from './repo-root.js';

/** The CLI: parse, run one command, return its exit code. Usage errors are one line on stderr, exit 2. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let args;
  try {
    args = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`scenario-video: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  switch (args.command) {
    case 'help':
      io.stdout.write(HELP);
      return EXIT.ok;
    case 'version':
      io.stdout.write(`${io.version ?? '0.0.0'}\n`);
      return EXIT.ok;
    case 'render':
      return renderCommand(args, argv, io);
    case 'job':
      return jobCommand(args, io);
    case 'jobs':
      return jobsCommand(args, io);
    case 'fake-api':
      return fakeApi(args, io);
  }
}

async function fakeApi(args: FakeApiArgs, io: CliIO): Promise<number> {
  const { startFakeScenario } = await import('@scenario-video/fake-api');
  const fake = await startFakeScenario({ port: args.port });
  const { apiKey, apiSecret } = fake.credentials;
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ url: fake.url, cdnUrl: fake.cdnUrl, apiKey, apiSecret })}\n`);
  } else {
    io.stdout.write(
      `Fake Scenario API listening on ${fake.url}\n` +
        `Use it from another terminal:\n` +
        `  export SCENARIO_API_URL=${fake.url} SCENARIO_SDK_API_KEY=${apiKey} SCENARIO_SDK_API_SECRET=${apiSecret}\n` +
        `  scenario-video render\n` +
        `  scenario-video jobs\n` +
        `Ctrl-C to stop.\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = io.onInterrupt?.(() => {
      stop?.();
      resolve();
    });
    if (!stop) resolve();
  });
  await fake.close();
  return EXIT.ok;
}
