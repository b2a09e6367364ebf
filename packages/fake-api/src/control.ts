/**
 * The inspection API, on the API listener, without auth (it is the test's side channel, not
 * Scenario's): `GET /_fake/state`, `POST /_fake/reset`, `GET|POST /_fake/options` (a JSON partial
 * of the options), `GET|POST /_fake/clock` (`{advanceMs}` or `{setMs}`, manual clock only).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from './app.js';
import { isManualClock } from './clock.js';
import { readBody, sendJson } from './http.js';
import type { FakeClock, FakeScenarioOptions, FakeState } from './options.js';

export interface ControlTarget {
  clock: FakeClock;
  state(): FakeState;
  reset(): void;
  setOptions(options: Partial<FakeScenarioOptions>): void;
  options(): unknown;
}

export async function handleControl(t: ControlTarget, req: IncomingMessage, res: ServerResponse, path: string) {
  const body = await readBody(req, 1024 * 1024).catch(() => undefined);
  if (!body) return;
  if (!body.ok) return sendJson(res, 413, { reason: 'Body too large' });
  let json: unknown = undefined;
  if (body.body.length > 0) {
    try {
      json = JSON.parse(body.body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { reason: 'Body is not valid JSON' });
    }
  }
  const route = `${req.method} ${path}`;
  try {
    switch (route) {
      case 'GET /_fake/state':
        return sendJson(res, 200, t.state());
      case 'POST /_fake/reset':
        t.reset();
        return sendJson(res, 200, { ok: true });
      case 'GET /_fake/options':
        return sendJson(res, 200, t.options());
      case 'POST /_fake/options':
        if (!isObject(json)) return sendJson(res, 400, { reason: 'Send a JSON object of options' });
        t.setOptions(json as Partial<FakeScenarioOptions>);
        return sendJson(res, 200, t.options());
      case 'GET /_fake/clock':
        return sendJson(res, 200, { now: t.clock.now(), manual: isManualClock(t.clock) });
      case 'POST /_fake/clock': {
        const clock = t.clock;
        if (!isManualClock(clock)) return sendJson(res, 409, { reason: 'The fake runs on the real clock' });
        if (isObject(json) && typeof json.advanceMs === 'number') clock.advance(json.advanceMs);
        else if (isObject(json) && typeof json.setMs === 'number') clock.set(json.setMs);
        else return sendJson(res, 400, { reason: 'Send {advanceMs} or {setMs}' });
        return sendJson(res, 200, { now: clock.now(), manual: true });
      }
      default:
        return sendJson(res, 404, { reason: `No control route ${route}` });
    }
  } catch (err) {
    return sendJson(res, 400, { reason: err instanceof Error ? err.message : String(err) });
  }
}
