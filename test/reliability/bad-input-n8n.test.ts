// Bad n8n parameters: with Continue On Fail, the bad item's error names the parameter (its `field`
// and the description say which one to fix) and the item, nothing is uploaded or paid for it, and
// the good item of the same execution still gets its video. Through nodes/test/harness.ts, on
// virtual time (see faults-n8n.test.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVirtualTime } from '../../packages/core/src/testing/virtual-time.js';
import { createManualClock, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario, ManualClock } from '../../packages/fake-api/src/options.js';
import { imageItem, makePng, runNode } from '../../nodes/test/harness.js';
import { API_KEY, API_SECRET, CREDENTIALS, NO_HAZARDS, START, checkVideo, keep, recordCounts } from './support.js';

const time = vi.hoisted(() => ({
  sleep: undefined as undefined | ((ms: number, signal?: AbortSignal) => Promise<void>),
  now: undefined as undefined | (() => number),
}));
vi.mock('../../nodes/nodes/ScenarioVideo/transport/time.ts', () => ({
  n8nSleep: (ms: number, signal?: AbortSignal) => time.sleep!(ms, signal),
  systemClock: { now: () => time.now!() },
}));

let clock: ManualClock;
let fake: FakeScenario | undefined;
beforeEach(() => {
  clock = createManualClock(START);
  time.sleep = createVirtualTime(clock).sleep;
  time.now = () => clock.now();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

let cases = 0;
afterAll(() => recordCounts('bad-input-n8n', { cases }));

/** Loopback images: a good one, and one larger than the node accepts (50 MB), streamed. */
let base = '';
let server: http.Server | undefined;
beforeAll(async () => {
  const png = await makePng();
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    if (req.url === '/good.png') return void res.end(png);
    const chunk = Buffer.alloc(1024 * 1024);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(chunk);
    let sent = 0;
    const more = () => {
      while (sent < 60) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    req.on('close', () => res.destroy());
    more();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

type Items = Awaited<ReturnType<typeof imageItem>>[];
/** Item 0 gets the good value, item 1 (the bad one) the bad value. */
const per =
  <T>(good: T, badValue: T) =>
  (item: number) =>
    item === 1 ? badValue : good;

interface ParamCase {
  what: string;
  parameters: Record<string, unknown>;
  /** The parameter the error must name. */
  field: string;
  message: RegExp;
  items?: () => Promise<Items>;
}

const CASES: ParamCase[] = [
  {
    what: 'Number of Frames out of range',
    parameters: { numFrames: per(81, 200) },
    field: 'numFrames',
    message: /Number of Frames: Too big/,
  },
  {
    what: 'Frames per Second of the wrong type (an expression giving text)',
    parameters: { framesPerSecond: per<unknown>(16, 'fast') },
    field: 'framesPerSecond',
    message: /Frames per Second: .*expected number, received string/,
  },
  {
    what: 'an empty Prompt',
    parameters: { prompt: per('n8n bad-input item 0', '') },
    field: 'prompt',
    message: /prompt must not be empty/,
  },
  {
    what: 'a Seed of the wrong type (an expression giving "42")',
    parameters: { options: per<Record<string, unknown>>({}, { seed: '42' }) },
    field: 'seed',
    message: /Seed: .*expected number, received string/,
  },
  {
    what: 'Sample Shift out of range',
    parameters: { options: per<Record<string, unknown>>({}, { sampleShift: 0 }) },
    field: 'sampleShift',
    message: /Sample Shift: Too small/,
  },
  {
    what: 'Sample Steps out of range',
    parameters: { options: per<Record<string, unknown>>({}, { sampleSteps: 500 }) },
    field: 'sampleSteps',
    message: /Sample Steps: Too big/,
  },
  {
    what: 'an unknown Resolution',
    parameters: { resolution: per('720p', '1080p') },
    field: 'resolution',
    message: /Resolution: Invalid option/,
  },
  {
    what: 'an Input Binary Field the item does not have',
    parameters: { imageBinaryProperty: per('data', 'photo') },
    field: 'imageBinaryProperty',
    message: /no binary field "photo" \(Input Binary Field\); its binary fields are: data/,
  },
  {
    what: 'a Last Frame Binary Field the item does not have',
    parameters: { lastFrameSource: 'binary', lastFrameBinaryProperty: per('data', 'end') },
    field: 'lastFrameBinaryProperty',
    message: /no binary field "end" \(Last Frame Binary Field\)/,
  },
  {
    what: 'a binary that is not an image',
    parameters: {},
    items: async () => {
      const text = await imageItem();
      text.binary!.data!.data = Buffer.from('not an image at all').toString('base64');
      text.binary!.data!.fileName = 'notes.png';
      return [await imageItem(), text];
    },
    field: 'imageBinaryProperty',
    message: /The binary field "data" \(notes.png, image\/png\) is not a PNG, JPEG/,
  },
  {
    what: 'an empty Image Asset ID',
    parameters: { imageSource: 'assetId', imageAssetId: per('(uploaded)', '') },
    field: 'imageAssetId',
    message: /Image Asset ID is empty/,
  },
  {
    what: 'an Image URL that is not http(s)',
    parameters: {
      imageSource: 'url',
      imageUrl: (i: number) => (i === 1 ? 'ftp://example.com/a.png' : `${base}/good.png`),
    },
    field: 'image',
    message: /Image URL must be an http\(s\) URL/,
  },
  {
    what: 'an Image URL larger than 50 MB',
    parameters: { imageSource: 'url', imageUrl: (i: number) => `${base}/${i === 1 ? 'huge' : 'good'}.png` },
    field: 'image',
    message: /is larger than/,
  },
  {
    what: 'Model Parameters that are not JSON',
    parameters: { options: per<Record<string, unknown>>({}, { modelId: 'model_other', modelParams: '{oops' }) },
    field: 'modelParams',
    message: /Model Parameters \(JSON\) is not valid JSON/,
  },
];

describe('n8n parameters: the bad item names the parameter; the good item renders', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    fake = await startFakeScenario({ clock, credentials: CREDENTIALS, jobDurationMs: 60_000 });
    const credentials = { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: fake.url };
    const parameters: Record<string, unknown> = {
      resource: 'video',
      operation: 'generate',
      prompt: (i: number) => `n8n bad-input item ${i}`,
      ...c.parameters,
    };
    if (c.parameters.imageSource === 'assetId') {
      // The good item uses an asset uploaded beforehand (Asset → Upload).
      const uploaded = await runNode({
        parameters: { resource: 'asset', operation: 'upload' },
        items: [await imageItem()],
        credentials,
      });
      const asset = uploaded.output[0]!.json.assetId as string;
      parameters.imageAssetId = per(asset, '');
    }
    const run = await runNode({
      parameters,
      items: c.items ? await c.items() : [await imageItem(), await imageItem()],
      credentials,
      continueOnFail: true,
    });
    keep('n8n-bad-input.output', JSON.stringify(run.output));
    const [good, bad] = run.output;
    // The bad item: an error naming the parameter and the item, nothing paid for it.
    expect(bad!.json).toMatchObject({ code: 'invalid_input', field: c.field });
    expect(bad!.json.error).toMatch(c.message);
    expect(bad!.json.error).toMatch(/ \(Item 2\)$/);
    expect(String(bad!.json.description)).toMatch(/Check the/);
    expect(fake.state().submissions.filter((s) => s.input.prompt === 'n8n bad-input item 1')).toEqual([]);
    // The good item of the same execution: its video, from its job.
    expect(good!.json.error).toBeUndefined();
    if (good!.binary?.data) {
      const bytes = run.binaries.get(good!.binary.data.id!)!.bytes;
      expect(checkVideo(fake, bytes, good!.json.jobId as string, 'n8n bad-input item 0')).toEqual({ ok: true });
    } else {
      expect(good!.json.status).toBe('success');
    }
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    cases++;
  });
});
