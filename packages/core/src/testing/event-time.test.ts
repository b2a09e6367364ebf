import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../node/http-transport.js';
import { HttpTransportError } from '../ports.js';
import { createEventTime, type EventTime } from './event-time.js';
import { createVirtualTime } from './virtual-time.js';
import { FRAME_PNG, START, createManualClock, startFakeScenario, type FakeScenario } from './fake.js';

let time: EventTime | undefined;
let fake: FakeScenario | undefined;
afterEach(async () => {
  time?.close();
  await fake?.close();
  time = undefined;
  fake = undefined;
});

const MIN = 60_000;

describe('createEventTime: discrete-event virtual time', () => {
  it('concurrent sleepers move the clock to each one’s end, not by their sum (unlike createVirtualTime)', async () => {
    const clock = createManualClock(START);
    time = createEventTime(clock);
    const woke: Array<[string, number]> = [];
    const real = Date.now();
    await Promise.all(
      (
        [
          ['ten', 10 * MIN],
          ['five', 5 * MIN],
          ['two', 2 * MIN],
        ] as const
      ).map(async ([name, ms]) => {
        await time!.sleep(ms);
        woke.push([name, clock.now() - START]);
      }),
    );
    expect(woke).toEqual([
      ['two', 2 * MIN],
      ['five', 5 * MIN],
      ['ten', 10 * MIN],
    ]);
    expect(clock.now() - START).toBe(10 * MIN);
    expect(Date.now() - real).toBeLessThan(2_000);

    // The old virtual time adds every sleep to the clock: 17 minutes for the same three.
    const old = createManualClock(START);
    const v = createVirtualTime(old);
    await Promise.all([v.sleep(10 * MIN), v.sleep(5 * MIN), v.sleep(2 * MIN)]);
    expect(old.now() - START).toBe(17 * MIN);
  });

  it('an aborted sleep rejects at once and its timer never moves the clock', async () => {
    const clock = createManualClock(START);
    time = createEventTime(clock);
    const ac = new AbortController();
    const aborted = time.sleep(60 * MIN, ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await time.sleep(1_000);
    expect(clock.now() - START).toBe(1_000);
  });

  it('time stands still while the fake is busy, and moves while it holds an answer on the clock', async () => {
    const base = createManualClock(START);
    time = createEventTime(base, { busy: () => fake?.busy() ?? 0 });
    fake = await startFakeScenario({ clock: time.clock, teamConcurrencyLimit: 0 });
    const http = createHttpTransport({
      baseUrl: fake.url,
      apiKey: fake.credentials.apiKey,
      apiSecret: fake.credentials.apiSecret,
      timers: time.timers,
    });
    const post = async (path: string, body: unknown, timeoutMs = 10_000) => {
      const res = await http.request({
        method: 'POST',
        url: `${fake!.url}${path}`,
        auth: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs,
      });
      return { status: res.status, json: JSON.parse(await res.text()) };
    };
    const image = (await post('/assets', { image: Buffer.from(FRAME_PNG).toString('base64'), name: 'f.png' })).json
      .asset.id as string;

    // A slow answer (200 ms of real time) holds the clock: a sleeper due meanwhile waits for it.
    fake.setOptions({ faults: [{ route: 'getModel', kind: 'slow', delayMs: 200 }] });
    const sleeper = time.sleep(1_000).then(() => base.now());
    const slow = http
      .request({ method: 'GET', url: `${fake.url}/models/model_wan-2-2-i2v-a14b`, auth: true })
      .then(() => base.now());
    expect(await slow).toBe(START);
    expect(await sleeper).toBe(START + 1_000);

    // A submit answer held for 5 minutes of the fake's clock: the request timeout (60 s, on the same
    // timers) fires at exactly 60 s, while the job made before the answer runs.
    fake.setOptions({ submitAnswers: [{ delayMs: 5 * MIN, jobCreated: 'before-answer' }] });
    const sent = base.now();
    const err = await post('/generate/custom/model_wan-2-2-i2v-a14b', { prompt: 'held', image }, 60_000).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpTransportError);
    expect((err as HttpTransportError).timedOut).toBe(true);
    expect(base.now() - sent).toBe(60_000);
    expect(fake.state().jobIds).toHaveLength(1);
    // The held wait (due at +5 min) passes on its own; later sleeps are not disturbed by it.
    await time.sleep(5 * MIN);
    expect(base.now() - sent).toBe(60_000 + 5 * MIN);
    // The client gave up at 60 s: for the fake, the submit's answer never left (status 0).
    expect(fake.state().submissions.at(-1)).toMatchObject({ status: 0, answeredAt: sent + 60_000 });
  });
});
