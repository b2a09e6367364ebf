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
import { batchBaselineRole, batchOracleRole, measureBatch } from './batch.js';
import { measureDownload } from './download.js';
import { fakeRole } from './fake.js';
import { measureN8n } from './n8n-measure.js';
import { measurePolling, waitFixedRole } from './polling.js';
import { serveRole } from './proc.js';
import { SDK_POLL_MS } from './raw.js';
import { formatTable, notMeasured, row, type Row } from './results.js';
import { measureStartup } from './startup.js';

const roles: Record<string, (args: never) => Promise<unknown>> = {
  'batch-baseline': batchBaselineRole,
  'batch-oracle': batchOracleRole,
  'wait-fixed': waitFixedRole,
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
      const o = quick
        ? { n: 2, limit: 2, jobMs: 500, sdkPollMs: 250 }
        : { n: 64, limit: 8, jobMs: 2000, sdkPollMs: SDK_POLL_MS };
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
    if (wants('polling')) {
      const o = quick
        ? { jobs: 3, jobMs: 1500, staggerMs: 300, sdkPollMs: 250 }
        : { jobs: 40, jobMs: 60_000, staggerMs: 6000, sdkPollMs: SDK_POLL_MS };
      say(`polling: ${o.jobs} + ${o.jobs} renders of ${o.jobMs / 1000} s, ours and fixed 3 s polling at once…`);
      const m = await measurePolling(o);
      details.polling = m;
      const name = `${o.jobMs / 1000}s render`;
      rows.push(
        row(`${name}: polls per job (mean)`, 'polls', m.ours.pollsMean, m.fixed.pollsMean, {
          of: 'ours',
          op: '<=',
          value: 10,
        }),
        row(`${name}: polls per job (max)`, 'polls', m.ours.pollsMax, m.fixed.pollsMax, {
          of: 'ours',
          op: '<=',
          value: 10,
        }),
        row(`${name}: finished → noticed, p95`, 's', m.ours.lateP95Ms / 1000, m.fixed.lateP95Ms / 1000, {
          of: 'ours',
          op: '<=',
          value: 1.5,
        }),
        row(`${name}: finished → noticed, mean`, 's', m.ours.lateMeanMs / 1000, m.fixed.lateMeanMs / 1000),
      );
    }
    if (wants('download')) {
      const o = quick ? { bytes: 8 * 1024 * 1024, pairs: 1 } : { bytes: 1024 * 1024 * 1024, pairs: 5 };
      const size = o.bytes >= 1024 ** 3 ? `${o.bytes / 1024 ** 3} GiB` : `${o.bytes / 1024 ** 2} MiB`;
      say(`download: ${size} to disk, ours vs curl -o, ${o.pairs} pair(s)…`);
      const m = await measureDownload({ ...o, tmp });
      details.download = m;
      rows.push(
        row(`download ${size}: throughput`, 'MB/s', m.oursMBps, m.curlMBps, { of: 'ratio', op: '>=', value: 0.8 }),
        row(`download ${size}: throughput vs curl -o && sync FILE`, 'MB/s', m.oursMBps, m.curlSyncMBps),
        row(`download ${size}: throughput, core alone loaded, vs curl -o`, 'MB/s', m.aloneMBps, m.curlMBps),
        row(`download ${size}: peak RSS`, 'MB', m.peakRssMb, null, { of: 'ours', op: '<=', value: 120 }),
        row(`download ${size}: RSS before the download`, 'MB', m.startRssMb, null),
        row(`download ${size}: fake CPU ÷ wall, ours (baseline: curl's)`, '%', m.fakeCpuPctOurs, m.fakeCpuPctCurl),
      );
    }
    if (wants('startup')) {
      say('startup: node action/dist/index.mjs with no prompt files vs node -e 0…');
      const m = await measureStartup({ runs: quick ? 3 : 21, tmp, root });
      const name = 'action start-up, no prompt files';
      if (typeof m === 'string') rows.push(notMeasured(name, 'ms', 'ratio ≤ 3', m));
      else {
        details.startup = m;
        rows.push(row(name, 'ms', m.actionMs, m.nodeMs, { of: 'ratio', op: '<=', value: 3 }));
      }
    }
    if (wants('n8n')) {
      const o = quick ? { items: 2, jobMs: 500 } : { items: 16, jobMs: 3000 };
      const name = `n8n node, ${o.items} items: wall ÷ 1 item`;
      const problem = process.env.SCENARIO_BENCH_N8N_PROBLEM;
      if (problem) rows.push(notMeasured(name, '×', 'ours ≤ 1.3', problem));
      else {
        say(`n8n: Video → Generate, ${o.items} items of ${o.jobMs / 1000} s, concurrency ${o.items} vs 1…`);
        const m = await measureN8n(o);
        details.n8n = m;
        rows.push(
          row(
            name,
            '×',
            m.concurrentRatio,
            m.serialRatio,
            { of: 'ours', op: '<=', value: 1.3 },
            `concurrency ${o.items} vs 1`,
          ),
        );
      }
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
