import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DEFAULT_BASE_URL,
  HttpTransportError,
  ScenarioError,
  classifyTransportFailure,
  createScenarioClient
} from "./chunk-2A25LXY7.mjs";

// ../packages/core/src/node/env.ts
var envCredentials = (env = process.env) => {
  const apiKey = env.SCENARIO_SDK_API_KEY?.trim() ?? "";
  const apiSecret = env.SCENARIO_SDK_API_SECRET?.trim() ?? "";
  const missing = [
    ...apiKey === "" ? ["SCENARIO_SDK_API_KEY"] : [],
    ...apiSecret === "" ? ["SCENARIO_SDK_API_SECRET"] : []
  ];
  if (missing.length > 0) {
    throw new ScenarioError({
      code: "unauthorized",
      message: `Set ${missing.join(" and ")} to your Scenario API key and secret`,
      retryable: false,
      details: { missing }
    });
  }
  const baseUrl = env.SCENARIO_API_URL?.trim() || DEFAULT_BASE_URL;
  return { apiKey, apiSecret, baseUrl };
};

// ../packages/core/src/node/http-transport.ts
import { Buffer } from "node:buffer";
import http from "node:http";
import https from "node:https";
import { TLSSocket } from "node:tls";
var REDIRECTS = /* @__PURE__ */ new Set([301, 302, 303, 307, 308]);
var KEEP_ALIVE_IDLE_MS = 4e3;
var originOf = (url) => {
  try {
    return new URL(url).origin;
  } catch {
    return void 0;
  }
};
var createHttpTransport = (options) => {
  const apiOrigin = originOf(options.baseUrl);
  if (apiOrigin === void 0) throw new TypeError("createHttpTransport: invalid baseUrl");
  const authorization = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`, "utf8").toString("base64")}`;
  const userAgent = options.userAgent ?? "scenario-video";
  const idleMs = options.bodyIdleTimeoutMs ?? 6e4;
  const maxRedirects = options.maxRedirects ?? 5;
  const pools = {
    http: new http.Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS }),
    https: new https.Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS })
  };
  const open3 = (url, req, withAuth, body) => {
    const headers = { "user-agent": userAgent };
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower !== "authorization" && lower !== "content-length") headers[lower] = value;
    }
    if (withAuth) headers.authorization = authorization;
    if (body !== void 0) headers["content-length"] = String(body.length);
    const secure = url.protocol === "https:";
    const agent = req.method === "GET" ? secure ? pools.https : pools.http : false;
    return (secure ? https : http).request(url, { method: req.method, headers, agent });
  };
  const exchange = (req) => new Promise((resolve, reject) => {
    const caller = req.signal;
    const body = req.body === void 0 ? void 0 : typeof req.body === "string" ? Buffer.from(req.body, "utf8") : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    let current;
    let connected = false;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
      return true;
    };
    const fail = (error) => {
      if (!settle()) return;
      current?.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(
        connected ? new HttpTransportError("timed out waiting for the response", { sent: true, timedOut: true }) : new HttpTransportError("timed out connecting", { sent: false, timedOut: true })
      ),
      req.timeoutMs ?? options.defaultTimeoutMs ?? 6e4
    );
    const onAbort = () => fail(caller?.reason);
    caller?.addEventListener("abort", onAbort, { once: true });
    const send = (url, withAuth, hop) => {
      let request;
      try {
        request = open3(new URL(url), req, withAuth, hop === 0 ? body : void 0);
      } catch (e) {
        fail(new HttpTransportError("request failed (invalid URL)", { sent: false, cause: e }));
        return;
      }
      current = request;
      connected = false;
      const isCurrent = () => !settled && current === request;
      request.on("socket", (socket) => {
        if (request.reusedSocket || !(socket instanceof TLSSocket) && !socket.connecting) connected = true;
        else
          socket.once(socket instanceof TLSSocket ? "secureConnect" : "connect", () => {
            if (current === request) connected = true;
          });
      });
      request.on("error", (e) => {
        if (!isCurrent()) return;
        const { codes, sent } = classifyTransportFailure(e);
        fail(
          new HttpTransportError(`request failed${codes[0] ? ` (${codes[0]})` : ""}`, {
            sent: sent && connected,
            cause: e
          })
        );
      });
      request.on("response", (res) => {
        if (!isCurrent()) {
          res.destroy();
          return;
        }
        const location = res.headers.location;
        const next = location === void 0 ? void 0 : resolveUrl(location, url);
        if (req.method === "GET" && REDIRECTS.has(res.statusCode ?? 0) && next !== void 0 && hop < maxRedirects) {
          res.destroy();
          send(next, false, hop + 1);
          return;
        }
        if (settle()) resolve(res);
        else res.destroy();
      });
      request.end(hop === 0 ? body : void 0);
    };
    send(req.url, req.auth && originOf(req.url) === apiOrigin, 0);
  });
  return {
    async request(req) {
      const caller = req.signal;
      if (caller?.aborted) throw caller.reason;
      const response = await exchange(req);
      return streamed(response, caller, idleMs);
    }
  };
};
var resolveUrl = (location, base) => {
  try {
    return new URL(location, base).toString();
  } catch {
    return void 0;
  }
};
var streamed = (response, caller, idleMs) => {
  const headers = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== void 0) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  let stalled;
  const onAbort = () => response.destroy(caller?.reason instanceof Error ? caller.reason : new Error("aborted"));
  const detach = () => caller?.removeEventListener("abort", onAbort);
  caller?.addEventListener("abort", onAbort, { once: true });
  response.once("close", detach);
  if (caller?.aborted) onAbort();
  const failure = (e) => {
    if (caller?.aborted) return caller.reason;
    if (stalled !== void 0) return stalled;
    if (e instanceof HttpTransportError) return e;
    return new HttpTransportError("response body interrupted", { sent: true, cause: e });
  };
  async function* chunks() {
    const timer = setTimeout(() => {
      stalled = new HttpTransportError("response body stalled", { sent: true, timedOut: true });
      response.destroy(stalled);
    }, idleMs);
    let finished = false;
    try {
      for await (const chunk of response) {
        timer.refresh();
        yield chunk;
      }
      if (stalled !== void 0 || caller?.aborted) throw stalled ?? caller?.reason;
      finished = true;
    } catch (e) {
      throw failure(e);
    } finally {
      clearTimeout(timer);
      if (!finished) response.destroy();
      detach();
    }
  }
  return {
    status: response.statusCode ?? 0,
    headers,
    async text() {
      const parts = [];
      for await (const chunk of chunks()) parts.push(chunk);
      return Buffer.concat(parts).toString("utf8");
    },
    body: { [Symbol.asyncIterator]: chunks }
  };
};

// ../packages/core/src/node/sleep.ts
var timerSleep = (ms, signal) => new Promise((resolve, reject) => {
  if (signal?.aborted) {
    reject(signal.reason);
    return;
  }
  const onAbort = () => {
    clearTimeout(timer);
    reject(signal?.reason);
  };
  const timer = setTimeout(
    () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    },
    Math.max(0, ms)
  );
  signal?.addEventListener("abort", onAbort, { once: true });
});
var systemClock = { now: () => Date.now() };

// ../packages/core/src/node/file-sink.ts
import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
var safeFileName = (name) => {
  const base = path.basename(name.replaceAll("\\", "/")).replace(/[\u0000-\u001f<>:"|?*]/g, "_");
  return base === "" || base === "." || base === ".." ? "output" : base;
};
var FLUSH_BYTES = 1024 * 1024;
var createFileSink = (dir) => ({
  async open(name) {
    await mkdir(dir, { recursive: true });
    const finalPath = path.resolve(dir, safeFileName(name));
    const tempPath = path.resolve(dir, `.${safeFileName(name)}.${randomUUID().slice(0, 8)}.part`);
    const file = await open(tempPath, "wx");
    let written = 0;
    let flushedTo = 0;
    let gathered = [];
    let gatheredBytes = 0;
    let inFlight;
    let failure;
    let state = "open";
    const ensureOpen = () => {
      if (state !== "open") throw new Error(`output ${safeFileName(name)} is already ${state}`);
    };
    const settle = async () => {
      if (inFlight !== void 0) {
        const p = inFlight;
        inFlight = void 0;
        await p;
      }
      if (failure !== void 0) throw failure;
    };
    const writeAll = async (buffers, position, total) => {
      let done = 0;
      let rest = buffers;
      while (done < total) {
        const { bytesWritten } = await file.writev(rest, position + done);
        done += bytesWritten;
        if (done < total) rest = remaining(buffers, done);
      }
    };
    const flush = async () => {
      await settle();
      if (gatheredBytes === 0) return;
      const buffers = gathered;
      const position = flushedTo;
      const total = gatheredBytes;
      gathered = [];
      gatheredBytes = 0;
      flushedTo += total;
      inFlight = writeAll(buffers, position, total).catch((e) => {
        failure ??= e;
      });
    };
    return {
      get bytesWritten() {
        return written;
      },
      async write(chunk) {
        ensureOpen();
        if (failure !== void 0) throw failure;
        if (chunk.length === 0) return;
        gathered.push(chunk);
        gatheredBytes += chunk.length;
        written += chunk.length;
        if (gatheredBytes >= FLUSH_BYTES) await flush();
      },
      async reset() {
        ensureOpen();
        await inFlight?.catch(() => void 0);
        inFlight = void 0;
        failure = void 0;
        gathered = [];
        gatheredBytes = 0;
        await file.truncate(0);
        written = 0;
        flushedTo = 0;
      },
      async commit() {
        ensureOpen();
        await flush();
        await settle();
        await file.close();
        await rename(tempPath, finalPath);
        state = "committed";
        return { file: finalPath, bytes: written };
      },
      async discard() {
        if (state !== "open") return;
        state = "discarded";
        await inFlight?.catch(() => void 0);
        gathered = [];
        await file.close().catch(() => void 0);
        await rm(tempPath, { force: true });
      }
    };
  }
});
var remaining = (buffers, skip) => {
  const out = [];
  let left = skip;
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
};

// ../packages/core/src/node/ledger.ts
import { randomUUID as randomUUID2 } from "node:crypto";
import { mkdir as mkdir2, open as open2, readFile, rename as rename2, rm as rm2 } from "node:fs/promises";
import path2 from "node:path";
var createJsonFileLedger = (file) => {
  const target = path2.resolve(file);
  let queue = Promise.resolve();
  const serial = (op) => {
    const next = queue.then(op, op);
    queue = next.catch(() => void 0);
    return next;
  };
  const read = async () => {
    let text;
    try {
      text = await readFile(target, "utf8");
    } catch (e) {
      if (e.code === "ENOENT") return { version: 1, entries: {} };
      throw e;
    }
    const data = JSON.parse(text);
    if (data?.version !== 1 || typeof data.entries !== "object" || data.entries === null) {
      throw new Error(`${target} is not a scenario-video ledger`);
    }
    return data;
  };
  const write = async (data) => {
    await mkdir2(path2.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID2().slice(0, 8)}.tmp`;
    try {
      const fh = await open2(temp, "wx");
      try {
        await fh.writeFile(`${JSON.stringify(data, null, 2)}
`, "utf8");
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename2(temp, target);
    } catch (e) {
      await rm2(temp, { force: true });
      throw e;
    }
  };
  return {
    get: (key) => serial(async () => (await read()).entries[key]),
    list: () => serial(async () => Object.values((await read()).entries)),
    put: (entry) => serial(async () => {
      const data = await read();
      data.entries[entry.key] = entry;
      await write(data);
    }),
    remove: (key) => serial(async () => {
      const data = await read();
      if (!(key in data.entries)) return;
      delete data.entries[key];
      await write(data);
    })
  };
};

// ../packages/core/src/node/index.ts
var nodePorts = (credentials) => ({
  http: createHttpTransport(credentials),
  sleep: timerSleep,
  clock: systemClock,
  random: Math.random
});
var createNodeClient = (options = {}) => {
  const { apiKey, apiSecret, baseUrl, env, ...rest } = options;
  const credentials = apiKey !== void 0 && apiSecret !== void 0 ? { apiKey, apiSecret, baseUrl: baseUrl ?? DEFAULT_BASE_URL } : { ...envCredentials(env), ...baseUrl !== void 0 ? { baseUrl } : {} };
  return createScenarioClient({ ...rest, baseUrl: credentials.baseUrl, ports: nodePorts(credentials) });
};

export {
  envCredentials,
  createHttpTransport,
  timerSleep,
  systemClock,
  safeFileName,
  createFileSink,
  createJsonFileLedger,
  nodePorts,
  createNodeClient
};
