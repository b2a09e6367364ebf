// Fault matrix, core and batch faces: every fault kind × the core client (renderVideo) and the
// batch renderer behind the CLI and the GitHub Action (renderBatch over real prompt files, MP4s on
// disk, manifest and ledger), against the fake API on a manual clock with virtual sleeps.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { renderBatch } from '../../action/src/batch/render.js';
import type { RenderEvent } from '../../packages/core/src/index.js';
import { FRAME_PNG } from '../../packages/core/src/testing/fake.js';
import { createMemorySink } from '../../packages/core/src/testing/memory.js';
import { ALL_KINDS, CELLS, cellName, type Cell } from './cells.js';
import { DEADLINE_MS, WAIT_TIMEOUT_MS, judge, type Delivered, type Verdict } from './judge.js';
import { keep, keepError, makeRepo, recordCounts, startRig, type Rig } from './support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const tally = {
  core: { cells: 0, videos: 0, errors: 0, errorsWithJobId: 0, unknownOutcomes: 0, authorizationToCdn: 0 },
  batch: { cells: 0, videos: 0, errors: 0, errorsWithJobId: 0, unknownOutcomes: 0, authorizationToCdn: 0 },
};
const add = (face: keyof typeof tally, v: Verdict, r: Rig) => {
  const t = tally[face];
  t.cells++;
  t.videos += v.videos;
  t.errors += v.errors;
  t.errorsWithJobId += v.errorsWithJobId;
  t.unknownOutcomes += v.unknownOutcomes;
  t.authorizationToCdn += r.fake.state().hazards.authorizationToCdn;
};
afterAll(() => {
  recordCounts('faults-core', tally.core);
  recordCounts('faults-batch', tally.batch);
});

it('the matrix covers every fault kind the fake can inject', () => {
  expect(new Set(CELLS.map((c) => c.kind))).toEqual(new Set(ALL_KINDS));
});

describe('core × faults: renderVideo', () => {
  it.each(CELLS.map((c, i) => [cellName(c), c, i] as const))('%s', async (_name, cell: Cell, i) => {
    rig = await startRig();
    rig.fake.setOptions({ faults: cell.faults });
    const prompt = `core cell ${i}: ${cell.kind}`;
    const sink = createMemorySink();
    const events: RenderEvent[] = [];
    const started = rig.clock.now();
    const delivered: Delivered[] = [];
    try {
      const result = await rig.client.renderVideo(
        { prompt, image: { bytes: FRAME_PNG, fileName: 'frame.png' }, resolution: '480p' },
        { sink, timeoutMs: WAIT_TIMEOUT_MS, onEvent: (e) => events.push(e) },
      );
      const out = sink.committed();
      expect(out).toHaveLength(1);
      expect(result.files[0]!.bytes).toBe(out[0]!.bytes().length);
      delivered.push({ prompt, video: out[0]!.bytes(), jobId: result.jobId });
      keep(`core-${i}.result`, JSON.stringify({ ...result, job: result.job }));
    } catch (e) {
      keepError(`core-${i}`, e);
      const err = e as { code: string; jobId?: string; message: string };
      delivered.push({ prompt, error: err });
      // A failed render leaves no half-written output behind.
      expect(sink.committed()).toHaveLength(0);
    }
    keep(`core-${i}.events`, JSON.stringify(events));
    expect(rig.clock.now() - started, 'virtual time to settle').toBeLessThan(DEADLINE_MS);
    add('core', judge(rig.fake, cell, delivered, 1), rig);
  });
});

describe('batch × faults: renderBatch (the CLI and the Action)', () => {
  it.each(CELLS.map((c, i) => [cellName(c), c, i] as const))('%s', async (_name, cell: Cell, i) => {
    rig = await startRig();
    const prompts: Record<string, string> = {
      a: `batch cell ${i} a: ${cell.kind}`,
      b: `batch cell ${i} b: ${cell.kind}`,
      c: `batch cell ${i} c: ${cell.kind}`,
    };
    const repo = await makeRepo(`batch-${i}`, {
      'prompts/a.yml': `prompt: "${prompts.a}"\nimage: images/cells.png\nresolution: 480p\n`,
      'prompts/b.json': JSON.stringify({ prompt: prompts.b, image: 'images/gradient.png', seed: 7 }),
      'prompts/c.md': `---\nimage: images/cells.png\nnumFrames: 90\n---\n${prompts.c}\n`,
    });
    rig.fake.setOptions({ faults: cell.faults });
    const started = rig.clock.now();
    const events: unknown[] = [];
    const result = await renderBatch({
      root: repo,
      outDir: 'out',
      client: rig.client,
      concurrency: 3,
      timeoutMs: WAIT_TIMEOUT_MS,
      onEvent: (e) => events.push(e),
    });
    keep(`batch-${i}.events`, JSON.stringify(events));
    expect(rig.clock.now() - started, 'virtual time to settle').toBeLessThan(DEADLINE_MS);
    expect(result.interrupted).toBe(false);
    const m = result.manifest;
    expect(m.issues).toEqual([]);
    const delivered: Delivered[] = [];
    for (const v of m.videos) {
      const prompt = prompts[v.name]!;
      expect(prompt, v.name).toBeDefined();
      if (v.status === 'rendered') {
        const bytes = await readFile(path.join(repo, 'out', v.file!));
        expect(bytes.length).toBe(v.bytes);
        delivered.push({ prompt, video: bytes, jobId: v.jobId! });
      } else {
        expect(v.status).toBe('failed');
        expect(v.error).not.toBeNull();
        expect(v.jobId ?? null).toBe(v.error!.jobId ?? null);
        delivered.push({ prompt, error: v.error! });
      }
    }
    // The totals agree with the videos.
    expect(m.totals.rendered + m.totals.failed).toBe(3);
    add('batch', judge(rig.fake, cell, delivered, 3), rig);
  });
});
