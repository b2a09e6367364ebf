/**
 * `pnpm bench`: what users pay in time and money, ours side by side with a baseline measured in
 * the same run, against the fake API over real HTTP on 127.0.0.1 and the real clock. Ratios, not
 * absolute times: the machines are shared and noisy. Writes bench/results.json and prints a table.
 *
 *   --quick          tiny sizes (seconds): checks that the benchmark itself still runs
 *   --only a,b       run only some metrics: batch, polling, download, startup, n8n
 *   --out FILE       where to write the results (default bench/results.json)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { batchBaselineRole, batchOracleRole, batchOursRole, measureBatch } from './batch.js';
import { fakeRole } from './fake.js';
import { serveRole } from './proc.js';
import { formatTable, row, type Row } from './results.js';

const roles: Record<string, (args: never) => Promise<unknown>> = {
  'batch-ours': batchOursRole,
  'batch-baseline': batchBaselineRole,
  'batch-oracle': batchOracleRole,
};

const METRICS = ['batch', 'polling', 'download', 'startup', 'n8n'] as const;
type Metric = (typeof METRICS)[number];

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--role') {
    const [, role, json] = argv;
    if (role === 'fake') return fakeRole(JSON.parse(json!));
    const fn = roles[role!];
    if (!fn) throw new Error(`unknown role ${role}`);
    return serveRole(() => fn(JSON.parse(json!) as never));
  }
  const quick = argv.includes('--quick');
  const only = argv.find((a, i) => argv[i - 1] === '--only')?.split(',') ?? [...METRICS];
  const root = process.env.SCENARIO_BENCH_ROOT ?? process.cwd();
  const out = path.resolve(root, argv.find((a, i) => argv[i - 1] === '--out') ?? 'bench/results.json');
  const wants = (m: Metric) => only.includes(m);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'scenario-bench-run-'));
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const started = Date.now();
  const say = (s: string) => process.stderr.write(`${s}\n`);
  try {
    if (wants('batch')) {
      const o = quick ? { n: 8, limit: 4, jobMs: 1000 } : { n: 64, limit: 8, jobMs: 2000 };
      say(`batch: ${o.n} renders of ${o.jobMs / 1000} s, team limit ${o.limit}…`);
      const m = await measureBatch({ ...o, tmp });
      details.batch = m;
      const [ours, base, over, oracle] = m.variants;
      const name = `batch ${o.n}×${o.jobMs / 1000}s, limit ${o.limit}`;
      rows.push(
        row(`${name}: wall ÷ ideal`, '×', ours!.ratio, base!.ratio, { of: 'ours', op: '<=', value: 1.1 }),
        row(`${name}: requests per video`, 'req', ours!.requestsPerVideo, base!.requestsPerVideo),
        row(`${name}: peak RSS`, 'MB', ours!.peakRssMb, base!.peakRssMb),
        row(`${name}: wall ÷ ideal, concurrency ${o.limit * 2}`, '×', over!.ratio, base!.ratio),
        row(`${name}: fake floor (oracle client) wall ÷ ideal`, '×', oracle!.ratio, null),
        row(
          `${name}: fake CPU ÷ wall during ours`,
          '%',
          (100 * ours!.fakeCpuMs) / ours!.wallMs,
          (100 * base!.fakeCpuMs) / base!.wallMs,
        ),
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const results = {
    generatedAt: new Date().toISOString(),
    quick,
    node: process.version,
    cpus: os.cpus().length,
    durationS: Math.round((Date.now() - started) / 1000),
    rows,
    details,
  };
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(rows)}\n\nwrote ${path.relative(root, out)} (${results.durationS} s)\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
