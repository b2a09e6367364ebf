/**
 * The measured side of each comparison, bundled on its own (bench/run.mjs builds ours.mjs from
 * this file): a child running our client loads only our client's code (the core, its Node adapters
 * and the batch renderer), so its peak RSS is ours, not the benchmark's.
 */
import { batchOursRole } from './batch.js';
import { downloadOursRole } from './download-role.js';
import { waitOursRole } from './polling.js';
import { serveRole } from './proc.js';

const roles: Record<string, (args: never) => Promise<unknown>> = {
  'batch-ours': batchOursRole,
  'wait-ours': waitOursRole,
  'download-ours': downloadOursRole,
};

const [flag, role, json] = process.argv.slice(2);
const fn = flag === '--role' ? roles[role!] : undefined;
if (!fn) {
  process.stderr.write(`ours.mjs: unknown role ${role}\n`);
  process.exit(2);
}
void serveRole(() => fn(JSON.parse(json!) as never));
