import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.js';
import type { RenderEvent } from './events.js';
import { WAN_MODEL_ID } from './params.js';
import { FRAME_PNG, NO_HAZARDS, START, readFakeVideoIdentity, startHarness, type Harness } from './testing/fake.js';
import { createMemoryLedger, createMemorySink } from './testing/memory.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('renderVideo against the fake API', () => {
  it('uploads, submits, waits and downloads a real MP4, with every event in order', async () => {
    h = await startHarness({ jobDurationMs: 120_000, videoBytes: 3 * 1024 * 1024 });
    const sink = createMemorySink();
    const result = await h.client.renderVideo(
      { prompt: 'a fox in the snow', image: { bytes: FRAME_PNG, fileName: 'fox.png' }, numFrames: 81 },
      { sink },
    );
    expect(result.assetIds).toHaveLength(1);
    expect(result.files[0]?.bytes).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    const out = sink.committed()[0]!;
    expect(out.name).toBe(`${result.jobId}.mp4`);
    expect(out.chunks).toBeGreaterThan(1);
    const identity = readFakeVideoIdentity(out.bytes());
    expect(identity).toMatchObject({ jobId: result.jobId });
    const types = h.events.map((e) => e.type);
    expect(types[0]).toBe('validated');
    expect(types.indexOf('uploading')).toBeLessThan(types.indexOf('submitted'));
    expect(types.indexOf('submitted')).toBeLessThan(types.indexOf('status'));
    expect(types.lastIndexOf('status')).toBeLessThan(types.indexOf('downloading'));
    expect(types.at(-1)).toBe('completed');
    const state = h.fake.state();
    expect(state.hazards).toEqual(NO_HAZARDS);
    expect(state.submissions.filter((s) => !s.dryRun)).toHaveLength(1);
    expect(state.submissions[0]?.modelId).toBe(WAN_MODEL_ID);
  });
});

describe('renderVideo: validation first', () => {
  it.each([
    [{ prompt: '', image: { assetId: 'asset_1' } }, 'prompt'],
    [{ prompt: 'p', image: { assetId: 'asset_1' }, numFrames: 101 }, 'numFrames'],
    [{ prompt: 'p', image: { assetId: 'asset_1' }, resolution: '1080p' }, 'resolution'],
    [{ prompt: 'p', lastFrameImage: { assetId: 'asset_2' } }, 'lastFrameImage'],
    [{ prompt: 'p', image: { bytes: new Uint8Array(0), fileName: 'x.png' } }, 'image'],
    [{ prompt: 'p', image: { url: 'ftp://example.com/a.png' } }, 'image'],
  ])('refuses %j before any request, naming %s', async (input, field) => {
    h = await startHarness();
    const err = await h.client.renderVideo(input as never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input', field, retryable: false });
    const requests = Object.values(h.fake.state().requests).reduce((a, b) => a + b, 0);
    expect(requests).toBe(0);
    expect(h.events.map((e) => e.type)).toEqual(['failed']);
  });

  it("sends a prompt-only request as Scenario's reference shows it (image optional), uploading nothing", async () => {
    h = await startHarness({ jobDurationMs: 5000 });
    const result = await h.client.renderVideo({ prompt: 'a lighthouse in a storm', resolution: '480p' });
    expect(h.fake.state().requests.createAsset ?? 0).toBe(0);
    expect(result.job.metadata.input).toEqual({ prompt: 'a lighthouse in a storm', resolution: '480p' });
    expect(h.events.map((e) => e.type)).not.toContain('uploading');
  });

  it('uploads both frames when lastFrameImage is given', async () => {
    h = await startHarness({ jobDurationMs: 5000 });
    const result = await h.client.renderVideo({
      prompt: 'from first to last',
      image: { bytes: FRAME_PNG, fileName: 'first.png' },
      lastFrameImage: { bytes: new Uint8Array(FRAME_PNG), fileName: 'last.png' },
    });
    expect(h.fake.state().requests.createAsset).toBe(2);
    expect(result.job.metadata.input).toMatchObject({
      image: expect.stringMatching(/^asset_/),
      lastFrameImage: expect.stringMatching(/^asset_/),
    });
    expect(result.files).toEqual([]);
    // The same bytes as both frames of a loop, already uploaded as the first frame above: no new upload.
    const loop = await h.client.renderVideo({
      prompt: 'ends where it starts',
      image: { bytes: FRAME_PNG, fileName: 'loop.png' },
      lastFrameImage: { bytes: FRAME_PNG, fileName: 'loop.png' },
    });
    expect(h.fake.state().requests.createAsset).toBe(2);
    expect(loop.job.metadata.input?.image).toBe(result.job.metadata.input?.image);
    expect(loop.job.metadata.input?.lastFrameImage).toBe(loop.job.metadata.input?.image);
  });
});

describe('renderVideo: failures name the job', () => {
  it('a failed job is emitted as failed and thrown as job_failed with the job id and hint', async () => {
    h = await startHarness({
      jobDurationMs: 30_000,
      outcomes: [{ outcome: 'failure', error: 'GPU fell over', hint: 'Retry later' }],
    });
    const err = await h.client
      .renderVideo({ prompt: 'doomed', image: { bytes: FRAME_PNG, fileName: 'f.png' } }, { sink: createMemorySink() })
      .catch((e: unknown) => e);
    const jobId = h.fake.state().jobIds[0];
    expect(err).toMatchObject({ code: 'job_failed', jobId, reason: 'GPU fell over', hint: 'Retry later' });
    expect(h.events.at(-1)).toEqual({ type: 'failed', error: err });
  });

  it('an abort while waiting throws aborted with the job id', async () => {
    h = await startHarness({ jobDurationMs: 10 * 60_000 });
    const ac = new AbortController();
    const err = await h.client
      .renderVideo(
        { prompt: 'stop', image: { bytes: FRAME_PNG, fileName: 'f.png' } },
        { signal: ac.signal, onEvent: (e) => e.type === 'status' && e.status === 'queued' && ac.abort() },
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'aborted', jobId: h.fake.state().jobIds[0] });
  });
});

describe('renderVideo: every error after submit carries the job id', () => {
  const SPEC_EVENTS = [
    'validated',
    'uploading',
    'submitted',
    'status',
    'retrying',
    'downloading',
    'completed',
    'failed',
  ];
  it.each([
    ['the job times out', { outcomes: [{ outcome: 'never' as const }] }, [], 'timed_out'],
    ['polling keeps failing', {}, [{ route: 'getJob' as const, kind: 'http-5xx' as const, rate: 1 }], 'server'],
    [
      'the download never completes',
      {},
      [{ route: 'cdn' as const, kind: 'truncate' as const, rate: 1 }],
      'download_incomplete',
    ],
    [
      'the output URL stays refused',
      {},
      [{ route: 'getAsset' as const, kind: 'expired-url' as const, rate: 1 }],
      'output_expired',
    ],
  ])('when %s', async (_label, options, faults, code) => {
    h = await startHarness({ jobDurationMs: 20_000, videoBytes: 100_000, ...options });
    const events: RenderEvent[] = [];
    const err = await h.client
      .renderVideo(
        { prompt: 'name the job', image: { bytes: FRAME_PNG, fileName: 'f.png' } },
        {
          sink: createMemorySink(),
          timeoutMs: 10 * 60_000,
          onEvent: (e) => {
            events.push(e);
            if (e.type === 'submitted') h.fake.setOptions({ faults });
          },
        },
      )
      .catch((e: unknown) => e);
    const jobId = h.fake.state().jobIds[0];
    expect(jobId).toBeDefined();
    expect(err).toMatchObject({ code, jobId });
    expect(ERROR_CODES).toContain((err as { code: string }).code);
    expect((err as Error).message).toContain(jobId);
    expect(events.at(-1)).toEqual({ type: 'failed', error: err });
    for (const e of events) expect(SPEC_EVENTS).toContain(e.type);
  });
});

describe('renderVideo: the ledger', () => {
  it('records the job before waiting, and the next run resumes it instead of paying again', async () => {
    h = await startHarness({ jobDurationMs: 10 * 60_000 });
    const ledger = createMemoryLedger();
    const input = { prompt: 'resume me', image: { bytes: FRAME_PNG, fileName: 'f.png' } };
    const ac = new AbortController();
    let recordedBeforeWaiting = false;
    const first = await h.client
      .renderVideo(input, {
        ledger,
        key: 'video-1',
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'status') {
            recordedBeforeWaiting ||= ledger.entries.get('video-1')?.jobId === e.jobId;
            ac.abort(); // the run is cancelled while waiting
          }
        },
      })
      .catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'aborted' });
    expect(recordedBeforeWaiting).toBe(true);
    const jobId = ledger.entries.get('video-1')!.jobId;

    const sink = createMemorySink();
    const events: string[] = [];
    const second = await h.client.renderVideo(input, {
      ledger,
      key: 'video-1',
      sink,
      onEvent: (e) => events.push(e.type),
    });
    expect(second).toMatchObject({ jobId, resumed: true });
    expect(events).not.toContain('uploading');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'submitted', jobId, resumed: true }));
    const state = h.fake.state();
    expect(state.submissions.filter((s) => !s.dryRun)).toHaveLength(1);
    expect(state.requests.createAsset).toBe(1);
    expect(ledger.entries.get('video-1')?.completedAt).toBeDefined();
    expect(sink.committed()).toHaveLength(1);

    // A third run with the same key still never pays: it re-downloads the same job's output.
    const third = await h.client.renderVideo(input, { ledger, key: 'video-1', sink: createMemorySink() });
    expect(third.jobId).toBe(jobId);
    expect(h.fake.state().submissions.filter((s) => !s.dryRun)).toHaveLength(1);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it('forgets a failed job so the next run renders afresh; a stale (unknown) entry is replaced', async () => {
    h = await startHarness({ jobDurationMs: 30_000, outcomes: [{ outcome: 'failure', times: 1 }] });
    const ledger = createMemoryLedger([
      { key: 'stale', jobId: 'job_from_another_account', modelId: WAN_MODEL_ID, submittedAt: '2026-01-01T00:00:00Z' },
    ]);
    const input = { prompt: 'try twice', image: { bytes: FRAME_PNG, fileName: 'f.png' } };
    await expect(h.client.renderVideo(input, { ledger, key: 'k' })).rejects.toMatchObject({ code: 'job_failed' });
    expect(ledger.entries.has('k')).toBe(false);
    const ok = await h.client.renderVideo(input, { ledger, key: 'k' });
    expect(ok.resumed).toBe(false);
    expect(ledger.entries.get('k')?.jobId).toBe(ok.jobId);

    const fresh = await h.client.renderVideo(input, { ledger, key: 'stale' });
    expect(fresh.resumed).toBe(false);
    expect(ledger.entries.get('stale')?.jobId).toBe(fresh.jobId);
  });

  it('a submit answered after the timeout, its job made minutes later, is found and adopted within the run', async () => {
    h = await startHarness(
      {
        jobDurationMs: 60_000,
        submitAnswers: [{ delayMs: 5 * 60_000, jobCreated: 'after-answer', times: 1 }],
      },
      { submitTimeoutMs: 300 },
    );
    const ledger = createMemoryLedger();
    const input = { prompt: 'a late answer', image: { bytes: FRAME_PNG, fileName: 'f.png' } };
    const result = await h.client.renderVideo(input, { ledger, key: 'late', sink: createMemorySink() });
    expect(result.handle.recovered).toBe(true);
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'submitted', jobId: result.jobId, recovered: true }),
    );
    expect(h.fake.state().submissions.filter((s) => !s.dryRun)).toHaveLength(1);
    expect(ledger.entries.get('late')).toMatchObject({ jobId: result.jobId, completedAt: expect.any(String) });
  });

  it('an unanswered submit is a durable fact: the next run finds its late job and never pays twice', async () => {
    h = await startHarness(
      {
        jobDurationMs: 60_000,
        submitAnswers: [{ delayMs: 5 * 60_000, jobCreated: 'after-answer', times: 1 }],
      },
      { submitTimeoutMs: 300 },
    );
    const ledger = createMemoryLedger();
    const input = { prompt: 'answered too late', image: { bytes: FRAME_PNG, fileName: 'f.png' } };
    // The first run gives up looking after its own 1-minute timeout: the job does not exist yet.
    const first = await h.client.renderVideo(input, { ledger, key: 'k', timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'network', retryable: false, details: { submitOutcome: 'unknown' } });
    expect(String((first as Error).message)).toContain('not sent again');
    const recorded = ledger.entries.get('k');
    expect(recorded?.jobId).toBeUndefined();
    expect(recorded?.unknownSubmit).toMatchObject({ modelId: WAN_MODEL_ID, sentAt: expect.any(Number) });

    // The next run looks for it before anything else, finds it once it appears, and delivers it.
    const sink = createMemorySink();
    const second = await h.client.renderVideo(input, { ledger, key: 'k', sink });
    expect(second.handle.recovered).toBe(true);
    expect(readFakeVideoIdentity(sink.committed()[0]!.bytes()).jobId).toBe(second.jobId);
    const paid = h.fake.state().submissions.filter((s) => !s.dryRun);
    expect(paid).toHaveLength(1);
    expect(h.fake.state().jobIds).toEqual([second.jobId]);
  });

  it('a run stopped while its submit waits for an answer records it; the next run adopts the job', async () => {
    h = await startHarness({ jobDurationMs: 60_000, submitAnswers: [{ delayMs: 90_000, times: 1 }] });
    const ledger = createMemoryLedger();
    const input = { prompt: 'stopped mid-submit', image: { bytes: FRAME_PNG, fileName: 'f.png' } };
    const stop = new AbortController();
    const first = h.client.renderVideo(input, {
      ledger,
      key: 'k',
      signal: stop.signal,
      onEvent: (e) => {
        // The POST is on its way (the fake holds its answer): the user presses Ctrl-C.
        if (e.type === 'uploading') setTimeout(() => stop.abort(new Error('Ctrl-C')), 200);
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'aborted', details: { submitOutcome: 'unknown' } });
    expect(ledger.entries.get('k')?.unknownSubmit).toBeDefined();

    const second = await h.client.renderVideo(input, { ledger, key: 'k', sink: createMemorySink() });
    expect(second.handle.recovered).toBe(true);
    expect(h.fake.state().submissions.filter((s) => !s.dryRun)).toHaveLength(1);
  });

  it('an unanswered submit whose job never appeared within the recovery window may be submitted again', async () => {
    h = await startHarness({ jobDurationMs: 30_000 });
    const sentAt = START - 20 * 60_000;
    const ledger = createMemoryLedger([
      {
        key: 'k',
        modelId: WAN_MODEL_ID,
        submittedAt: new Date(sentAt).toISOString(),
        unknownSubmit: { modelId: WAN_MODEL_ID, input: { prompt: 'never made', image: 'asset_x' }, sentAt },
      },
    ]);
    const result = await h.client.renderVideo(
      { prompt: 'never made', image: { bytes: FRAME_PNG, fileName: 'f.png' } },
      { ledger, key: 'k' },
    );
    expect(result.handle.recovered).toBeUndefined();
    expect(h.fake.state().submissions.filter((s) => !s.dryRun)).toHaveLength(1);
    expect(ledger.entries.get('k')?.jobId).toBe(result.jobId);
  });

  it('a ledger without a key is refused up front', async () => {
    h = await startHarness();
    await expect(
      h.client.renderVideo({ prompt: 'p', image: { assetId: 'asset_1' } }, { ledger: createMemoryLedger() }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'key' });
  });
});
