/**
 * Metric 5: the n8n node's Video → Generate over many items. Its execute() runs through the n8n
 * engineer's test harness (nodes/test/harness.ts: a fake IExecuteFunctions built from the node's
 * description, real HTTP to the fake API), on the real clock. 16 items with Max Concurrent Jobs 16
 * should take about as long as 1 item; the baseline is the same node with Max Concurrent Jobs 1.
 * Bundled on its own (bench/run.mjs builds n8n.mjs), since it pulls in n8n-workflow.
 */
import { imageItem, runNode } from '../../nodes/test/harness.js';
import type { FakeInfo } from './fake.js';
import { serveRole } from './proc.js';

export interface N8nArgs {
  info: FakeInfo;
  items: number;
  concurrency: number;
}

export interface N8nRun {
  wallMs: number;
  outputs: number;
}

async function n8nRole(a: N8nArgs): Promise<N8nRun> {
  const items = await Promise.all(Array.from({ length: a.items }, () => imageItem()));
  const started = performance.now();
  const run = await runNode({
    parameters: {
      resource: 'video',
      operation: 'generate',
      prompt: (i: number) => `n8n benchmark ${i}: lanterns drift up into a night sky`,
      options: { maxConcurrentJobs: a.concurrency },
    },
    items,
    credentials: { apiKey: a.info.apiKey, apiSecret: a.info.apiSecret, baseUrl: a.info.url },
  });
  const wallMs = performance.now() - started;
  const videos = run.output.filter((o) => o.binary?.data !== undefined).length;
  if (videos !== a.items)
    throw new Error(`${videos}/${a.items} items have a video: ${JSON.stringify(run.output[0]?.json)}`);
  return { wallMs, outputs: videos };
}

const [flag, role, json] = process.argv.slice(2);
if (flag !== '--role' || role !== 'n8n') {
  process.stderr.write(`n8n.mjs: unknown role ${role}\n`);
  process.exit(2);
}
void serveRole(() => n8nRole(JSON.parse(json!) as N8nArgs));
