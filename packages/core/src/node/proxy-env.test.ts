import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../errors.js';
import { parseNoProxy, parseProxyUrl, proxyFor, proxySettingsFromEnv } from './proxy-env.js';

const via = (env: Record<string, string>, url: string) => proxyFor(proxySettingsFromEnv(env), new URL(url))?.name;

describe('proxy settings from the environment', () => {
  it('uses HTTPS_PROXY for https URLs and HTTP_PROXY for http URLs, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://secure.proxy:3128', HTTP_PROXY: 'plain.proxy:8080' };
    expect(via(env, 'https://api.cloud.scenario.com/v1/jobs')).toBe('secure.proxy:3128');
    expect(via(env, 'http://example.com/a.mp4')).toBe('plain.proxy:8080');
    expect(via({ ...env, https_proxy: 'http://lower:1' }, 'https://x.com/')).toBe('lower:1');
    expect(via({ ...env, http_proxy: 'http://lower:2' }, 'http://x.com/')).toBe('lower:2');
    // An empty lower-case variable means no proxy, as in curl.
    expect(via({ ...env, https_proxy: '' }, 'https://x.com/')).toBeUndefined();
    expect(via({ HTTP_PROXY: 'http://p:1' }, 'https://x.com/')).toBeUndefined();
    expect(proxySettingsFromEnv({ PATH: '/bin' })).toBeUndefined();
  });

  it('reads the port (80 or 443 by default) and the credentials, which only the Proxy-Authorization value holds', () => {
    expect(parseProxyUrl('http://proxy.corp', 'HTTPS_PROXY')).toEqual({
      secure: false,
      host: 'proxy.corp',
      port: 80,
      name: 'proxy.corp:80',
    });
    const withUser = parseProxyUrl('https://us%40er:p%3Ass@[::1]:8443/', 'HTTPS_PROXY');
    expect(withUser).toEqual({
      secure: true,
      host: '::1',
      port: 8443,
      name: '[::1]:8443',
      authorization: `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`,
    });
  });

  it('refuses a proxy it cannot use, naming the variable and never its value', () => {
    for (const value of ['socks5://user:hunter2@proxy:1080', 'http://user:hunter2@', 'http://[bad']) {
      let error: unknown;
      try {
        proxySettingsFromEnv({ HTTPS_PROXY: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      expect(error).toMatchObject({ code: 'invalid_input', details: { variable: 'HTTPS_PROXY' } });
      expect((error as Error).message).toMatch(/^HTTPS_PROXY is not a proxy this tool can use/);
      expect(JSON.stringify(error) + (error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('NO_PROXY, matched as curl matches it', () => {
  const cases: Array<[list: string, host: string, port: number, bypassed: boolean]> = [
    ['*', 'anything.example', 443, true],
    ['example.com', 'example.com', 443, true],
    ['example.com', 'api.example.com', 443, true],
    ['example.com', 'notexample.com', 443, false],
    ['.example.com', 'example.com', 443, true],
    ['.example.com', 'cdn.example.com', 443, true],
    ['*.example.com', 'cdn.example.com', 443, true],
    ['EXAMPLE.com.', 'Api.Example.COM.', 443, true],
    ['other.org, example.com', 'example.com', 443, true],
    ['other.org example.com', 'example.com', 443, true],
    ['other.org,,\texample.com', 'example.com', 443, true],
    ['com.example', 'example.com', 443, false],
    // Ports (an extension to curl, as Go and undici read NO_PROXY): only that port.
    ['example.com:8443', 'example.com', 8443, true],
    ['example.com:8443', 'example.com', 443, false],
    // Addresses match addresses, never names, and never by suffix.
    ['127.0.0.1', '127.0.0.1', 80, true],
    ['127.0.0.1', 'localhost', 80, false],
    ['localhost', '127.0.0.1', 80, false],
    ['0.0.1', '127.0.0.1', 80, false],
    ['127.0.0.1:9000', '127.0.0.1', 9000, true],
    ['127.0.0.1:9000', '127.0.0.1', 9001, false],
    ['10.0.0.0/8', '10.20.30.40', 443, true],
    ['10.0.0.0/8', '11.0.0.1', 443, false],
    ['192.168.1.0/24', '192.168.1.200', 443, true],
    ['192.168.1.0/24', '192.168.2.1', 443, false],
    ['10.0.0.0/33', '10.0.0.1', 443, false],
    ['::1', '[::1]', 443, true],
    ['[::1]', '::1', 443, true],
    ['[::1]:8080', '[::1]', 8080, true],
    ['[::1]:8080', '[::1]', 8081, false],
    ['fd00::/8', '[fd12:3456::1]', 443, true],
    ['fd00::/8', '[fe80::1]', 443, false],
    ['', 'example.com', 443, false],
  ];
  it.each(cases)('%j against %s:%d → bypass %s', (list, host, port, bypassed) => {
    expect(parseNoProxy(list)(host, port)).toBe(bypassed);
  });

  it('applies to both schemes, with the default port of each', () => {
    const env = { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: 'cdn.test:443,api.test' };
    expect(via(env, 'https://cdn.test/a.mp4')).toBeUndefined();
    expect(via(env, 'http://cdn.test/a.mp4')).toBe('p:1');
    expect(via(env, 'http://api.test:9000/v1')).toBeUndefined();
    expect(via({ ...env, no_proxy: 'other.test' }, 'http://api.test/v1')).toBe('p:1');
  });
});
