import { Buffer } from 'node:buffer';
import { BlockList, isIP } from 'node:net';
import { ScenarioError } from '../errors.js';

/**
 * Which proxy a request goes through, from the environment the way curl reads it:
 *
 * - `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http URLs; the
 *   lower-case name wins when both are set, and an empty value means no proxy. (curl ignores
 *   upper-case `HTTP_PROXY`, a guard for CGI scripts where a request header could set it; a CLI or
 *   an Action has no such header, and runners and company images set either case.) `ALL_PROXY` is
 *   not read.
 * - The proxy URL is `http://[user:password@]host[:port]` (no scheme means http; the port defaults
 *   to 80, or 443 for an `https://` proxy, which is spoken to over TLS). Anything else (socks…) is
 *   refused when the transport is created, naming the variable but never its value.
 * - `no_proxy` / `NO_PROXY` (lower case first): names separated by commas or blanks; `*` alone
 *   bypasses every proxy. A name matches itself and every name under it (`example.com` and
 *   `.example.com` both match `example.com` and `api.example.com`, never `notexample.com`), case
 *   and trailing dots ignored. An IP address (IPv6 with or without brackets) matches only that
 *   address, and with `/bits` (CIDR, as curl since 7.86) the addresses of that network; names are
 *   never resolved to compare them with addresses. One extension to curl, as Go, Python and undici
 *   read it: `name:port` or `address:port` matches only that port. Loopback is not bypassed unless
 *   listed (as curl).
 *
 * Proxy credentials come only from the proxy URL's user and password and go only into the
 * `Proxy-Authorization` header of the CONNECT request (proxy-tunnel.ts). `name` (host:port) is what
 * messages show.
 */
export interface ProxyServer {
  /** The proxy is spoken to over TLS (`https://` proxy URL). */
  secure: boolean;
  /** Host name or address, IPv6 without brackets. */
  host: string;
  port: number;
  /** `host:port`, for messages: never the credentials. */
  name: string;
  /** `Basic …` for the Proxy-Authorization header, when the proxy URL carried a user. */
  authorization?: string;
}

export interface ProxySettings {
  https?: ProxyServer;
  http?: ProxyServer;
  /** Whether `NO_PROXY` exempts this host and port. */
  bypass(host: string, port: number): boolean;
}

type Env = Record<string, string | undefined>;

/** The first set variable of `names` (an empty one counts as set, and means none), with its name. */
const read = (env: Env, names: readonly string[]): { name: string; value: string } | undefined => {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) return value.trim() === '' ? undefined : { name, value: value.trim() };
  }
  return undefined;
};

const invalid = (variable: string, why: string): ScenarioError =>
  new ScenarioError({
    code: 'invalid_input',
    message: `${variable} is not a proxy this tool can use: ${why}. Set it to http://host:port (or http://user:password@host:port)`,
    retryable: false,
    details: { variable },
  });

/** A proxy URL from `variable`; throws `invalid_input` naming the variable, never echoing its value. */
export const parseProxyUrl = (value: string, variable: string): ProxyServer => {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw invalid(variable, 'it is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(variable, `${url.protocol.slice(0, -1)} proxies are not supported`);
  }
  if (url.hostname === '') throw invalid(variable, 'it names no host');
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let authorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    let user: string;
    let password: string;
    try {
      user = decodeURIComponent(url.username);
      password = decodeURIComponent(url.password);
    } catch {
      throw invalid(variable, 'its user or password is not properly percent-encoded');
    }
    authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }
  return { secure, host, port, name: `${url.hostname}:${port}`, ...(authorization ? { authorization } : {}) };
};

interface NameRule {
  /** Lower case, without leading or trailing dots. */
  suffix: string;
  port?: number;
}

/** `NO_PROXY` as a predicate on (host, port); see the module comment for the rules. */
export const parseNoProxy = (list: string): ((host: string, port: number) => boolean) => {
  const tokens = list.split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.includes('*')) return () => true;
  const names: NameRule[] = [];
  /** Address rules, one BlockList per port (undefined: any port). */
  const addresses = new Map<number | undefined, BlockList>();
  const addressRule = (token: string, port: number | undefined): boolean => {
    const slash = token.indexOf('/');
    const address = slash === -1 ? token : token.slice(0, slash);
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    let list = addresses.get(port);
    if (list === undefined) addresses.set(port, (list = new BlockList()));
    if (slash === -1) list.addAddress(address, type);
    else {
      const bits = token.slice(slash + 1);
      // A malformed prefix length matches nothing, as in curl.
      if (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) {
        list.addSubnet(address, Number(bits), type);
      }
    }
    return true;
  };
  for (const token of tokens) {
    // [v6]:port, [v6], v4:port, name:port; a bare IPv6 address has several colons and no port.
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(token);
    if (bracketed) {
      addressRule(bracketed[1]!, bracketed[2] !== undefined ? Number(bracketed[2]) : undefined);
      continue;
    }
    const withPort = /^([^:]+):(\d+)$/.exec(token);
    const bare = withPort ? withPort[1]! : token;
    const port = withPort ? Number(withPort[2]) : undefined;
    if (addressRule(bare, port)) continue;
    const suffix = bare
      .toLowerCase()
      .replace(/^\*?\.+/, '')
      .replace(/\.+$/, '');
    if (suffix !== '' && !suffix.includes('/')) names.push({ suffix, ...(port !== undefined ? { port } : {}) });
  }
  return (rawHost, port) => {
    const host = (rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost).toLowerCase().replace(/\.+$/, '');
    const family = isIP(host);
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      return [undefined, port].some((p) => addresses.get(p)?.check(host, type) === true);
    }
    return names.some(
      (rule) =>
        (rule.port === undefined || rule.port === port) && (host === rule.suffix || host.endsWith(`.${rule.suffix}`)),
    );
  };
};

/**
 * The proxy settings of `env`, or undefined when it names no proxy. Throws `invalid_input` when a
 * proxy variable holds something unusable (so a run fails at once with what to fix, instead of
 * going around the proxy or retrying a request that can never work).
 */
export const proxySettingsFromEnv = (env: Env): ProxySettings | undefined => {
  const https = read(env, ['https_proxy', 'HTTPS_PROXY']);
  const http = read(env, ['http_proxy', 'HTTP_PROXY']);
  if (https === undefined && http === undefined) return undefined;
  const noProxy = read(env, ['no_proxy', 'NO_PROXY']);
  return {
    ...(https !== undefined ? { https: parseProxyUrl(https.value, https.name) } : {}),
    ...(http !== undefined ? { http: parseProxyUrl(http.value, http.name) } : {}),
    bypass: noProxy === undefined ? () => false : parseNoProxy(noProxy.value),
  };
};

/** The proxy `url` goes through under `settings`, if any. */
export const proxyFor = (settings: ProxySettings | undefined, url: URL): ProxyServer | undefined => {
  if (settings === undefined) return undefined;
  const secure = url.protocol === 'https:';
  const proxy = secure ? settings.https : url.protocol === 'http:' ? settings.http : undefined;
  if (proxy === undefined) return undefined;
  const port = Number(url.port) || (secure ? 443 : 80);
  return settings.bypass(url.hostname, port) ? undefined : proxy;
};
