// The one file that talks to the GitHub Actions toolkit: it adapts @actions/core, artifact, cache and
// github to the small ports run() takes, so run() can be tested with plain fakes.
import path from 'node:path';
import * as core from '@actions/core';
import type * as GitHub from '@actions/github';
import { readRunContext } from './context.js';
import type { ActionDeps, AnnotationAt, CommentsPort } from './ports.js';

// @actions/artifact and @actions/cache, with their storage and archive clients, are most of the bundle,
// and @actions/github builds Octokit with every REST endpoint when it loads: each loads on first use,
// so a run with nothing to upload, restore or comment on starts without compiling them.
const loadArtifact = () => import('@actions/artifact');
const loadCache = () => import('@actions/cache');
const loadGitHub = () => import('@actions/github');
// The Scenario client too: a run with no prompt files never makes one.
const loadCore = () => import('@scenario-video/core');
const loadCoreNode = () => import('@scenario-video/core/node');

const annotation = (at: AnnotationAt | undefined): core.AnnotationProperties | undefined =>
  at
    ? {
        ...(at.title !== undefined ? { title: at.title } : {}),
        ...(at.file !== undefined ? { file: at.file } : {}),
        ...(at.startLine !== undefined ? { startLine: at.startLine } : {}),
        ...(at.startColumn !== undefined ? { startColumn: at.startColumn } : {}),
      }
    : undefined;

export function toolkitDeps(env: NodeJS.ProcessEnv = process.env): ActionDeps {
  const context = readRunContext(env);
  const { repository } = context;
  const hasRuntime = Boolean(env.ACTIONS_RUNTIME_TOKEN) && Boolean(env.ACTIONS_RESULTS_URL);

  return {
    getInput: (name) => core.getInput(name),
    setSecret: (value) => core.setSecret(value),
    setOutput: (name, value) => core.setOutput(name, value),
    writeSummary: async (markdown) => {
      await core.summary.addRaw(markdown, true).write();
    },
    log: {
      info: (message) => core.info(message),
      notice: (message, at) => core.notice(message, annotation(at)),
      warning: (message, at) => core.warning(message, annotation(at)),
      error: (message, at) => core.error(message, annotation(at)),
      startGroup: (title) => core.startGroup(title),
      endGroup: () => core.endGroup(),
    },
    context,
    artifact: hasRuntime
      ? {
          async upload(name, files, rootDirectory, options) {
            const { DefaultArtifactClient } = await loadArtifact();
            const client = new DefaultArtifactClient();
            // A re-run job (attempt 2 and later) is in the same workflow run, where the artifact its earlier
            // attempt uploaded under this name would refuse this one (409): this attempt's result, which
            // resumed the earlier one's jobs, replaces it, as upload-artifact's `overwrite` does.
            if (context.runAttempt > 1) await client.deleteArtifact(name).catch(() => undefined);
            // MP4 is already compressed: store it as is (level 0) instead of spending minutes deflating it;
            // or not zipped at all, one file per artifact (`skipArchive` names it by the file).
            if (options.archive === false && (files.length !== 1 || path.basename(files[0]!) !== name)) {
              throw new Error(`an unzipped artifact is one file named as the artifact (${name})`);
            }
            const result = await client.uploadArtifact(name, files, rootDirectory, {
              ...(options.archive === false ? { skipArchive: true } : { compressionLevel: 0 }),
              ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
            });
            return { id: result.id, size: result.size };
          },
        }
      : undefined,
    // Either cache service's URL: whether it is the one this runner's cache client uses is asked
    // of @actions/cache itself on first use (then an unavailable service reads as a miss).
    cache:
      env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL
        ? {
            restore: async (paths, key, restoreKeys) => {
              const cache = await loadCache();
              return cache.isFeatureAvailable() ? cache.restoreCache(paths, key, restoreKeys) : undefined;
            },
            save: async (paths, key) => {
              try {
                const cache = await loadCache();
                return cache.isFeatureAvailable() && (await cache.saveCache(paths, key)) !== -1;
              } catch (e) {
                core.warning(`Cache save of ${key} failed: ${e instanceof Error ? e.message : String(e)}`);
                return false;
              }
            },
          }
        : undefined,
    comments: (token): CommentsPort => {
      let client: Promise<ReturnType<typeof GitHub.getOctokit>> | undefined;
      const octokit = () => (client ??= loadGitHub().then((github) => github.getOctokit(token)));
      const repo = () => {
        if (!repository) throw new Error('GITHUB_REPOSITORY is not set');
        return repository;
      };
      return {
        async list(issueNumber) {
          const kit = await octokit();
          const all = await kit.paginate(kit.rest.issues.listComments, {
            ...repo(),
            issue_number: issueNumber,
            per_page: 100,
          });
          return all.map((c) => ({ id: c.id, body: c.body ?? '' }));
        },
        async create(issueNumber, body) {
          const kit = await octokit();
          const { data } = await kit.rest.issues.createComment({ ...repo(), issue_number: issueNumber, body });
          return { id: data.id, body: data.body ?? '' };
        },
        async update(commentId, body) {
          const kit = await octokit();
          const { data } = await kit.rest.issues.updateComment({ ...repo(), comment_id: commentId, body });
          return { id: data.id, body: data.body ?? '' };
        },
      };
    },
    createClient: async ({ apiKey, apiSecret, baseUrl }) => {
      const [{ createScenarioClient }, { nodePorts }] = await Promise.all([loadCore(), loadCoreNode()]);
      return createScenarioClient({ baseUrl, ports: nodePorts({ apiKey, apiSecret, baseUrl }) });
    },
    onSignal: (handler) => {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
    now: () => Date.now(),
  };
}
