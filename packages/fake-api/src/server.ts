/**
 * `startFakeScenario(options)`: two listeners on 127.0.0.1, the API (`url`, `…/v1`) and the
 * CDN/storage origin (`cdnUrl`), over one in-memory store. See options.ts for the contract.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CONCURRENCY_ACTION,
  DEFAULTS,
  faultActionLimit,
  mergeOptions,
  type ApiCtx,
  type App,
  type ChosenOutcome,
  type RuntimeOptions,
} from './app.js';
import { authenticate, authorIdOf } from './auth.js';
import { cdnHandler } from './cdn.js';
import { clockWaiter, realClock } from './clock.js';
import { handleControl } from './control.js';
import { FaultEngine, checkFaultRule } from './faults.js';
import { destroyConnection, errorReply, readBody, sendJson, sendRaw, type Reply } from './http.js';
import { IdFactory, seededRandom, traceId as newTraceId } from './ids.js';
import type { FakeRoute, FakeScenario, FakeScenarioOptions } from './options.js';
import { createAsset, getAsset } from './routes/assets.js';
import { generate, isDryRunQuery, onSubmitBody } from './routes/generate.js';
import { getJob, jobAction, listJobs } from './routes/jobs.js';
import { getModel } from './routes/models.js';
import { createUpload, getUpload, uploadAction } from './routes/uploads.js';
import { UrlSigner } from './signing.js';
import { Store } from './state.js';

/** API Gateway's payload limit: a base64 image just under 6 MB still fits. */
const JSON_BODY_LIMIT = 10 * 1024 * 1024;

interface RouteDef {
  method: string;
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  keys: string[];
  route: FakeRoute | ((url: URL) => FakeRoute);
  handler: (ctx: ApiCtx) => Reply | Promise<Reply>;
  onBody?: (ctx: ApiCtx) => void;
}

const ROUTE_TABLE: RouteDef[] = [
  { method: 'POST', pattern: /^\/v1\/assets$/, keys: [], route: 'createAsset', handler: createAsset },
  { method: 'GET', pattern: /^\/v1\/assets\/([^/]+)$/, keys: ['id'], route: 'getAsset', handler: getAsset },
  { method: 'POST', pattern: /^\/v1\/uploads$/, keys: [], route: 'createUpload', handler: createUpload },
  { method: 'GET', pattern: /^\/v1\/uploads\/([^/]+)$/, keys: ['id'], route: 'getUpload', handler: getUpload },
  {
    method: 'POST',
    pattern: /^\/v1\/uploads\/([^/]+)\/action$/,
    keys: ['id'],
    route: 'uploadAction',
    handler: uploadAction,
  },
  {
    method: 'POST',
    pattern: /^\/v1\/generate\/custom\/([^/]+)$/,
    keys: ['modelId'],
    route: (url) => (isDryRunQuery(url) ? 'dryRun' : 'generate'),
    handler: generate,
    onBody: onSubmitBody,
  },
  { method: 'GET', pattern: /^\/v1\/jobs$/, keys: [], route: 'listJobs', handler: listJobs },
  { method: 'GET', pattern: /^\/v1\/jobs\/([^/]+)$/, keys: ['id'], route: 'getJob', handler: getJob },
  { method: 'POST', pattern: /^\/v1\/jobs\/([^/]+)\/action$/, keys: ['id'], route: 'jobAction', handler: jobAction },
  { method: 'GET', pattern: /^\/v1\/models\/([^/]+)$/, keys: ['id'], route: 'getModel', handler: getModel },
];

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startFakeScenario(options: FakeScenarioOptions = {}): Promise<FakeScenario> {
  const clock = options.clock ?? realClock;
  let opts: RuntimeOptions = mergeOptions(DEFAULTS, options);
  opts.faults.forEach(checkFaultRule);
  const store = new Store();
  const faults = new FaultEngine(opts.seed);
  faults.configure(opts.faults);
  let outcomeUses = opts.outcomes.map(() => 0);
  let answerUses = opts.submitAnswers.map(() => 0);
  /** Job durations in a range are drawn from their own seeded stream (reproducible runs). */
  let durationRandom = seededRandom(opts.seed ^ 0x0d0a7105);
  const drawDuration = (): number => {
    const range = opts.jobDurationRangeMs;
    if (range === null) return opts.jobDurationMs;
    return Math.round(range[0] + durationRandom() * (range[1] - range[0]));
  };
  const pendingDelays = new Set<() => void>();
  const waitOnClock = clockWaiter(clock);
  /** Requests being handled (see FakeScenario.busy). */
  let busy = 0;

  const apiServer = createServer();
  const cdnServer = createServer();
  const apiPort = await listen(apiServer, options.port ?? 0);
  let cdnPort: number;
  try {
    cdnPort = await listen(cdnServer, options.cdnPort ?? 0);
  } catch (err) {
    apiServer.close();
    throw err;
  }
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const cdnOrigin = `http://127.0.0.1:${cdnPort}`;

  const app: App = {
    store,
    clock,
    signer: new UrlSigner(),
    ids: new IdFactory(opts.seed),
    faults,
    apiOrigin,
    cdnOrigin,
    get opts() {
      return opts;
    },
    chooseOutcome(prompt: unknown): ChosenOutcome {
      for (const [i, rule] of opts.outcomes.entries()) {
        if (
          rule.promptIncludes !== undefined &&
          !(typeof prompt === 'string' && prompt.includes(rule.promptIncludes))
        ) {
          continue;
        }
        if (rule.times !== undefined && (outcomeUses[i] ?? 0) >= rule.times) continue;
        outcomeUses[i] = (outcomeUses[i] ?? 0) + 1;
        return {
          outcome: rule.outcome,
          durationMs: rule.durationMs ?? drawDuration(),
          ...(rule.error !== undefined ? { error: rule.error } : {}),
          ...(rule.hint !== undefined ? { hint: rule.hint } : {}),
          disableRefund: rule.disableRefund ?? false,
        };
      }
      return { outcome: 'success', durationMs: drawDuration(), disableRefund: false };
    },
    chooseAnswer(prompt: unknown) {
      for (const [i, rule] of opts.submitAnswers.entries()) {
        if (
          rule.promptIncludes !== undefined &&
          !(typeof prompt === 'string' && prompt.includes(rule.promptIncludes))
        ) {
          continue;
        }
        if (rule.times !== undefined && (answerUses[i] ?? 0) >= rule.times) continue;
        answerUses[i] = (answerUses[i] ?? 0) + 1;
        return rule;
      }
      return undefined;
    },
    async waitUntil(t: number, ctx: { parked(): () => void }) {
      const unpark = ctx.parked();
      try {
        if (clock.now() >= t) return;
        await new Promise<void>((resolve) => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const done = () => {
            if (timer !== undefined) clearTimeout(timer);
            pendingDelays.delete(done);
            resolve();
          };
          pendingDelays.add(done);
          if (waitOnClock) void waitOnClock(t).then(done);
          else timer = setTimeout(done, Math.max(0, t - clock.now()));
        });
      } finally {
        unpark();
      }
    },
    delay(ms: number) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          pendingDelays.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        pendingDelays.add(done);
      });
    },
  };

  /** Sends the route's answer, bent by the request's fault when it has one. */
  async function finish(ctx: ApiCtx, reply: Reply): Promise<void> {
    const { req, res, fault } = ctx;
    if (fault?.kind === 'slow') await app.delay(fault.delayMs ?? 1000);
    if (fault?.kind === 'reset-after-create') return destroyConnection(req, res);
    if (fault?.kind === 'malformed-json') {
      // A 200 whose JSON is cut in half: on a submit that made a job, the client cannot tell.
      if (ctx.route === 'generate' && reply.status === 200) ctx.ambiguousAnswer = true;
      const text = JSON.stringify(reply.body);
      return sendRaw(res, 200, text.slice(0, Math.max(1, Math.floor(text.length / 2))), {
        'content-type': 'application/json; charset=utf-8',
      });
    }
    sendJson(res, reply.status, reply.body, reply.headers);
  }

  /** Faults that answer in place of the route once the body is read. */
  function refusal(ctx: ApiCtx): Reply | undefined {
    const f = ctx.fault;
    switch (f?.kind) {
      case 'http-5xx': {
        const status = f.status ?? 503;
        return errorReply(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', ctx.traceId);
      }
      case 'rate-limit-retry-after':
        return {
          ...errorReply(429, 'Too Many Requests', ctx.traceId),
          headers: { 'retry-after': String(f.retryAfterSeconds ?? 1) },
        };
      case 'rate-limit-remaining-seconds':
        return errorReply(429, 'Too Many Requests: please wait before retrying', ctx.traceId, {
          remainingSeconds: f.remainingSeconds ?? 1,
        });
      case 'rate-limit-action-limit': {
        const limit = faultActionLimit(f, opts);
        return errorReply(429, `Too many jobs in progress: your team can run ${limit} at a time`, ctx.traceId, {
          details: { actionName: CONCURRENCY_ACTION, actionLimit: limit },
        });
      }
      default:
        return undefined;
    }
  }

  /** Count a request as busy until its answer is done; `parked` lifts it while it waits on the clock. */
  function track(res: ServerResponse): () => () => void {
    busy++;
    let counted = true;
    res.once('close', () => {
      if (counted) busy--;
      counted = false;
    });
    return () => {
      if (!counted) return () => {};
      counted = false;
      busy--;
      return () => {
        if (res.destroyed || res.writableFinished) return;
        counted = true;
        busy++;
      };
    };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parked = track(res);
    const url = new URL(req.url ?? '/', apiOrigin);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/_fake' || path.startsWith('/_fake/')) return handleControl(control, req, res, path);
    const traceId = newTraceId();
    let def: RouteDef | undefined;
    let match: RegExpExecArray | null = null;
    for (const d of ROUTE_TABLE) {
      if (d.method !== req.method) continue;
      match = d.pattern.exec(path);
      if (match) {
        def = d;
        break;
      }
    }
    if (!def || !match) {
      req.resume();
      return sendJson(res, 404, { reason: `No route for ${req.method} ${path}`, trace_id: traceId });
    }
    const route = typeof def.route === 'function' ? def.route(url) : def.route;
    store.requests[route]++;
    store.lastRequestAt[route] = clock.now();
    const cred = authenticate(req, opts.credentials);
    if (!cred) {
      store.unauthorized++;
      req.resume();
      return sendJson(res, 401, { reason: 'Unauthorized', trace_id: traceId });
    }
    const params: Record<string, string> = {};
    def.keys.forEach((k, i) => (params[k] = decodeURIComponent(match![i + 1] ?? '')));
    const now = clock.now();
    const fault = faults.pick(route, params.id);
    if (fault) store.faultsInjected.push({ at: now, route, kind: fault.kind });
    if (fault?.kind === 'reset-before-body') return destroyConnection(req, res);

    const body = await readBody(req, JSON_BODY_LIMIT).catch(() => undefined);
    if (!body) return; // the client went away mid-body
    if (!body.ok) {
      return sendJson(res, 413, { reason: 'Request body too large', trace_id: traceId }, { connection: 'close' });
    }
    let json: unknown = undefined;
    let badJson = false;
    if (body.body.length > 0) {
      try {
        json = JSON.parse(body.body.toString('utf8'));
      } catch {
        badJson = true;
      }
    }
    const ctx: ApiCtx = {
      app,
      req,
      res,
      url,
      route,
      params,
      cred,
      teamId: cred.teamId,
      authorId: authorIdOf(cred),
      traceId,
      now,
      json,
      ...(fault ? { fault } : {}),
      parked,
    };
    def.onBody?.(ctx);
    if (fault?.kind === 'reset-after-body') return destroyConnection(req, res);
    const refused = refusal(ctx);
    if (refused) return finish(ctx, refused);
    if (badJson) return finish(ctx, errorReply(400, 'Request body is not valid JSON', traceId));
    return finish(ctx, await def.handler(ctx));
  }

  const control = {
    clock,
    state: () => store.snapshot(),
    reset: () => {
      store.clear();
      opts = { ...opts, faults: [], outcomes: [], submitAnswers: [] };
      faults.configure([], opts.seed);
      outcomeUses = [];
      answerUses = [];
    },
    setOptions: (patch: Partial<FakeScenarioOptions>) => {
      const next = mergeOptions(opts, patch);
      if (patch.faults !== undefined || patch.seed !== undefined) {
        faults.configure(next.faults, patch.seed !== undefined ? next.seed : undefined);
      }
      if (patch.outcomes !== undefined) outcomeUses = next.outcomes.map(() => 0);
      if (patch.submitAnswers !== undefined) answerUses = next.submitAnswers.map(() => 0);
      if (patch.seed !== undefined) durationRandom = seededRandom(next.seed ^ 0x0d0a7105);
      opts = next;
    },
    options: () => ({ ...opts, credentials: opts.credentials.map((c) => ({ ...c })) }),
  };

  /** A bug in the fake must answer 500, not kill the process or leave the client hanging. */
  const guard =
    (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res).catch((err: unknown) => {
        const reason = `Internal error in the fake: ${err instanceof Error ? err.message : String(err)}`;
        if (!res.headersSent) sendJson(res, 500, { reason, trace_id: newTraceId() });
        else res.destroy();
      });
    };
  apiServer.on('request', guard(handleApi));
  const cdn = cdnHandler(app);
  cdnServer.on(
    'request',
    guard((req, res) => {
      track(res);
      return cdn(req, res);
    }),
  );

  const closeServer = (s: Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  let closing: Promise<void> | undefined;

  return {
    url: `${apiOrigin}/v1`,
    cdnUrl: cdnOrigin,
    get credentials() {
      return { ...opts.credentials[0]! };
    },
    clock,
    state: control.state,
    setOptions: control.setOptions,
    reset: control.reset,
    busy: () => busy,
    close() {
      closing ??= (async () => {
        for (const done of [...pendingDelays]) done();
        await Promise.all([closeServer(apiServer), closeServer(cdnServer)]);
      })();
      return closing;
    },
  };
}
