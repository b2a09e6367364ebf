import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  InputError,
  MAX_SHARDS,
  commentOnPullRequest,
  formatShard,
  fromFork,
  manifestOutputs,
  reportMarkdown,
  toolkitDeps
} from "./chunks/chunk-UPUT22UN.mjs";
import {
  getInput,
  setOutput
} from "./chunks/chunk-K5QABVCG.mjs";
import {
  cachePath
} from "./chunks/chunk-LDN6F7N3.mjs";
import {
  readManifest,
  summarize,
  writeManifest
} from "./chunks/chunk-M6DOG7FV.mjs";
import "./chunks/chunk-XDNEWOOM.mjs";

// src/merge/main.ts
import { tmpdir } from "node:os";

// src/merge/run.ts
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

// src/merge/combine.ts
var MergeError = class extends Error {
  constructor(problems) {
    super(problems.join(" "));
    this.problems = problems;
  }
  problems;
  name = "MergeError";
};
function combineShards(results, options) {
  const problems = [];
  const withShard = [];
  for (const r of results) {
    if (!r.manifest) {
      problems.push(`The artifact ${r.artifact} holds no manifest.json of scenario-video: it is not a shard's result.`);
    } else if (!r.manifest.shard) {
      problems.push(
        `The artifact ${r.artifact} is not a shard's result (its manifest.json names no shard: was it rendered with the shard input?).`
      );
    } else if (r.manifest.dryRun) {
      problems.push(`The artifact ${r.artifact} is a dry run: only rendered shards can be merged.`);
    } else {
      withShard.push({ ...r, manifest: r.manifest, shard: r.manifest.shard });
    }
  }
  const counts = [...new Set(withShard.map((r) => r.shard.count))].sort((a, b) => a - b);
  const count = options.expected ?? (counts.length === 1 ? counts[0] : void 0);
  if (options.expected === void 0 && counts.length > 1) {
    problems.push(
      `The shards disagree on their number: ${withShard.map((r) => `${r.artifact} is shard ${formatShard(r.shard)}`).join(", ")}.`
    );
  }
  if (count !== void 0) {
    for (const r of withShard) {
      if (r.shard.count !== count) {
        problems.push(
          `The artifact ${r.artifact} is shard ${formatShard(r.shard)}, but the matrix has ${count} shards.`
        );
      }
    }
    for (let index = 1; index <= count; index++) {
      const found = withShard.filter((r) => r.shard.index === index && r.shard.count === count);
      if (found.length === 0) {
        problems.push(
          `Shard ${index}/${count} is missing: no artifact of this workflow run holds its result (did its job fail before uploading, or was it cancelled? Re-run it, then this job).`
        );
      } else if (found.length > 1) {
        problems.push(
          `Shard ${index}/${count} is there twice: ${found.map((r) => r.artifact).join(" and ")} (give each job its own shard).`
        );
      }
    }
  } else if (withShard.length === 0 && problems.length === 0) {
    problems.push("No shard artifacts were found in this workflow run.");
  }
  const videos = [];
  const byName = /* @__PURE__ */ new Map();
  const byFile = /* @__PURE__ */ new Map();
  const issues = [];
  const orphans = [];
  for (const r of withShard) {
    const where = `shard ${formatShard(r.shard)} (${r.artifact})`;
    for (const v of r.manifest.videos) {
      const other = byName.get(v.name);
      if (other !== void 0) {
        problems.push(`The video ${v.name} is in two shards: ${other} and ${where}.`);
        continue;
      }
      byName.set(v.name, where);
      const delivered = (v.status === "rendered" || v.status === "skipped") && v.file !== null;
      if (delivered && !isPlainFileName(v.file)) {
        problems.push(`The video ${v.name} of ${where} names the file ${JSON.stringify(v.file)}, not a file name.`);
        continue;
      }
      if (delivered) {
        const sameFile = byFile.get(v.file);
        if (sameFile !== void 0) {
          problems.push(`The file ${v.file} of the video ${v.name} in ${where} is also a file of ${sameFile}.`);
          continue;
        }
        byFile.set(v.file, `${v.name} in ${where}`);
        if (!r.files.has(v.file)) {
          problems.push(
            `The video ${v.name} of ${where} is ${v.status}, but its file ${v.file} is not in the artifact.`
          );
          continue;
        }
      }
      videos.push({ video: v, artifact: r.artifact });
    }
    issues.push(...r.manifest.issues);
    orphans.push(...r.manifest.orphans);
  }
  if (problems.length > 0) throw new MergeError(problems);
  videos.sort(
    (a, b) => compare(a.video.source, b.video.source) || a.video.name.localeCompare(b.video.name, "en", { numeric: true })
  );
  const manifest = summarize(
    videos.map((v) => v.video),
    issues,
    { dryRun: false, now: options.now, orphans }
  );
  const shards = withShard.map((r) => ({ shard: r.shard, artifact: r.artifact, videos: r.manifest.videos.length })).sort((a, b) => a.shard.index - b.shard.index);
  return { manifest, videos, shards };
}
var compare = (a, b) => a < b ? -1 : a > b ? 1 : 0;
var isPlainFileName = (file) => file !== "" && file !== "." && file !== ".." && !/[/\\\0]/.test(file);

// src/merge/inputs.ts
var MERGE_INPUTS = {
  "artifact-name": {
    description: "Name of the merged artifact. The shards' artifacts are found as <artifact-name>-<i>-of-<n>, the names the render action gives them with the default artifact-name.",
    default: "scenario-videos"
  },
  pattern: {
    description: "Names of the shards' artifacts when you named them yourself, with * as a wildcard (e.g. renders-*); empty: <artifact-name>-<i>-of-<n>.",
    default: ""
  },
  shards: {
    description: "Number of shards the matrix has (e.g. 4); empty: as the shards' manifests say. With it, a run where no shard uploaded anything fails naming every shard.",
    default: ""
  },
  "output-dir": {
    description: "Folder for the merged videos and manifest.json, relative to the workspace.",
    default: "scenario-videos"
  },
  "retention-days": {
    description: "Days to keep the merged artifact (1-90); empty or 0 for the repository default.",
    default: ""
  },
  "delete-merged": {
    description: "Delete the shards' artifacts once the merged one is uploaded (the merged one holds every video).",
    default: "false"
  },
  "comment-on-pr": {
    description: "On pull requests, keep one comment with the merged results, updated in place.",
    default: "false"
  },
  "fail-on-error": {
    description: "Fail the step when a video failed or was interrupted in a shard, or a prompt file is invalid (the finished videos are merged anyway).",
    default: "true"
  },
  "github-token": { description: "Token for the pull request comment.", default: "${{ github.token }}" }
};
function readMergeInputs(get) {
  const value = (name) => {
    const raw = get(name).trim();
    return raw !== "" ? raw : MERGE_INPUTS[name].default;
  };
  const bool = (name) => {
    const v = value(name);
    if (["true", "True", "TRUE"].includes(v)) return true;
    if (["false", "False", "FALSE"].includes(v)) return false;
    throw new InputError(`Input ${name} must be true or false (got "${v}").`);
  };
  const int = (name, min, max) => {
    const v = value(name);
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      throw new InputError(`Input ${name} must be a whole number from ${min} to ${max} (got "${v}").`);
    }
    return n;
  };
  const artifactName = value("artifact-name");
  if (/[":<>|*?\r\n\\/]/.test(artifactName)) {
    throw new InputError(
      `Input artifact-name may not contain " : < > | * ? \\ / or line breaks (got "${artifactName}").`
    );
  }
  const given = value("pattern");
  const patternText = given !== "" ? given : `${artifactName}-<i>-of-<n>`;
  const pattern = given !== "" ? new RegExp(`^${given.split("*").map(escapeRegExp).join(".*")}$`) : new RegExp(`^${escapeRegExp(artifactName)}-\\d+-of-\\d+$`);
  const shards = value("shards");
  const retention = value("retention-days");
  return {
    artifactName,
    pattern,
    patternText,
    shards: shards === "" ? void 0 : int("shards", 1, MAX_SHARDS),
    outputDir: value("output-dir"),
    retentionDays: retention === "" || retention === "0" ? void 0 : int("retention-days", 0, 90),
    deleteMerged: bool("delete-merged"),
    commentOnPr: bool("comment-on-pr"),
    failOnError: bool("fail-on-error"),
    githubToken: get("github-token").trim()
  };
}
var escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// src/merge/run.ts
var OK = 0;
var FAILED = 1;
var DOWNLOADS_AT_ONCE = 4;
async function runMerge(deps) {
  const work = path.join(deps.tempDir, `scenario-video-merge-${randomBytes(6).toString("hex")}`);
  try {
    return await merge(deps, work);
  } catch (e) {
    deps.log.error(`scenario-video merge failed: ${message(e)}`);
    return FAILED;
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => void 0);
  }
}
async function merge(deps, work) {
  const token = deps.getInput("github-token").trim();
  if (token !== "") deps.setSecret(token);
  let inputs;
  try {
    inputs = readMergeInputs((name) => deps.getInput(name));
  } catch (e) {
    deps.log.error(e instanceof InputError ? e.message : `Could not read the inputs: ${message(e)}`);
    return FAILED;
  }
  const { log } = deps;
  const artifacts2 = deps.artifacts;
  if (!artifacts2) {
    log.error("The merge needs the artifact service of a GitHub Actions runner (no ACTIONS_RUNTIME_TOKEN here).");
    return FAILED;
  }
  const all = await artifacts2.list();
  const found = all.filter((a) => a.name !== inputs.artifactName && inputs.pattern.test(a.name));
  found.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
  log.info(
    `Shard artifacts matching ${inputs.patternText}: ${found.length > 0 ? found.map((a) => a.name).join(", ") : "none"}.`
  );
  if (found.length === 0 && fromFork(deps.context.payload)) {
    log.notice(
      "Pull request from a fork: the shards got no Scenario credentials, so they only validated the prompt files (see their job summaries). Nothing to merge.",
      { title: "Scenario videos: nothing to merge" }
    );
    return OK;
  }
  const results = [];
  const queue = [...found.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next !== void 0; next = queue.shift()) {
      const [i, a] = next;
      const dir = path.join(work, String(i));
      await mkdir(dir, { recursive: true });
      await artifacts2.download(a.id, dir);
      const entries = await readdir(dir, { withFileTypes: true });
      const files = new Set(entries.filter((f) => f.isFile()).map((f) => f.name));
      const manifest2 = await readManifest(dir);
      for (const v of manifest2?.videos ?? []) {
        if (v.file && !files.has(v.file) && all.some((x) => x.name === v.file)) files.add(v.file);
      }
      results.push({ artifact: a.name, manifest: manifest2, files, dir });
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, queue.length) }, worker));
  results.sort((a, b) => a.artifact.localeCompare(b.artifact, "en", { numeric: true }));
  let combined;
  try {
    combined = combineShards(results, {
      ...inputs.shards !== void 0 ? { expected: inputs.shards } : {},
      now: new Date(deps.now())
    });
  } catch (e) {
    if (!(e instanceof MergeError)) throw e;
    for (const problem of e.problems) log.error(problem, { title: "Scenario videos: merge" });
    await writeSummary(
      deps,
      ["### Scenario videos · merge failed", "", ...e.problems.map((p) => `- ${p}`), ""].join("\n")
    );
    return FAILED;
  }
  const { manifest } = combined;
  const shardList = combined.shards.map((s) => `${formatShard(s.shard)} (${s.artifact}, ${s.videos} video${s.videos === 1 ? "" : "s"})`).join(", ");
  log.info(`Merging ${combined.shards.length} shard(s): ${shardList}.`);
  const outDir = path.resolve(deps.context.workspace, inputs.outputDir);
  const outFromWorkspace = cachePath(deps.context.workspace, outDir);
  await mkdir(outDir, { recursive: true });
  const dirOf = new Map(results.map((r) => [r.artifact, r.dir]));
  const delivered = [];
  const own = /* @__PURE__ */ new Map();
  for (const { video, artifact: artifact2 } of combined.videos) {
    if (video.status !== "rendered" && video.status !== "skipped" || !video.file) continue;
    const target = path.join(outDir, video.file);
    const downloaded = path.join(dirOf.get(artifact2), video.file);
    const alone = all.find((x) => x.name === video.file);
    if (alone && !await isFile(downloaded)) {
      own.set(video.name, alone);
      continue;
    }
    await move(downloaded, target);
    delivered.push(target);
  }
  const manifestPath = await writeManifest(outDir, manifest);
  let artifact;
  let uploadFailed = false;
  try {
    const uploaded = await artifacts2.upload(inputs.artifactName, [...delivered, manifestPath], outDir, {
      ...inputs.retentionDays !== void 0 ? { retentionDays: inputs.retentionDays } : {}
    });
    const url = uploaded.id !== void 0 ? artifactUrl(deps.context, uploaded.id) : void 0;
    artifact = { name: inputs.artifactName, url, ...uploaded.id !== void 0 ? { id: uploaded.id } : {} };
    log.info(`Uploaded ${delivered.length} video(s) as artifact ${inputs.artifactName} (id ${uploaded.id ?? "?"}).`);
  } catch (e) {
    uploadFailed = true;
    log.error(
      `Could not upload the artifact ${inputs.artifactName}: ${message(e)}. The videos are in ${outFromWorkspace}/.`
    );
  }
  if (artifact && inputs.deleteMerged) {
    for (const s of combined.shards) {
      try {
        await artifacts2.delete(s.artifact);
      } catch (e) {
        log.warning(`Could not delete the shard artifact ${s.artifact}: ${message(e)}`);
      }
    }
    log.info(`Deleted the ${combined.shards.length} shard artifact(s): ${inputs.artifactName} holds every video.`);
  }
  let videoArtifacts;
  if (own.size > 0) {
    const links = /* @__PURE__ */ new Map();
    for (const { video } of combined.videos) {
      const alone = own.get(video.name);
      if (alone) links.set(video.name, { ...alone, url: artifactUrl(deps.context, alone.id) });
      else if (artifact && video.file && (video.status === "rendered" || video.status === "skipped"))
        links.set(video.name, { name: `${artifact.name}/${video.file}`, url: artifact.url });
    }
    videoArtifacts = links;
    log.info(`${own.size} video(s) stay the artifacts of their own that their shard uploaded (artifact-per-video).`);
  }
  setOutputs(deps, manifest, manifestPath, outFromWorkspace, artifact);
  const report = {
    manifest,
    durations: /* @__PURE__ */ new Map(),
    artifact,
    ...videoArtifacts ? { videoArtifacts } : {},
    mode: "render",
    interrupted: manifest.totals.interrupted > 0,
    note: `Merged ${combined.shards.length} shard(s): ${shardList}.`
  };
  await writeSummary(deps, reportMarkdown(report));
  if (inputs.commentOnPr) await commentOnPullRequest(deps, inputs, report);
  for (const s of combined.shards) {
    const stopped = combined.videos.filter((v) => v.artifact === s.artifact && v.video.status === "interrupted");
    if (stopped.length === 0) continue;
    const say = `Shard ${formatShard(s.shard)} did not finish: ${stopped.map((v) => v.video.name).join(", ")} ${stopped.length === 1 ? "was" : "were"} interrupted. Re-run its job (it resumes the jobs without paying again), then this one.`;
    const at = { title: `Scenario videos: shard ${formatShard(s.shard)} did not finish` };
    if (inputs.failOnError) log.error(say, at);
    else log.warning(say, at);
  }
  const t = manifest.totals;
  if (uploadFailed) return FAILED;
  if (inputs.failOnError && (t.failed > 0 || t.interrupted > 0 || t.invalidFiles > 0)) {
    log.error(
      [
        t.failed > 0 ? `${t.failed} video(s) failed` : "",
        t.interrupted > 0 ? `${t.interrupted} video(s) were interrupted` : "",
        t.invalidFiles > 0 ? `${t.invalidFiles} prompt file(s) have errors` : ""
      ].filter(Boolean).join(" and ") + " (see the job summary). Finished videos were merged."
    );
    return FAILED;
  }
  return OK;
}
var isFile = (file) => stat(file).then(
  (info) => info.isFile(),
  () => false
);
async function move(from, to) {
  try {
    await rename(from, to);
  } catch (e) {
    if (e.code !== "EXDEV") throw e;
    await copyFile(from, to);
  }
}
function setOutputs(deps, manifest, manifestPath, outFromWorkspace, artifact) {
  const outputs = manifestOutputs(manifest, manifestPath, outFromWorkspace, artifact);
  for (const [name, value] of Object.entries(outputs)) deps.setOutput(name, value);
}
async function writeSummary(deps, markdown) {
  try {
    await deps.writeSummary(markdown);
  } catch (e) {
    deps.log.warning(`Could not write the job summary: ${message(e)}`);
  }
}
function artifactUrl(context, id) {
  if (!context.repository) return void 0;
  const { owner, repo } = context.repository;
  return `${context.serverUrl.replace(/\/+$/, "")}/${owner}/${repo}/actions/runs/${context.runId}/artifacts/${id}`;
}
function message(e) {
  return e instanceof Error ? e.message : String(e);
}

// src/merge/main.ts
var loadArtifact = () => import("./chunks/artifact-YSKKC3WU.mjs");
var base = toolkitDeps();
var upload = base.artifact?.upload;
var artifacts = upload ? {
  upload,
  async list() {
    const { DefaultArtifactClient } = await loadArtifact();
    const { artifacts: list } = await new DefaultArtifactClient().listArtifacts({ latest: true });
    return list.map((a) => ({ id: a.id, name: a.name }));
  },
  async download(id, dir) {
    const { DefaultArtifactClient } = await loadArtifact();
    await new DefaultArtifactClient().downloadArtifact(id, { path: dir });
  },
  async delete(name) {
    const { DefaultArtifactClient } = await loadArtifact();
    await new DefaultArtifactClient().deleteArtifact(name);
  }
} : void 0;
process.exitCode = await runMerge({
  getInput: (name) => getInput(name),
  setSecret: base.setSecret,
  setOutput: (name, value) => setOutput(name, value),
  writeSummary: base.writeSummary,
  log: base.log,
  context: base.context,
  artifacts,
  comments: base.comments,
  tempDir: process.env.RUNNER_TEMP || tmpdir(),
  now: base.now
});
