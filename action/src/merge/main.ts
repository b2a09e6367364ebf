// The merge action's entry (bundled into action/dist/merge.mjs, run by merge/action.yml): wire the
// toolkit to runMerge().
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { toolkitDeps } from '../action/toolkit.js';
import { runMerge, type RunArtifactsPort } from './run.js';

const loadArtifact = () => import('@actions/artifact');

const base = toolkitDeps();
const upload = base.artifact?.upload;
const artifacts: RunArtifactsPort | undefined = upload
  ? {
      upload,
      async list() {
        const { DefaultArtifactClient } = await loadArtifact();
        // latest: a re-run job's artifact replaces the one of its earlier attempt under the same name.
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
      },
    }
  : undefined;

process.exitCode = await runMerge({
  getInput: (name) => core.getInput(name),
  setSecret: base.setSecret,
  setOutput: (name, value) => core.setOutput(name, value),
  writeSummary: base.writeSummary,
  log: base.log,
  context: base.context,
  artifacts,
  comments: base.comments,
  tempDir: process.env.RUNNER_TEMP || tmpdir(),
  now: base.now,
});
