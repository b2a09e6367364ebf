import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/batch/manifest.ts
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
var MANIFEST_FILE = "manifest.json";
var MANIFEST_VERSION = 1;
var REFUNDED = /* @__PURE__ */ new Set(["job_failed", "job_canceled"]);
var STILL_RUNNING = /* @__PURE__ */ new Set(["timed_out", "aborted"]);
function stillRunning(v) {
  if (v.jobId === null) return false;
  return v.status === "interrupted" || v.status === "failed" && v.error !== null && STILL_RUNNING.has(v.error.code);
}
function charged(v) {
  if (v.resumed || v.jobId === null) return false;
  if (v.status === "rendered" || v.status === "interrupted") return true;
  return v.status === "failed" && v.error !== null && !REFUNDED.has(v.error.code);
}
function summarize(videos, issues, options) {
  const count = (s) => videos.filter((v) => v.status === s).length;
  const round = (n) => Math.round(n * 1e3) / 1e3;
  const sum = (list) => list.reduce((total, v) => total + (v.creativeUnits ?? 0), 0);
  const spent = options.dryRun ? sum(videos.filter((v) => v.status === "quoted" && !v.resumed)) : sum(videos.filter(charged));
  const running = sum(videos.filter((v) => charged(v) && stillRunning(v)));
  const orphans = options.orphans ?? [];
  return {
    version: MANIFEST_VERSION,
    createdAt: options.now.toISOString(),
    dryRun: options.dryRun,
    totals: {
      videos: videos.length,
      rendered: count("rendered"),
      skipped: count("skipped"),
      failed: count("failed"),
      interrupted: count("interrupted"),
      invalidFiles: new Set(issues.map((i) => i.file)).size,
      creativeUnits: round(spent),
      creativeUnitsRunning: round(running),
      jobsRunning: videos.filter(stillRunning).length,
      refundedJobs: videos.filter((v) => v.status === "failed" && v.error && REFUNDED.has(v.error.code) && v.jobId).length,
      orphans: orphans.length
    },
    videos,
    issues,
    orphans,
    ...options.shard ? { shard: { index: options.shard.index, count: options.shard.count } } : {}
  };
}
async function readManifest(outDir) {
  try {
    const data = JSON.parse(await readFile(path.join(outDir, MANIFEST_FILE), "utf8"));
    if (data.version !== MANIFEST_VERSION || !Array.isArray(data.videos)) return void 0;
    return data;
  } catch {
    return void 0;
  }
}
async function writeManifest(outDir, manifest) {
  return writeJsonAtomic(path.join(outDir, MANIFEST_FILE), manifest);
}
async function writeJsonAtomic(file, value) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}
`);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return file;
}

export {
  MANIFEST_FILE,
  summarize,
  readManifest,
  writeManifest,
  writeJsonAtomic
};
