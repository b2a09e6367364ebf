import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  DEFAULT_BASE_URL,
  HttpTransportError,
  ScenarioError,
  classifyTransportFailure,
  createScenarioClient
} from "./chunk-6O7C65AY.mjs";

// ../packages/core/src/node/env.ts
var CREDENTIAL_VARIABLES = ["SCENARIO_SDK_API_KEY", "SCENARIO_SDK_API_SECRET"];
var missingCredentialVariables = (env = process.env) => CREDENTIAL_VARIABLES.filter((name) => (env[name]?.trim() ?? "") === "");
var envCredentials = (env = process.env) => {
  const apiKey = env.SCENARIO_SDK_API_KEY?.trim() ?? "";
  const apiSecret = env.SCENARIO_SDK_API_SECRET?.trim() ?? "";
  const missing = missingCredentialVariables(env);
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
import { Buffer as Buffer3 } from "node:buffer";
import http2 from "node:http";
import https2 from "node:https";
import { TLSSocket } from "node:tls";

// ../packages/core/src/node/proxy-env.ts
import { Buffer } from "node:buffer";
import { BlockList, isIP } from "node:net";
var read = (env, names) => {
  for (const name of names) {
    const value = env[name];
    if (value !== void 0) return value.trim() === "" ? void 0 : { name, value: value.trim() };
  }
  return void 0;
};
var invalid = (variable, why) => new ScenarioError({
  code: "invalid_input",
  message: `${variable} is not a proxy this tool can use: ${why}. Set it to http://host:port (or http://user:password@host:port)`,
  retryable: false,
  details: { variable }
});
var parseProxyUrl = (value, variable) => {
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw invalid(variable, "it is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(variable, `${url.protocol.slice(0, -1)} proxies are not supported`);
  }
  if (url.hostname === "") throw invalid(variable, "it names no host");
  const secure = url.protocol === "https:";
  const port = Number(url.port) || (secure ? 443 : 80);
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  let authorization;
  if (url.username !== "" || url.password !== "") {
    let user;
    let password;
    try {
      user = decodeURIComponent(url.username);
      password = decodeURIComponent(url.password);
    } catch {
      throw invalid(variable, "its user or password is not properly percent-encoded");
    }
    authorization = `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
  }
  return { secure, host, port, name: `${url.hostname}:${port}`, ...authorization ? { authorization } : {} };
};
var parseNoProxy = (list) => {
  const tokens = list.split(/[\s,]+/).filter((t) => t !== "");
  if (tokens.includes("*")) return () => true;
  const names = [];
  const addresses = /* @__PURE__ */ new Map();
  const addressRule = (token, port) => {
    const slash = token.indexOf("/");
    const address = slash === -1 ? token : token.slice(0, slash);
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 4 ? "ipv4" : "ipv6";
    let list2 = addresses.get(port);
    if (list2 === void 0) addresses.set(port, list2 = new BlockList());
    if (slash === -1) list2.addAddress(address, type);
    else {
      const bits = token.slice(slash + 1);
      if (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) {
        list2.addSubnet(address, Number(bits), type);
      }
    }
    return true;
  };
  for (const token of tokens) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(token);
    if (bracketed) {
      addressRule(bracketed[1], bracketed[2] !== void 0 ? Number(bracketed[2]) : void 0);
      continue;
    }
    const withPort = /^([^:]+):(\d+)$/.exec(token);
    const bare = withPort ? withPort[1] : token;
    const port = withPort ? Number(withPort[2]) : void 0;
    if (addressRule(bare, port)) continue;
    const suffix = bare.toLowerCase().replace(/^\*?\.+/, "").replace(/\.+$/, "");
    if (suffix !== "" && !suffix.includes("/")) names.push({ suffix, ...port !== void 0 ? { port } : {} });
  }
  return (rawHost, port) => {
    const host = (rawHost.startsWith("[") ? rawHost.slice(1, -1) : rawHost).toLowerCase().replace(/\.+$/, "");
    const family = isIP(host);
    if (family !== 0) {
      const type = family === 4 ? "ipv4" : "ipv6";
      return [void 0, port].some((p) => addresses.get(p)?.check(host, type) === true);
    }
    return names.some(
      (rule) => (rule.port === void 0 || rule.port === port) && (host === rule.suffix || host.endsWith(`.${rule.suffix}`))
    );
  };
};
var proxySettingsFromEnv = (env) => {
  const https3 = read(env, ["https_proxy", "HTTPS_PROXY"]);
  const http3 = read(env, ["http_proxy", "HTTP_PROXY"]);
  if (https3 === void 0 && http3 === void 0) return void 0;
  const noProxy = read(env, ["no_proxy", "NO_PROXY"]);
  return {
    ...https3 !== void 0 ? { https: parseProxyUrl(https3.value, https3.name) } : {},
    ...http3 !== void 0 ? { http: parseProxyUrl(http3.value, http3.name) } : {},
    bypass: noProxy === void 0 ? () => false : parseNoProxy(noProxy.value)
  };
};
var proxyFor = (settings, url) => {
  if (settings === void 0) return void 0;
  const secure = url.protocol === "https:";
  const proxy = secure ? settings.https : url.protocol === "http:" ? settings.http : void 0;
  if (proxy === void 0) return void 0;
  const port = Number(url.port) || (secure ? 443 : 80);
  return settings.bypass(url.hostname, port) ? void 0 : proxy;
};

// ../packages/core/src/node/proxy-tunnel.ts
import http from "node:http";
import https from "node:https";
import { isIPv6 } from "node:net";
var ProxyError = class extends Error {
  /** The proxy's host:port. */
  proxy;
  /** The CONNECT answer's status, when the proxy answered. */
  status;
  constructor(message, options) {
    super(message, { cause: options.cause });
    this.name = "ProxyError";
    this.proxy = options.proxy;
    this.status = options.status;
  }
};
var TUNNEL_SIGNAL = /* @__PURE__ */ Symbol("scenario-video.tunnelSignal");
var UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;
var PROXY_STATUS_HINTS = {
  407: "check the user and password in the proxy URL",
  403: "the proxy does not allow this destination; list the host in NO_PROXY if it should be reached directly"
};
var openTunnel = (proxy, authority, signal) => new Promise((resolve, reject) => {
  const headers = { host: authority };
  if (proxy.authorization !== void 0) headers["proxy-authorization"] = proxy.authorization;
  const request = (proxy.secure ? https : http).request({
    host: proxy.host,
    port: proxy.port,
    method: "CONNECT",
    path: authority,
    headers,
    agent: false
  });
  let settled = false;
  const settle = (error, socket) => {
    if (settled) {
      socket?.destroy();
      return;
    }
    settled = true;
    signal?.removeEventListener("abort", onAbort);
    if (error === void 0 && socket !== void 0) resolve(socket);
    else {
      socket?.destroy();
      request.destroy();
      reject(error);
    }
  };
  const refused = (status, text) => {
    const hint = PROXY_STATUS_HINTS[status];
    return new ProxyError(
      `the proxy ${proxy.name} refused the tunnel to ${authority} (${status}${text ? ` ${text}` : ""})${hint ? `: ${hint}` : ""}`,
      { proxy: proxy.name, status }
    );
  };
  const onAbort = () => settle(new ProxyError(`gave up on the proxy ${proxy.name}`, { proxy: proxy.name }));
  if (signal?.aborted) return onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  request.once("connect", (res, socket, head) => {
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) return settle(refused(status, res.statusMessage), socket);
    if (head.length > 0) socket.unshift(head);
    settle(void 0, socket);
  });
  request.once("response", (res) => {
    res.destroy();
    settle(refused(res.statusCode ?? 0, res.statusMessage));
  });
  request.once("error", (e) => {
    const code = typeof e.code === "string" ? e.code : "";
    const what = proxy.secure && UNTRUSTED_CERTIFICATE.test(code) ? `presented a certificate Node does not trust (${code}): add its CA with NODE_EXTRA_CA_CERTS` : `could not be reached${code ? ` (${code})` : ""}`;
    settle(new ProxyError(`the proxy ${proxy.name} ${what}`, { proxy: proxy.name, cause: e }));
  });
  request.end();
});
var authorityOf = (options, defaultPort) => {
  const host = options.host ?? options.hostname ?? "localhost";
  return `${isIPv6(host) ? `[${host}]` : host}:${options.port ?? defaultPort}`;
};
var connectThrough = (proxy, options, defaultPort, callback, over) => {
  const failed = (e) => callback?.(e instanceof Error ? e : new Error(String(e)), void 0);
  openTunnel(proxy, authorityOf(options, defaultPort), options[TUNNEL_SIGNAL]).then((tunnel) => {
    let stream;
    try {
      stream = over(tunnel);
    } catch (e) {
      tunnel.destroy();
      return failed(e);
    }
    callback?.(null, stream);
  }, failed);
  return void 0;
};
var HttpTunnelAgent = class extends http.Agent {
  constructor(proxy, options) {
    super(options);
    this.proxy = proxy;
  }
  proxy;
  createConnection(options, callback) {
    return connectThrough(this.proxy, options, 80, callback, (tunnel) => tunnel);
  }
};
var HttpsTunnelAgent = class extends https.Agent {
  constructor(proxy, options) {
    super(options);
    this.proxy = proxy;
  }
  proxy;
  createConnection(options, callback) {
    return connectThrough(
      this.proxy,
      options,
      443,
      callback,
      (tunnel) => super.createConnection({ ...options, socket: tunnel })
    );
  }
};

// ../packages/core/src/node/reused-buffer-get.ts
import { Buffer as Buffer2 } from "node:buffer";
import { isIP as isIP2, connect as connectTcp } from "node:net";
import { connect as connectTls } from "node:tls";

// ../packages/core/src/node/transport-errors.ts
var headTimeoutError = (connected, proxy) => connected ? new HttpTransportError("timed out waiting for the response", { sent: true, timedOut: true }) : new HttpTransportError("timed out connecting", {
  sent: false,
  timedOut: true,
  ...proxy !== void 0 ? { detail: `the proxy ${proxy} did not open a tunnel in time` } : {}
});
var requestFailedError = (error, connected, proxy) => {
  if (error instanceof ProxyError) {
    return new HttpTransportError(`request failed (${error.message})`, {
      sent: false,
      cause: error,
      detail: error.message
    });
  }
  const { codes, sent } = classifyTransportFailure(error);
  const untrusted = proxy !== void 0 ? codes.find((c) => UNTRUSTED_CERTIFICATE.test(c)) : void 0;
  return new HttpTransportError(`request failed${codes[0] ? ` (${codes[0]})` : ""}`, {
    sent: sent && connected,
    cause: error,
    ...untrusted !== void 0 ? {
      detail: `through the proxy ${proxy}, the server's certificate is not trusted (${untrusted}): a proxy that inspects TLS needs its CA in NODE_EXTRA_CA_CERTS`
    } : {}
  });
};

// ../packages/core/src/node/http1-response.ts
var MalformedResponseError = class extends Error {
  constructor(message) {
    super(`malformed HTTP response: ${message}`);
    this.name = "MalformedResponseError";
  }
};
var MAX_HEAD_BYTES = 64 * 1024;
var MAX_LINE_BYTES = 4 * 1024;
var CR = 13;
var LF = 10;
var Http1ResponseReader = class {
  /** The final (non-1xx) head, once it has arrived. */
  head;
  /** The head so far, one character per byte (latin1, as node:http reads header values). */
  headText = "";
  body;
  /** True once the body is complete by its own framing (the connection may then be closed). */
  get done() {
    return this.body?.kind === "done";
  }
  /**
   * Read the next bytes off the connection. Returns the body bytes among them, as views into
   * `bytes` (valid only as long as `bytes` is). Bytes after the end of the body are ignored.
   */
  feed(bytes) {
    const pieces = [];
    let at = 0;
    while (at < bytes.length && !this.done) {
      if (this.body === void 0) at = this.readHead(bytes, at);
      else at = this.readBody(bytes, at, pieces);
    }
    return pieces;
  }
  /**
   * The connection ended. Fine for a body read until close; otherwise the response was cut short
   * (a `MalformedResponseError` naming what was missing).
   */
  end() {
    if (this.done || this.body?.kind === "close") {
      this.body = { kind: "done" };
      return;
    }
    if (this.body === void 0)
      throw new MalformedResponseError("the connection closed before the response head ended");
    if (this.body.kind === "length") {
      throw new MalformedResponseError(`the connection closed ${this.body.left} bytes before the body ended`);
    }
    throw new MalformedResponseError("the connection closed inside a chunked body");
  }
  /** Gathers head bytes up to the blank line; returns where the body starts in `bytes`. */
  readHead(bytes, from) {
    for (let i = from; i < bytes.length; i++) {
      const b = bytes[i];
      this.headText += String.fromCharCode(b);
      if (this.headText.length > MAX_HEAD_BYTES) throw new MalformedResponseError("the response head is too large");
      if (b === LF && (this.headText.endsWith("\n\n") || this.headText.endsWith("\n\r\n"))) {
        this.takeHead();
        return i + 1;
      }
    }
    return bytes.length;
  }
  takeHead() {
    const lines = this.headText.split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
    this.headText = "";
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? "");
    if (!status)
      throw new MalformedResponseError(`unexpected status line ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
    const code = Number(status[1]);
    const headers = {};
    const lengths = /* @__PURE__ */ new Set();
    for (const line of lines.slice(1)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
        throw new MalformedResponseError(`unexpected header line ${JSON.stringify(line.slice(0, 80))}`);
      }
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") for (const v of value.split(",")) lengths.add(v.trim());
      headers[name] = headers[name] === void 0 ? value : `${headers[name]}, ${value}`;
    }
    if (code === 101) throw new MalformedResponseError("the server switched protocols");
    if (code < 200) return;
    this.head = { status: code, headers };
    const codings = headers["transfer-encoding"]?.toLowerCase();
    if (code === 204 || code === 304) this.body = { kind: "done" };
    else if (codings !== void 0) {
      this.body = /(?:^|,)\s*chunked\s*$/.test(codings) ? { kind: "chunk-size", line: "" } : { kind: "close" };
    } else if (lengths.size > 0) {
      const [only, ...others] = [...lengths];
      if (others.length > 0 || !/^\d{1,15}$/.test(only)) {
        throw new MalformedResponseError(`invalid Content-Length ${JSON.stringify(headers["content-length"])}`);
      }
      const left = Number(only);
      this.body = left === 0 ? { kind: "done" } : { kind: "length", left };
    } else this.body = { kind: "close" };
  }
  /** Advances through the body framing; body bytes go to `pieces`. Returns the next offset. */
  readBody(bytes, at, pieces) {
    const state = this.body;
    switch (state.kind) {
      case "close": {
        pieces.push(bytes.subarray(at));
        return bytes.length;
      }
      case "length":
      case "chunk-data": {
        const n = Math.min(state.left, bytes.length - at);
        pieces.push(bytes.subarray(at, at + n));
        state.left -= n;
        if (state.left === 0)
          this.body = state.kind === "length" ? { kind: "done" } : { kind: "chunk-end", seenCr: false };
        return at + n;
      }
      case "chunk-end": {
        const b = bytes[at];
        if (b === CR && !state.seenCr) state.seenCr = true;
        else if (b === LF) this.body = { kind: "chunk-size", line: "" };
        else throw new MalformedResponseError("a chunk is longer than its size says");
        return at + 1;
      }
      case "chunk-size":
      case "trailer": {
        const { line, next } = readLine(state.line, bytes, at);
        if (next === void 0) {
          state.line = line;
          return bytes.length;
        }
        if (state.kind === "trailer") this.body = line === "" ? { kind: "done" } : { kind: "trailer", line: "" };
        else {
          const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
          if (!size) throw new MalformedResponseError(`invalid chunk size ${JSON.stringify(line.slice(0, 40))}`);
          const left = Number.parseInt(size[1], 16);
          this.body = left === 0 ? { kind: "trailer", line: "" } : { kind: "chunk-data", left };
        }
        return next;
      }
      case "done":
        return bytes.length;
    }
  }
};
var readLine = (line, bytes, at) => {
  const lf = bytes.indexOf(LF, at);
  const end = lf === -1 ? bytes.length : lf;
  let text = line + String.fromCharCode(...bytes.subarray(at, Math.min(end, at + MAX_LINE_BYTES + 1)));
  if (text.length > MAX_LINE_BYTES) throw new MalformedResponseError("a chunk-size or trailer line is too long");
  if (lf === -1) return { line: text };
  if (text.endsWith("\r")) text = text.slice(0, -1);
  return { line: text, next: lf + 1 };
};

// ../packages/core/src/node/finished-chunks.ts
var finished = /* @__PURE__ */ new WeakSet();
var finishedWith = (chunk) => {
  finished.add(chunk);
};
var takeFinished = (chunk) => finished.delete(chunk);

// ../packages/core/src/node/reused-buffer-get.ts
var READ_BUFFER_BYTES = 512 * 1024;
var TLS_READ_BUFFER_BYTES = 64 * 1024;
var MAX_READ_BUFFERS = 16;
var getWithReusedBuffer = (target, options) => new Promise((resolve, reject) => {
  const { signal } = options;
  const reader = new Http1ResponseReader();
  const queue = [];
  let held;
  const buffers = [];
  const busy = (b) => b === held || queue.some((q) => q.buffer === b);
  let wake;
  let connected = false;
  let answered = false;
  let ended = false;
  let failure;
  const bad = Object.entries(options.headers).find(([n, v]) => /[\r\n\0:]/.test(n) || /[\r\n\0]/.test(v));
  if (bad !== void 0) {
    reject(new HttpTransportError(`request failed (invalid header ${JSON.stringify(bad[0])})`, { sent: false }));
    return;
  }
  const secure = target.protocol === "https:";
  const host = target.hostname.startsWith("[") ? target.hostname.slice(1, -1) : target.hostname;
  const port = Number(target.port) || (secure ? 443 : 80);
  const bufferBytes = secure ? TLS_READ_BUFFER_BYTES : READ_BUFFER_BYTES;
  const onread = {
    // Node asks for the buffer of the next read after each callback: never one with unread pieces.
    buffer: () => {
      const spare = buffers.find((b) => !busy(b));
      if (spare !== void 0) return spare;
      if (buffers.length >= MAX_READ_BUFFERS) {
        fail(new HttpTransportError("response body interrupted (the connection would not pause)", { sent: true }));
      }
      const fresh = new Uint8Array(bufferBytes);
      buffers.push(fresh);
      return fresh;
    },
    // Returning false pauses the socket until the consumer has taken every piece.
    callback: (n, bytes) => received(bytes, n)
  };
  const tlsOptions = {
    host,
    port,
    ALPNProtocols: ["http/1.1"],
    onread,
    ...isIP2(host) ? {} : { servername: host },
    ...options.ca !== void 0 ? { ca: options.ca } : {}
  };
  const socket = secure ? connectTls(tlsOptions) : connectTcp({ host, port, onread });
  const headTimer = setTimeout(() => fail(headTimeoutError(connected)), options.timeoutMs);
  let idleTimer;
  const onStall = () => {
    fail(new HttpTransportError("response body stalled", { sent: true, timedOut: true }));
  };
  const onAbort = () => fail(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const release = () => {
    clearTimeout(headTimer);
    clearTimeout(idleTimer);
    signal?.removeEventListener("abort", onAbort);
  };
  function fail(error) {
    if (ended || failure !== void 0) return;
    failure = signal?.aborted ? signal.reason : error;
    release();
    socket.destroy();
    if (!answered) reject(failure);
    wake?.();
  }
  function finish() {
    if (ended || failure !== void 0) return;
    ended = true;
    release();
    socket.destroy();
    wake?.();
  }
  function received(buffer, n) {
    if (ended || failure !== void 0) return false;
    let pieces;
    try {
      pieces = reader.feed(buffer.subarray(0, n));
    } catch (e) {
      options.onUnreadable?.();
      fail(
        new HttpTransportError(answered ? "response body interrupted" : "malformed response", {
          sent: true,
          cause: e
        })
      );
      return false;
    }
    if (reader.head !== void 0 && !answered) {
      answered = true;
      clearTimeout(headTimer);
      idleTimer = setTimeout(onStall, options.idleMs);
      resolve({ head: reader.head, response: response(reader.head), close: () => fail(new Error("closed")) });
    } else idleTimer?.refresh();
    for (const piece of pieces) if (piece.length > 0) queue.push({ piece, buffer });
    if (reader.done)
      finish();
    else if (queue.length > 0) wake?.();
    return queue.length === 0;
  }
  socket.once(secure ? "secureConnect" : "connect", () => {
    connected = true;
    socket.write(requestText(target, options.headers));
  });
  socket.on("error", (e) => {
    if (answered) return fail(new HttpTransportError("response body interrupted", { sent: true, cause: e }));
    fail(requestFailedError(e, connected));
  });
  socket.once("end", () => {
    try {
      reader.end();
      finish();
    } catch (e) {
      fail(
        new HttpTransportError(answered ? "response body interrupted" : "connection closed before the response", {
          sent: true,
          cause: e
        })
      );
    }
  });
  socket.once("close", () => fail(new HttpTransportError("connection closed", { sent: connected })));
  let copying = false;
  const response = (head) => {
    async function* chunks() {
      let lent;
      try {
        for (; ; ) {
          if (lent !== void 0 && !takeFinished(lent)) {
            const kept = buffers.indexOf(held);
            if (kept >= 0) buffers.splice(kept, 1);
            copying = true;
          }
          held = void 0;
          lent = void 0;
          const next = queue.shift();
          if (next !== void 0) {
            if (copying) {
              yield Buffer2.from(next.piece);
              continue;
            }
            held = next.buffer;
            lent = next.piece;
            yield next.piece;
            continue;
          }
          if (failure !== void 0) throw failure;
          if (ended) return;
          socket.resume();
          await new Promise((r) => wake = r);
          wake = void 0;
        }
      } finally {
        fail(new Error("the body was abandoned"));
      }
    }
    return {
      status: head.status,
      headers: head.headers,
      async text() {
        const parts = [];
        for await (const piece of chunks()) {
          parts.push(Buffer2.from(piece));
          finishedWith(piece);
        }
        return Buffer2.concat(parts).toString("utf8");
      },
      body: { [Symbol.asyncIterator]: chunks }
    };
  };
});
var requestText = (target, headers) => {
  let text = `GET ${target.pathname}${target.search} HTTP/1.1\r
host: ${target.host}\r
`;
  for (const [name, value] of Object.entries(headers)) {
    if (name === "host" || name === "connection") continue;
    text += `${name}: ${value}\r
`;
  }
  return `${text}connection: close\r
\r
`;
};

// ../packages/core/src/node/http-transport.ts
var hostTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle)
};
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
  const authorization = `Basic ${Buffer3.from(`${options.apiKey}:${options.apiSecret}`, "utf8").toString("base64")}`;
  const userAgent = options.userAgent ?? "scenario-video";
  const idleMs = options.bodyIdleTimeoutMs ?? 6e4;
  const maxRedirects = options.maxRedirects ?? 5;
  const timers = options.timers ?? hostTimers;
  const proxies = proxySettingsFromEnv(options.env ?? process.env);
  const reusedBuffers = options.reusedBufferDownloads ?? true;
  const pools = {
    http: new http2.Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS }),
    https: new https2.Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS })
  };
  const tunnels = /* @__PURE__ */ new Map();
  const tunnelAgent = (proxy, secure, keepAlive) => {
    const key = `${proxy.secure}|${proxy.name}|${proxy.authorization ?? ""}|${secure}|${keepAlive}`;
    let agent = tunnels.get(key);
    if (agent === void 0) {
      const agentOptions = keepAlive ? { keepAlive, timeout: KEEP_ALIVE_IDLE_MS } : {};
      agent = secure ? new HttpsTunnelAgent(proxy, agentOptions) : new HttpTunnelAgent(proxy, agentOptions);
      tunnels.set(key, agent);
    }
    return agent;
  };
  const unreadable = /* @__PURE__ */ new Set();
  const requestHeaders = (req, withAuth, body) => {
    const headers = { "user-agent": userAgent };
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower !== "authorization" && lower !== "content-length") headers[lower] = value;
    }
    if (withAuth) headers.authorization = authorization;
    if (body !== void 0) headers["content-length"] = String(body.length);
    return headers;
  };
  const open3 = (url, req, withAuth, body, proxy, tunnel) => {
    const headers = requestHeaders(req, withAuth, body);
    const secure = url.protocol === "https:";
    const keepAlive = req.method === "GET";
    const agent = proxy !== void 0 ? tunnelAgent(proxy, secure, keepAlive) : keepAlive ? secure ? pools.https : pools.http : false;
    const requestOptions = { method: req.method, headers, agent, [TUNNEL_SIGNAL]: tunnel };
    return (secure ? https2 : http2).request(url, requestOptions);
  };
  const viaNodeHttp = async (req) => streamed(await exchange(req), req.signal, idleMs);
  const reusedGet = async (req) => {
    const deadline = Date.now() + (req.timeoutMs ?? options.defaultTimeoutMs ?? 6e4);
    let url = req.url;
    let withAuth = req.auth && originOf(url) === apiOrigin;
    for (let hop = 0; ; hop++) {
      const target = httpUrl(url);
      if (target === void 0) throw new HttpTransportError("request failed (invalid URL)", { sent: false });
      const rest = () => viaNodeHttp({ ...req, url, auth: withAuth, timeoutMs: Math.max(1, deadline - Date.now()) });
      if (!fastPathFor(target)) return await rest();
      let unread = false;
      let hopResult;
      try {
        hopResult = await getWithReusedBuffer(target, {
          headers: requestHeaders(req, withAuth, void 0),
          timeoutMs: Math.max(1, deadline - Date.now()),
          idleMs,
          ...req.signal !== void 0 ? { signal: req.signal } : {},
          onUnreadable: () => {
            unread = true;
            unreadable.add(target.origin);
          }
        });
      } catch (e) {
        if (unread && !req.signal?.aborted) return await rest();
        throw e;
      }
      const { head, response, close } = hopResult;
      const location = head.headers.location;
      const next = location === void 0 ? void 0 : resolveUrl(location, url);
      if (!REDIRECTS.has(head.status) || next === void 0 || hop >= maxRedirects) return response;
      close();
      url = next;
      withAuth = false;
    }
  };
  const exchange = (req) => new Promise((resolve, reject) => {
    const caller = req.signal;
    const body = req.body === void 0 ? void 0 : typeof req.body === "string" ? Buffer3.from(req.body, "utf8") : Buffer3.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    let current;
    let connected = false;
    let proxy;
    let tunnel = new AbortController();
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      timers.clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
      return true;
    };
    const fail = (error) => {
      if (!settle()) return;
      tunnel.abort();
      current?.destroy();
      reject(error);
    };
    const timer = timers.setTimeout(
      () => fail(headTimeoutError(connected, proxy?.name)),
      req.timeoutMs ?? options.defaultTimeoutMs ?? 6e4
    );
    const onAbort = () => fail(caller?.reason);
    caller?.addEventListener("abort", onAbort, { once: true });
    const send = (url, withAuth, hop) => {
      let request;
      try {
        const target = new URL(url);
        proxy = proxyFor(proxies, target);
        tunnel = new AbortController();
        request = open3(target, req, withAuth, hop === 0 ? body : void 0, proxy, tunnel.signal);
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
        fail(requestFailedError(e, connected, proxy?.name));
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
  const fastPathFor = (target) => proxyFor(proxies, target) === void 0 && !unreadable.has(target.origin);
  return {
    async request(req) {
      const caller = req.signal;
      if (caller?.aborted) throw caller.reason;
      if (req.method === "GET" && !req.auth && reusedBuffers) return await reusedGet(req);
      return await viaNodeHttp(req);
    }
  };
};
var httpUrl = (url) => {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed : void 0;
  } catch {
    return void 0;
  }
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
    let finished2 = false;
    try {
      for await (const chunk of response) {
        timer.refresh();
        yield chunk;
      }
      if (stalled !== void 0 || caller?.aborted) throw stalled ?? caller?.reason;
      finished2 = true;
    } catch (e) {
      throw failure(e);
    } finally {
      clearTimeout(timer);
      if (!finished2) response.destroy();
      detach();
    }
  }
  return {
    status: response.statusCode ?? 0,
    headers,
    async text() {
      const parts = [];
      for await (const chunk of chunks()) parts.push(chunk);
      return Buffer3.concat(parts).toString("utf8");
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
import { writeSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
var safeFileName = (name) => {
  const base = path.basename(name.replaceAll("\\", "/")).replace(/[\u0000-\u001f<>:"|?*]/g, "_");
  return base === "" || base === "." || base === ".." ? "output" : base;
};
var createFileSink = (dir) => ({
  async open(name) {
    await mkdir(dir, { recursive: true });
    const finalPath = path.resolve(dir, safeFileName(name));
    const tempPath = path.resolve(dir, `.${safeFileName(name)}.${randomUUID().slice(0, 8)}.part`);
    const file = await open(tempPath, "wx");
    let written = 0;
    let failure;
    let state = "open";
    const ensureOpen = () => {
      if (state !== "open") throw new Error(`output ${safeFileName(name)} is already ${state}`);
    };
    const ensureWritable = () => {
      ensureOpen();
      if (failure !== void 0) throw failure;
    };
    return {
      get bytesWritten() {
        return written;
      },
      async write(chunk) {
        ensureWritable();
        try {
          for (let done = 0; done < chunk.length; ) {
            done += writeSync(file.fd, chunk, done, chunk.length - done, written + done);
          }
        } catch (e) {
          failure = e;
          throw e;
        }
        written += chunk.length;
        finishedWith(chunk);
      },
      async reset() {
        ensureOpen();
        failure = void 0;
        await file.truncate(0);
        written = 0;
      },
      async commit() {
        ensureWritable();
        await file.close();
        await rename(tempPath, finalPath);
        state = "committed";
        return { file: finalPath, bytes: written };
      },
      async discard() {
        if (state !== "open") return;
        state = "discarded";
        await file.close().catch(() => void 0);
        await rm(tempPath, { force: true });
      }
    };
  }
});

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
  const read2 = async () => {
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
    get: (key) => serial(async () => (await read2()).entries[key]),
    list: () => serial(async () => Object.values((await read2()).entries)),
    put: (entry) => serial(async () => {
      const data = await read2();
      data.entries[entry.key] = entry;
      await write(data);
    }),
    remove: (key) => serial(async () => {
      const data = await read2();
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
  return createScenarioClient({
    ...rest,
    baseUrl: credentials.baseUrl,
    ports: nodePorts({ ...credentials, ...env !== void 0 ? { env } : {} })
  });
};

export {
  missingCredentialVariables,
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
