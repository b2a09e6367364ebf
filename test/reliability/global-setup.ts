// The reliability suite's global setup: one run folder for every byte the suite produces; at the
// end, sweep all of it for the credentials (and their Basic-auth encoding), print the counts, and
// fail the run on any hit.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { sweep } from './secrets.js';

export const SUMMARY_FILE = path.join(tmpdir(), 'scenario-video-reliability.json');

export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sv-reliability-'));
  project.provide('reliabilityDir', dir);

  return () => {
    const counts: Record<string, Record<string, unknown>> = {};
    const countsDir = path.join(dir, 'counts');
    let names: string[] = [];
    try {
      names = readdirSync(countsDir);
    } catch {
      names = [];
    }
    for (const name of names.sort()) {
      counts[name.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(countsDir, name), 'utf8')) as Record<
        string,
        unknown
      >;
    }
    const swept = sweep(dir);
    const summary = { counts, secrets: { files: swept.files, bytes: swept.bytes, hits: swept.hits } };
    writeFileSync(SUMMARY_FILE, JSON.stringify(summary, null, 2));
    process.stdout.write(`\n${formatSummary(counts, swept)}\n  (details: ${SUMMARY_FILE})\n`);
    if (swept.hits.length > 0) {
      process.stdout.write(`  credential hits (kept for inspection in ${dir}):\n`);
      for (const hit of swept.hits.slice(0, 50)) process.stdout.write(`    ${hit.needle} in ${hit.file}\n`);
      throw new Error(`reliability: ${swept.hits.length} credential hit(s) in what the suite produced`);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const signedKiB = (bytes: number) => `${bytes < 0 ? '-' : '+'}${Math.round(Math.abs(bytes) / 1024)} KiB`;

function formatSummary(
  counts: Record<string, Record<string, unknown>>,
  swept: { files: number; bytes: number; hits: unknown[] },
): string {
  const faults = Object.entries(counts).filter(([k]) => k.startsWith('faults-'));
  const cells = faults.reduce((a, [, c]) => a + num(c.cells), 0);
  const perFace = faults.map(([k, c]) => `${k.slice('faults-'.length)} ${num(c.cells)}`).join(', ');
  const soak = counts.soak ?? {};
  const bad = Object.entries(counts).filter(([k]) => k.startsWith('bad-input'));
  const badCases = bad.reduce((a, [, c]) => a + num(c.cases), 0);
  const badPerArea = bad.map(([k, c]) => `${k.slice('bad-input-'.length)} ${num(c.cases)}`).join(', ');
  const hazards = Object.values(counts).reduce((a, c) => a + num(c.authorizationToCdn), 0);
  // The real-scale profile: per face and team limit, wall ÷ ideal and what was lost or paid twice.
  const scale = Object.entries({ ...counts['real-scale'], ...counts['real-scale-processes'] }).map(([run, f]) => {
    const r = f as Record<string, unknown>;
    return `${run} ${num(r.delivered)}/${num(r.items)} delivered, ${num(r.lost)} lost, ${num(r.paidTwice)} paid twice, ${num(r.requestsPerVideo)} req/video, wall÷ideal ${num(r.wallOverIdeal)}`;
  });
  return [
    `reliability: ${cells} fault cells (${perFace || 'none'}), ` +
      `${num(soak.jobs)} soak jobs at ${Math.round(num(soak.faultRate) * 1000) / 10} % faulty requests ` +
      `(${num(soak.lost)} lost, ${num(soak.duplicateSubmits)} duplicate submits, ${num(soak.failed)} failures: ` +
      `${num(soak.failedWithJobId)} naming their job, ${num(soak.failedSubmitOutcomeUnknown)} submits with a lost ` +
      `answer and no job made, reported as such; memory ${signedKiB(num(soak.memoryGrowthFrom100To500))} ` +
      `from job 100 to 500), ` +
      `${badCases} bad-input cases (${badPerArea || 'none'}), ` +
      `${swept.hits.length} secret hits in ${swept.files} files / ${swept.bytes} bytes, ` +
      `${hazards} Authorization headers at the CDN`,
    ...(scale.length > 0 ? [`real scale (2–10 min renders): ${scale.join('; ')}`] : []),
    ...(counts['real-scale-failures']
      ? [`issue 14's failures at real scale: ${num(counts['real-scale-failures'].fixed)} of 5 shown fixed`]
      : []),
  ].join('\n');
}
