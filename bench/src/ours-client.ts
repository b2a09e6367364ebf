/**
 * Our download with the core alone loaded (bench/run.mjs builds ours-client.mjs from this file), beside
 * ours.mjs, which also holds the batch renderer like the CLI and the Action: the difference is what
 * the loaded code costs a large download (V8 collects the socket buffers differently).
 */
import { downloadOursRole } from './download-role.js';
import { serveRole } from './proc.js';

const [flag, role, json] = process.argv.slice(2);
if (flag !== '--role' || role !== 'download-client') {
  process.stderr.write(`ours-client.mjs: unknown role ${role}\n`);
  process.exit(2);
}
void serveRole(() => downloadOursRole(JSON.parse(json!) as never));
