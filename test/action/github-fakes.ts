// Loopback stand-ins for the GitHub services the Action's toolkit clients talk to, so the real
// @actions/artifact, @actions/cache and @actions/github code runs end to end:
// - the Results service (Twirp JSON): ArtifactService (CreateArtifact, FinalizeArtifact, ListArtifacts with
//   its name and id filters, GetSignedArtifactURL, DeleteArtifact) and CacheService v2 (GetCacheEntryDownloadURL, CreateCacheEntry,
//   FinalizeCacheEntryUpload);
// - blob storage (Azure block blob, path style): Put Blob, Put Block + Put Block List, GET;
// - the REST API: issue comments (list, create, update).
// Everything listens on 127.0.0.1 and state survives between runs of the bundle (like GitHub's). Several
// jobs of one workflow run (a matrix, then a merge job) each get their own runtime token (`runtimeTokenFor`):
// the run's artifacts are shared, each artifact remembers the job that made it.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ArtifactRecord {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  version: number;
  mimeType: string | undefined;
  expiresAt: string | undefined;
  size: number | undefined;
  hash: string | undefined;
  finalized: boolean;
  bytes: Buffer | undefined;
}

export interface CacheRecord {
  id: number;
  key: string;
  version: string;
  createdAt: number;
  finalized: boolean;
  bytes: Buffer | undefined;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: { login: string };
}

export interface RequestLog {
  method: string;
  path: string;
  auth: string | undefined;
  body: string;
}

export interface GitHubFakes {
  /** `http://127.0.0.1:PORT` (ACTIONS_RESULTS_URL, origin of the blob URLs). */
  resultsUrl: string;
  /** `http://127.0.0.1:PORT/api` (GITHUB_API_URL). */
  apiUrl: string;
  /** A JWT-shaped runtime token whose `scp` names the run and job backend ids. */
  runtimeToken: string;
  /** The runtime token of another job of the same workflow run (a matrix job, a merge job). */
  runtimeTokenFor(jobBackendId: string): string;
  /** The GitHub token the REST fake accepts. */
  githubToken: string;
  artifacts: ArtifactRecord[];
  caches: CacheRecord[];
  comments: CommentRecord[];
  requests: RequestLog[];
  /** Blob bytes by blob path: what the clients uploaded. */
  blobs: Map<string, Buffer>;
  /** Forget artifacts (a new workflow run), keep caches and comments. */
  newRun(): void;
  close(): Promise<void>;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startGitHubFakes(
  options: { owner?: string; repo?: string; runBackendId?: string; jobBackendId?: string } = {},
): Promise<GitHubFakes> {
  const owner = options.owner ?? 'octo';
  const repo = options.repo ?? 'demo';
  const runBackendId = options.runBackendId ?? 'run-backend-0001';
  const jobBackendId = options.jobBackendId ?? 'job-backend-0001';
  const tokens = new Map<string, string>(); // token → its job backend id
  const runtimeTokenFor = (job: string) => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
      scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${job}`,
      exp: Math.floor(Date.now() / 1000) + 3600,
    })}.unsigned`;
    tokens.set(token, job);
    return token;
  };
  const runtimeToken = runtimeTokenFor(jobBackendId);
  const githubToken = `ghs_fake${randomBytes(12).toString('hex')}`;
  // The clients mask the SAS `sig`: a long random one never collides with other output.
  const sig = () => randomBytes(24).toString('hex');

  const artifacts: ArtifactRecord[] = [];
  const caches: CacheRecord[] = [];
  const comments: CommentRecord[] = [];
  const requests: RequestLog[] = [];
  const blobs = new Map<string, Buffer>();
  const blocks = new Map<string, Map<string, Buffer>>();
  let nextId = 1000;
  let origin = '';

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const twirpError = (res: http.ServerResponse, status: number, code: string, msg: string) =>
    json(res, status, { code, msg });

  const field = (body: Record<string, unknown>, snake: string) => {
    const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    return body[snake] ?? body[camel];
  };

  function artifactService(method: string, body: Record<string, unknown>, res: http.ServerResponse, caller: string) {
    const run = field(body, 'workflow_run_backend_id');
    const job = field(body, 'workflow_job_run_backend_id');
    // Lists and downloads see the whole run; an artifact is made (and deleted) by a job of the run.
    const anyJob = ['ListArtifacts', 'GetSignedArtifactURL', 'DeleteArtifact'].includes(method);
    if (run !== runBackendId || (!anyJob && job !== caller)) {
      return twirpError(res, 400, 'invalid_argument', 'unknown backend ids');
    }
    switch (method) {
      case 'CreateArtifact': {
        const name = String(body.name ?? '');
        if (name === '' || /[":<>|*?\r\n\\/]/.test(name)) return twirpError(res, 400, 'invalid_argument', 'bad name');
        if (artifacts.some((a) => a.name === name && a.runBackendId === run)) {
          return twirpError(
            res,
            409,
            'already_exists',
            'an artifact with this name already exists on the workflow run',
          );
        }
        const id = nextId++;
        artifacts.push({
          id,
          name,
          runBackendId: String(run),
          jobBackendId: String(job),
          version: Number(body.version),
          mimeType: field(body, 'mime_type') as string | undefined,
          expiresAt: field(body, 'expires_at') as string | undefined,
          size: undefined,
          hash: undefined,
          finalized: false,
          bytes: undefined,
        });
        return json(res, 200, {
          ok: true,
          signed_upload_url: `${origin}/devstoreaccount1/artifacts/${id}?sig=${sig()}`,
        });
      }
      case 'FinalizeArtifact': {
        const a = artifacts.find((x) => x.name === body.name && x.runBackendId === run && !x.finalized);
        if (!a) return twirpError(res, 404, 'not_found', 'no such artifact');
        const bytes = blobs.get(`/devstoreaccount1/artifacts/${a.id}`);
        if (!bytes) return twirpError(res, 400, 'failed_precondition', 'nothing uploaded');
        const size = Number(body.size);
        const hash = String(body.hash ?? '');
        if (size !== bytes.length) return twirpError(res, 400, 'invalid_argument', `size ${size} != ${bytes.length}`);
        if (hash !== `sha256:${createHash('sha256').update(bytes).digest('hex')}`) {
          return twirpError(res, 400, 'invalid_argument', 'hash mismatch');
        }
        Object.assign(a, { finalized: true, size, hash, bytes });
        return json(res, 200, { ok: true, artifact_id: String(a.id) });
      }
      case 'ListArtifacts': {
        const nameFilter = field(body, 'name_filter') as string | undefined;
        const idFilter = field(body, 'id_filter') as string | undefined;
        return json(res, 200, {
          artifacts: artifacts
            .filter((a) => a.finalized && a.runBackendId === run)
            .filter((a) => nameFilter === undefined || a.name === nameFilter)
            .filter((a) => idFilter === undefined || String(a.id) === String(idFilter))
            .map((a) => ({
              workflow_run_backend_id: a.runBackendId,
              workflow_job_run_backend_id: a.jobBackendId,
              database_id: String(a.id),
              name: a.name,
              size: String(a.size),
              created_at: new Date().toISOString(),
            })),
        });
      }
      case 'GetSignedArtifactURL': {
        const a = artifacts.find((x) => x.name === body.name && x.runBackendId === run && x.finalized);
        if (!a) return twirpError(res, 404, 'not_found', 'no such artifact');
        return json(res, 200, { signed_url: `${origin}/devstoreaccount1/artifacts/${a.id}?sig=${sig()}` });
      }
      case 'DeleteArtifact': {
        const i = artifacts.findIndex((x) => x.name === body.name && x.runBackendId === run && x.finalized);
        if (i < 0) return twirpError(res, 404, 'not_found', 'no such artifact');
        const [a] = artifacts.splice(i, 1);
        blobs.delete(`/devstoreaccount1/artifacts/${a!.id}`);
        return json(res, 200, { ok: true, artifact_id: String(a!.id) });
      }
      default:
        return twirpError(res, 404, 'bad_route', `no method ${method}`);
    }
  }

  function cacheService(method: string, body: Record<string, unknown>, res: http.ServerResponse) {
    const key = String(body.key ?? '');
    const version = String(body.version ?? '');
    switch (method) {
      case 'GetCacheEntryDownloadURL': {
        const ready = caches.filter((c) => c.finalized && c.version === version);
        const restoreKeys = (field(body, 'restore_keys') as string[] | undefined) ?? [];
        const newest = (list: CacheRecord[]) => list.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0];
        let hit = ready.find((c) => c.key === key);
        for (const prefix of [key, ...restoreKeys]) {
          if (hit) break;
          hit = newest(ready.filter((c) => c.key.startsWith(prefix)));
        }
        if (!hit) return json(res, 200, { ok: false, signed_download_url: '', matched_key: '' });
        return json(res, 200, {
          ok: true,
          signed_download_url: `${origin}/devstoreaccount1/caches/${hit.id}?sig=${sig()}`,
          matched_key: hit.key,
        });
      }
      case 'CreateCacheEntry': {
        if (caches.some((c) => c.key === key && c.version === version)) {
          return json(res, 200, { ok: false, signed_upload_url: '', message: 'cache entry already exists' });
        }
        const id = nextId++;
        caches.push({ id, key, version, createdAt: Date.now(), finalized: false, bytes: undefined });
        return json(res, 200, { ok: true, signed_upload_url: `${origin}/devstoreaccount1/caches/${id}?sig=${sig()}` });
      }
      case 'FinalizeCacheEntryUpload': {
        const c = caches.find((x) => x.key === key && x.version === version && !x.finalized);
        if (!c) return json(res, 200, { ok: false, entry_id: '0', message: 'no reservation' });
        const bytes = blobs.get(`/devstoreaccount1/caches/${c.id}`);
        if (!bytes || String(bytes.length) !== String(field(body, 'size_bytes'))) {
          return json(res, 200, { ok: false, entry_id: '0', message: 'size mismatch' });
        }
        Object.assign(c, { finalized: true, bytes, createdAt: Date.now() });
        return json(res, 200, { ok: true, entry_id: String(c.id) });
      }
      default:
        return twirpError(res, 404, 'bad_route', `no method ${method}`);
    }
  }

  function blob(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse) {
    if (!url.searchParams.get('sig')) return res.writeHead(403).end();
    if (req.headers.authorization) return res.writeHead(400).end('no Authorization on signed URLs');
    const key = url.pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const bytes = blobs.get(key);
      if (!bytes) return res.writeHead(404).end();
      // An artifact is served as what it was uploaded as (a zip, which the download client unzips).
      const artifact = artifacts.find((a) => key === `/devstoreaccount1/artifacts/${a.id}`);
      const type = artifact?.mimeType ?? 'application/octet-stream';
      res.writeHead(200, { 'content-length': bytes.length, 'content-type': type });
      return res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    if (req.method !== 'PUT') return res.writeHead(405).end();
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const id = url.searchParams.get('blockid') ?? '';
      if (!blocks.has(key)) blocks.set(key, new Map());
      blocks.get(key)!.set(id, body);
    } else if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
        (m) => m[1]!,
      );
      const stored = blocks.get(key) ?? new Map<string, Buffer>();
      const parts = ids.map((id) => stored.get(id));
      if (parts.some((p) => p === undefined)) return res.writeHead(400).end('InvalidBlockList');
      blobs.set(key, Buffer.concat(parts as Buffer[]));
      blocks.delete(key);
    } else if (comp === null) {
      blobs.set(key, body); // Put Blob (single shot)
    } else {
      return res.writeHead(400).end();
    }
    res.writeHead(201, { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'content-length': 0 });
    return res.end();
  }

  function rest(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse) {
    if (req.headers.authorization !== `token ${githubToken}` && req.headers.authorization !== `Bearer ${githubToken}`) {
      return json(res, 401, { message: 'Bad credentials' });
    }
    const path = url.pathname.replace(/^\/api/, '');
    const list = path.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/);
    const one = path.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/);
    if ((list && (list[1] !== owner || list[2] !== repo)) || (one && (one[1] !== owner || one[2] !== repo))) {
      return json(res, 404, { message: 'Not Found' });
    }
    const data = body.length > 0 ? (JSON.parse(body.toString('utf8')) as { body?: string }) : {};
    if (list && req.method === 'GET') {
      const n = Number(list[3]);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = comments.filter((c) => c.issueNumber === n);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) {
        headers.link = `<${origin}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      }
      const text = JSON.stringify(slice);
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      return res.end(text);
    }
    if (list && req.method === 'POST') {
      const c = {
        id: nextId++,
        issueNumber: Number(list[3]),
        body: String(data.body ?? ''),
        user: { login: 'github-actions[bot]' },
      };
      comments.push(c);
      return json(res, 201, c);
    }
    if (one && req.method === 'PATCH') {
      const c = comments.find((x) => x.id === Number(one[3]));
      if (!c) return json(res, 404, { message: 'Not Found' });
      c.body = String(data.body ?? '');
      return json(res, 200, c);
    }
    return json(res, 404, { message: 'Not Found' });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', origin);
      requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        auth: req.headers.authorization,
        body: url.pathname.startsWith('/devstoreaccount1/') ? `<${body.length} bytes>` : body.toString('utf8'),
      });
      try {
        const twirp = url.pathname.match(
          /^\/twirp\/github\.actions\.results\.api\.v1\.(ArtifactService|CacheService)\/(\w+)$/,
        );
        if (twirp) {
          if (req.method !== 'POST') return twirpError(res, 405, 'bad_route', 'POST only');
          const caller = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
          if (caller === undefined) return twirpError(res, 401, 'unauthenticated', 'bad token');
          const parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
          return twirp[1] === 'ArtifactService'
            ? artifactService(twirp[2]!, parsed, res, caller)
            : cacheService(twirp[2]!, parsed, res);
        }
        if (url.pathname.startsWith('/devstoreaccount1/')) return blob(req, url, body, res);
        if (url.pathname.startsWith('/api/')) return rest(req, url, body, res);
        return json(res, 404, { message: 'Not Found' });
      } catch (e) {
        return json(res, 500, { code: 'internal', msg: String(e) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    resultsUrl: `${origin}/`,
    apiUrl: `${origin}/api`,
    runtimeToken,
    runtimeTokenFor,
    githubToken,
    artifacts,
    caches,
    comments,
    requests,
    blobs,
    newRun() {
      artifacts.splice(0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
