#!/usr/bin/env node
// The `scenario-video` command: wires the real process (argv, env, streams, signals) to main().
import { readFileSync } from 'node:fs';
import { main } from './main.js';

const version = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
})();

let interrupts = 0;
const handlers = new Set<() => void>();
const onSignal = () => {
  interrupts++;
  if (interrupts > 1) {
    // The ledger is written before any waiting, so quitting now loses nothing.
    process.stderr.write('\nQuit. Submitted jobs are in the ledger; run the same command again to resume.\n');
    process.exit(130);
  }
  for (const handler of handlers) handler();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  version,
  onInterrupt: (handler) => {
    handlers.add(handler);
    return () => handlers.delete(handler);
  },
});
process.exitCode = code;
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
