/**
 * Our download with the core alone loaded (bench/run.mjs builds ours-client.mjs from this file), beside
 * ours.mjs, which also holds the batch renderer like the CLI and the Action: the difference is what
 * the loaded code costs a large download. It was 0.93 against 0.6 of curl while downloads went
 * through node:http (V8 collected its per-read Buffers differently in the larger heap); with
 * reused read buffers both allocate nothing per chunk, and this row shows that it stays so.
 */
import { downloadOursRole } from './download-role.js';
import { serveRole } from './proc.js';

const [flag, role, json] = process.argv.slice(2);
if (flag !== '--role' || role !== 'download-client') {
  process.stderr.write(`ours-client.mjs: unknown role ${role}\n`);
  process.exit(2);
}
void serveRole(() => downloadOursRole(JSON.parse(json!) as never));
