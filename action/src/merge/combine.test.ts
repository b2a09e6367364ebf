import { describe, expect, it } from 'vitest';
import { summarize, type ManifestVideo } from '../batch/manifest.js';
import { combineShards, MergeError, type ShardResult } from './combine.js';

const now = new Date('2026-12-08T00:00:00Z');

const video = (name: string, extra: Partial<ManifestVideo> = {}): ManifestVideo => ({
  name,
  source: `prompts/${name}.yml`,
  hash: `hash-${name}`,
  jobId: `job_${name}`,
  status: 'rendered',
  file: `${name}.mp4`,
  bytes: 100,
  creativeUnits: 10,
  error: null,
  ...extra,
});

function shard(index: number, count: number, videos: ManifestVideo[], files?: string[]): ShardResult {
  return {
    artifact: `scenario-videos-${index}-of-${count}`,
    manifest: summarize(videos, [], { dryRun: false, now, shard: { index, count } }),
    files: new Set(files ?? [...videos.flatMap((v) => (v.file ? [v.file] : [])), 'manifest.json']),
  };
}

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof MergeError) return e.problems;
    throw e;
  }
  throw new Error('expected a MergeError');
};

describe('combineShards', () => {
  it('combines every shard into one manifest, in prompt-file order, with the totals of all', () => {
    const { manifest, shards, videos } = combineShards(
      [
        shard(2, 3, [video('b'), video('d', { status: 'skipped', jobId: 'job_old' })]),
        shard(1, 3, [
          video('c', { status: 'failed', file: null, bytes: null, error: { code: 'job_failed', message: 'no' } }),
        ]),
        shard(3, 3, [video('a')]),
      ],
      { now },
    );
    expect(manifest.videos.map((v) => v.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(manifest.totals).toMatchObject({ videos: 4, rendered: 2, skipped: 1, failed: 1, creativeUnits: 20 });
    expect(manifest.shard).toBeUndefined();
    expect(shards.map((s) => [s.shard.index, s.artifact, s.videos])).toEqual([
      [1, 'scenario-videos-1-of-3', 1],
      [2, 'scenario-videos-2-of-3', 2],
      [3, 'scenario-videos-3-of-3', 1],
    ]);
    expect(videos.find((v) => v.video.name === 'b')!.artifact).toBe('scenario-videos-2-of-3');
  });

  it('fails naming a missing shard', () => {
    expect(problems(() => combineShards([shard(1, 3, [video('a')]), shard(3, 3, [video('b')])], { now }))).toEqual([
      expect.stringMatching(/^Shard 2\/3 is missing: no artifact of this workflow run holds its result/),
    ]);
    // With the number of shards given, even a run where no shard uploaded anything names them all.
    expect(problems(() => combineShards([], { expected: 2, now }))).toEqual([
      expect.stringMatching(/^Shard 1\/2 is missing/),
      expect.stringMatching(/^Shard 2\/2 is missing/),
    ]);
    expect(problems(() => combineShards([], { now }))).toEqual(['No shard artifacts were found in this workflow run.']);
  });

  it('fails naming a video that two shards delivered', () => {
    expect(
      problems(() =>
        combineShards([shard(1, 2, [video('a'), video('sunset')]), shard(2, 2, [video('sunset')])], { now }),
      ),
    ).toEqual([
      'The video sunset is in two shards: shard 1/2 (scenario-videos-1-of-2) and shard 2/2 (scenario-videos-2-of-2).',
    ]);
  });

  it('fails when a delivered video has no file in its artifact, or shards disagree on their number', () => {
    expect(problems(() => combineShards([shard(1, 1, [video('a')], ['manifest.json'])], { now }))).toEqual([
      'The video a of shard 1/1 (scenario-videos-1-of-1) is rendered, but its file a.mp4 is not in the artifact.',
    ]);
    expect(problems(() => combineShards([shard(1, 2, [video('a')]), shard(2, 3, [video('b')])], { now }))).toEqual([
      expect.stringMatching(/^The shards disagree on their number/),
    ]);
    expect(problems(() => combineShards([shard(1, 2, [video('a')])], { expected: 3, now }))).toEqual([
      'The artifact scenario-videos-1-of-2 is shard 1/2, but the matrix has 3 shards.',
      expect.stringMatching(/^Shard 1\/3 is missing/),
      expect.stringMatching(/^Shard 2\/3 is missing/),
      expect.stringMatching(/^Shard 3\/3 is missing/),
    ]);
  });

  it('refuses a file that is not a plain name (it would land outside the output folder)', () => {
    expect(problems(() => combineShards([shard(1, 1, [video('a', { file: '../a.mp4' })])], { now }))).toEqual([
      'The video a of shard 1/1 (scenario-videos-1-of-1) names the file "../a.mp4", not a file name.',
    ]);
  });

  it('refuses an artifact that is not a shard result', () => {
    const plain: ShardResult = {
      artifact: 'scenario-videos-1-of-1',
      manifest: summarize([video('a')], [], { dryRun: false, now }),
      files: new Set(['a.mp4', 'manifest.json']),
    };
    expect(problems(() => combineShards([plain], { now }))).toEqual([
      expect.stringMatching(/names no shard: was it rendered with the shard input\?/),
    ]);
  });
});
