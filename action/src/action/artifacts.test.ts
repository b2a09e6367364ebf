import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManifestVideo } from '../batch/manifest.js';
import { uploadVideos, MAX_VIDEO_ARTIFACTS } from './artifacts.js';
import { readInputs, type InputName } from './inputs.js';
import type { ActionDeps, AnnotationAt, ArtifactPort } from './ports.js';

const outDir = path.resolve('/work/out');

const delivered = (n: number): ManifestVideo[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `clip-${i}`,
    source: `prompts/clip-${i}.yml`,
    hash: 'h',
    jobId: `job_${i}`,
    status: 'rendered',
    file: `clip-${i}.mp4`,
    bytes: 10,
    creativeUnits: 1,
    error: null,
  }));

function setup(inputs: Partial<Record<InputName, string>>, fail: (name: string) => boolean = () => false) {
  const calls: Array<{ name: string; files: string[]; archive: boolean | undefined; retentionDays?: number }> = [];
  const logged: Array<{ level: string; message: string; at?: AnnotationAt }> = [];
  let nextId = 100;
  const port: ArtifactPort = {
    async upload(name, files, root, options) {
      expect(root).toBe(outDir);
      calls.push({
        name,
        files,
        archive: options.archive,
        ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
      });
      if (fail(name)) throw new Error('blob storage said 503');
      return { id: nextId++, size: 1 };
    },
  };
  const deps = {
    log: {
      info: (message: string) => logged.push({ level: 'info', message }),
      notice: () => {},
      warning: (message: string, at?: AnnotationAt) =>
        logged.push({ level: 'warning', message, ...(at ? { at } : {}) }),
      error: (message: string, at?: AnnotationAt) => logged.push({ level: 'error', message, ...(at ? { at } : {}) }),
      startGroup: () => {},
      endGroup: () => {},
    },
    context: { repository: { owner: 'octo', repo: 'demo' }, runId: 5, serverUrl: 'https://github.com' },
  } as unknown as ActionDeps;
  const parsed = readInputs((name) => ({ 'base-url': 'http://127.0.0.1:1', ...inputs })[name] ?? '');
  return { calls, logged, run: (n: number) => uploadVideos(deps, port, parsed, delivered(n), outDir, 'out') };
}

describe('uploadVideos', () => {
  it('by default: one zip with every video and the manifest', async () => {
    const { calls, run } = setup({ 'retention-days': '3' });
    const result = await run(2);
    expect(calls).toEqual([
      {
        name: 'scenario-videos',
        files: ['clip-0.mp4', 'clip-1.mp4', 'manifest.json'].map((f) => path.join(outDir, f)),
        archive: undefined,
        retentionDays: 3,
      },
    ]);
    expect(result).toEqual({
      artifact: { name: 'scenario-videos', url: 'https://github.com/octo/demo/actions/runs/5/artifacts/100', id: 100 },
      videoArtifacts: undefined,
      failed: false,
    });
  });

  it('artifact-per-video: each MP4 unzipped under its own name, the manifest in the artifact-name zip', async () => {
    const { calls, run } = setup({ 'artifact-per-video': 'true' });
    const result = await run(3);
    expect(calls.filter((c) => c.archive === false).map((c) => [c.name, c.files])).toEqual(
      ['clip-0.mp4', 'clip-1.mp4', 'clip-2.mp4'].map((f) => [f, [path.join(outDir, f)]]),
    );
    expect(calls.at(-1)).toEqual({
      name: 'scenario-videos',
      files: [path.join(outDir, 'manifest.json')],
      archive: undefined,
    });
    expect(result.failed).toBe(false);
    expect([...result.videoArtifacts!.keys()].sort()).toEqual(['clip-0', 'clip-1', 'clip-2']);
    const own = result.videoArtifacts!.get('clip-1')!;
    expect(own.name).toBe('clip-1.mp4');
    expect(own.url).toBe(`https://github.com/octo/demo/actions/runs/5/artifacts/${own.id}`);
    expect(result.artifact!.name).toBe('scenario-videos');
  });

  it(`past ${MAX_VIDEO_ARTIFACTS} videos (GitHub's 500 artifacts per job) uploads one zip and says so`, async () => {
    const { calls, logged, run } = setup({ 'artifact-per-video': 'true' });
    const result = await run(MAX_VIDEO_ARTIFACTS + 1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.files).toHaveLength(MAX_VIDEO_ARTIFACTS + 2);
    expect(result.videoArtifacts).toBeUndefined();
    expect(logged.find((l) => l.level === 'warning')).toMatchInlineSnapshot(`
      {
        "at": {
          "title": "One zip instead of one artifact per video",
        },
        "level": "warning",
        "message": "artifact-per-video: 500 videos are more than the 499 artifacts a job can add beside the manifest's (GitHub allows 500 per job), so they are uploaded together in one zip, scenario-videos. To keep one artifact per video, split the batch with the shard input.",
      }
    `);
  });

  it('a video whose upload fails is named, the others and the manifest are still uploaded, and the step fails', async () => {
    const { calls, logged, run } = setup({ 'artifact-per-video': 'true' }, (name) => name === 'clip-1.mp4');
    const result = await run(3);
    expect(calls).toHaveLength(4);
    expect(result.failed).toBe(true);
    expect([...result.videoArtifacts!.keys()].sort()).toEqual(['clip-0', 'clip-2']);
    expect(result.artifact).toBeDefined();
    expect(logged.filter((l) => l.level === 'error')).toMatchInlineSnapshot(`
      [
        {
          "at": {
            "title": "Video clip-1 not uploaded",
          },
          "level": "error",
          "message": "Could not upload clip-1.mp4 as its own artifact: blob storage said 503. The videos are in out/ and in the cache; a re-run restores them without rendering again.",
        },
      ]
    `);
  });
});
