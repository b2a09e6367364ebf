/**
 * The packed node in n8n 2.41.1 as production runs it: queue mode, one main instance and two
 * workers (`n8n worker --concurrency=2`), Redis for the queue and PostgreSQL for the database
 * (Debian's packages, started on 127.0.0.1 by this file, see services.ts), binary data in the
 * database (n8n 2's default in queue mode), the package in the nodes folder of every instance.
 * Against the fake Scenario API on 127.0.0.1, with three teams; the tests run concurrently:
 *
 * - Team A (limit 2 running jobs): four Generate executions started at once through a webhook.
 *   They land on both workers; each answers with its MP4, read back from the binary store by a
 *   following node (a hash) and by Respond to Webhook; no input is paid twice; both workers
 *   compete for the team's 2 slots and every execution still delivers.
 * - Team B: examples/n8n/scenario-video-long-render.json as shipped (trigger swapped for a
 *   webhook), with a render of 120 s, longer than its 70 s Wait: the execution is offloaded to the
 *   database while it waits, resumed by a worker, loops once and downloads. The same template
 *   with its bound set to 2 checks on a job that never ends stops with an error naming the job.
 * - Team C, on a second fake whose teams may run 1 job at once (issue 14): one execution whose 3
 *   items (Max Concurrent Jobs 3) each render for 95 s, so the queue for the slot outlasts three
 *   minutes: every item is delivered, each input paid once, one job running at a time.
 *
 * Prints how many executions each worker ran. Set SCENARIO_SKIP_N8N_E2E=1 to skip this file.
 * About 6-7 minutes (1-2 to set up, then three 95 s renders in a row), nearly all of it waiting.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import {
  PNG_BASE64,
  installPackage,
  n8nCommand,
  n8nEnv,
  prepareHost,
  repo,
  skipRealN8n,
  startN8n,
  waitForHttp,
  type N8nHost,
  type N8nProcess,
} from './host.js';
import { freePort, startPostgres, startRedis, waitUntil, type Postgres, type Service } from './services.js';
import { longRenderWorkflow, queueGenerateWorkflow, teamLimitWorkflow } from './workflows.js';

const TEAM_A = { apiKey: 'queue-team-a-key', apiSecret: 'queue-team-a-secret', teamId: 'team_queue_a' };
const TEAM_B = { apiKey: 'queue-team-b-key', apiSecret: 'queue-team-b-secret', teamId: 'team_queue_b' };
/** On a second fake whose teams may run 1 job at a time (issue 14). */
const TEAM_C = { apiKey: 'queue-team-c-key', apiSecret: 'queue-team-c-secret', teamId: 'team_queue_c' };
const CRED_A = { id: 'scenarioQueueA01', name: 'Scenario team A (fake API)' };
const CRED_B = { id: 'scenarioQueueB01', name: 'Scenario team B (fake API)' };
const CRED_C = { id: 'scenarioQueueC01', name: 'Scenario team C (fake API, limit 1)' };
const TEAM_LIMIT = 2;
const EXECUTIONS = 4;
const RENDER_MS = 6_000;
const LONG_RENDER_MS = 120_000; // looked at ~71 s (not done, 49 s to spare) and ~142 s (done)
const VIDEO_BYTES = 3_000_000;
const QUEUED_ITEMS = 3;
const QUEUED_RENDER_MS = 95_000;
const NO_HAZARDS = { authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 };

const queuedPrompts = Array.from({ length: QUEUED_ITEMS }, (_, i) => `Queued item ${i + 1}: rain on a tin roof`);

describe.skipIf(skipRealN8n)('n8n 2.41.1 in queue mode: main + 2 workers, Redis, PostgreSQL', () => {
  let host: N8nHost;
  let redis: Service | undefined;
  let pg: Postgres | undefined;
  let fake: FakeScenario | undefined;
  let fakeLimit1: FakeScenario | undefined;
  let images: http.Server | undefined;
  let imageUrl: string;
  let main: N8nProcess | undefined;
  const workers: N8nProcess[] = [];
  let webhookBase: string;
  let template: Parameters<typeof longRenderWorkflow>[0];

  /** What n8n said last, printed when a test fails (the instances' logs go with their temp folder). */
  const printLogs = () => {
    for (const [name, proc] of [['main', main], ...workers.map((w, i) => [`worker-${i + 1}`, w] as const)] as const) {
      console.log(`--- ${name}.log, last lines:\n${proc?.log().slice(-3000) ?? '(not started)'}`);
    }
  };

  /** Execution ids each worker started (a resumed execution is started again: counted once per start). */
  const startedBy = () =>
    workers.map((w) => [...w.log().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]!));

  beforeAll(async () => {
    const setUpSince = Date.now();
    host = await prepareHost();
    [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
    fake = await startFakeScenario({
      credentials: [TEAM_A, TEAM_B],
      teamConcurrencyLimit: TEAM_LIMIT,
      jobDurationMs: RENDER_MS,
      videoBytes: VIDEO_BYTES,
      outcomes: [
        { outcome: 'success', promptIncludes: 'long render', durationMs: LONG_RENDER_MS },
        { outcome: 'never', promptIncludes: 'never ends' },
      ],
    });
    fakeLimit1 = await startFakeScenario({
      credentials: [TEAM_C],
      teamConcurrencyLimit: 1,
      jobDurationMs: QUEUED_RENDER_MS,
      videoBytes: 200_000,
    });
    const png = Buffer.from(PNG_BASE64, 'base64');
    images = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    images.listen(0, '127.0.0.1');
    await once(images, 'listening');
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/frame.png`;

    // What every instance shares: the queue, the database, the encryption key (n8nEnv).
    const shared = {
      EXECUTIONS_MODE: 'queue',
      QUEUE_BULL_REDIS_HOST: '127.0.0.1',
      QUEUE_BULL_REDIS_PORT: String(redis.port),
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: '127.0.0.1',
      DB_POSTGRESDB_PORT: String(pg.port),
      DB_POSTGRESDB_USER: pg.user,
      DB_POSTGRESDB_DATABASE: pg.database,
      DB_POSTGRESDB_PASSWORD: '',
    };
    const mainFolder = join(host.home, 'main');
    await installPackage(host, mainFolder);
    const mainPort = await freePort();
    const mainEnv = await n8nEnv(host, mainFolder, {
      ...shared,
      N8N_PORT: String(mainPort),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
    });
    webhookBase = `http://127.0.0.1:${mainPort}/webhook`;

    // Credentials and workflows go into the shared database before anything starts (the first
    // command also creates n8n's tables).
    const files = join(host.home, 'import');
    mkdirSync(join(files, 'workflows'), { recursive: true });
    const credential = (c: typeof CRED_A, team: typeof TEAM_A, api: FakeScenario) => ({
      ...c,
      type: 'scenarioApi',
      data: { apiKey: team.apiKey, apiSecret: team.apiSecret, baseUrl: api.url },
    });
    writeFileSync(
      join(files, 'credentials.json'),
      JSON.stringify([
        credential(CRED_A, TEAM_A, fake),
        credential(CRED_B, TEAM_B, fake),
        credential(CRED_C, TEAM_C, fakeLimit1),
      ]),
    );
    template = JSON.parse(
      readFileSync(join(repo, 'examples/n8n/scenario-video-long-render.json'), 'utf8'),
    ) as typeof template;
    const workflows = {
      generate: queueGenerateWorkflow(imageUrl, CRED_A),
      long: longRenderWorkflow(template, {
        id: 'scnLongRender001',
        path: 'scenario-long-render',
        prompt: 'A long render: the tide comes in over the sand',
        imageUrl,
        credential: CRED_B,
      }),
      bound: longRenderWorkflow(template, {
        id: 'scnLongBound0001',
        path: 'scenario-long-bound',
        prompt: 'A render that never ends: fog over the moor',
        imageUrl,
        credential: CRED_B,
        checks: 2,
      }),
      teamLimit: teamLimitWorkflow(imageUrl, CRED_C, queuedPrompts),
    };
    for (const [name, workflow] of Object.entries(workflows)) {
      writeFileSync(join(files, 'workflows', `${name}.json`), JSON.stringify(workflow));
    }
    const creds = await n8nCommand(host, mainEnv, ['import:credentials', `--input=${join(files, 'credentials.json')}`]);
    if (creds.exitCode !== 0) throw new Error(`import:credentials failed\n${creds.stdout}${creds.stderr}`);
    const imported = await n8nCommand(host, mainEnv, [
      'import:workflow',
      '--separate',
      `--input=${join(files, 'workflows')}`,
    ]);
    if (imported.exitCode !== 0) throw new Error(`import:workflow failed\n${imported.stdout}${imported.stderr}`);
    // Published (n8n 2's "active") before the main instance starts, so it registers their webhooks.
    // This is what `n8n publish:workflow --id=<id>` does (WorkflowRepository.publishVersion: the
    // current version becomes the active one), for all of them in one statement instead of one n8n
    // start-up each, which costs a busy 2-core machine most of a minute.
    const ids = Object.values(workflows).map((w) => `'${w.id}'`);
    await pg.query(
      `update workflow_entity set active = true, "activeVersionId" = "versionId" where id in (${ids.join(', ')})`,
    );
    const published = await pg.query(
      `select count(*) from workflow_entity w join workflow_history h on h."versionId" = w."activeVersionId" where w.id in (${ids.join(', ')})`,
    );
    if (published[0]?.[0] !== String(ids.length))
      throw new Error(`published ${published[0]?.[0]} of ${ids.length} workflows`);

    main = startN8n(host, 'main', mainEnv, ['start']);
    // Each instance's readiness endpoint, as an orchestrator would probe it.
    const ready = [waitForHttp('n8n main', `http://127.0.0.1:${mainPort}/healthz/readiness`, 240_000, main)];
    for (const i of [1, 2]) {
      const folder = join(host.home, `worker-${i}`);
      await installPackage(host, folder);
      const healthPort = await freePort();
      const env = await n8nEnv(host, folder, {
        ...shared,
        QUEUE_HEALTH_CHECK_ACTIVE: 'true',
        QUEUE_HEALTH_CHECK_PORT: String(healthPort),
        N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
      });
      const worker = startN8n(host, `worker-${i}`, env, ['worker', '--concurrency=2']);
      workers.push(worker);
      ready.push(waitForHttp(`worker ${i}`, `http://127.0.0.1:${healthPort}/healthz/readiness`, 240_000, worker));
    }
    await Promise.all(ready);
    // n8n 2 publishes workflows in the background (a reconciler, every 10 s): their production
    // webhooks answer once n8n has stored them.
    const paths = ['scenario-queue-generate', 'scenario-long-render', 'scenario-long-bound', 'scenario-team-limit'];
    await waitUntil(
      'the webhooks of the published workflows',
      async () => (await pg!.query('select "webhookPath" from webhook_entity')).length >= paths.length,
      120_000,
      main.child,
      () => main!.log().slice(-4000),
    );
    console.log(
      `queue mode: Redis, PostgreSQL, n8n main and 2 workers up in ${Math.round((Date.now() - setUpSince) / 1000)} s`,
    );
  }, 600_000);

  afterAll(async () => {
    const started = startedBy();
    if (started.length > 0) {
      console.log(
        `queue mode: executions per worker: ${started.map((ids, i) => `worker-${i + 1} ran ${new Set(ids).size} (${ids.length} starts)`).join(', ')}`,
      );
    }
    await Promise.allSettled([main?.stop(), ...workers.map((w) => w.stop())]);
    await Promise.allSettled([redis?.stop(), pg?.stop(), fake?.close(), fakeLimit1?.close()]);
    images?.close();
    if (host?.home !== undefined) rmSync(host.home, { recursive: true, force: true });
  });

  it.concurrent(
    'Generate executions started at once run on both workers; each delivers its own MP4, paid once, within the team limit',
    async ({ expect, onTestFailed }) => {
      onTestFailed(printLogs);
      const prompts = Array.from({ length: EXECUTIONS }, (_, i) => `Queue render ${i + 1}: a kite over the dunes`);
      const responses = await Promise.all(
        prompts.map(async (prompt) => {
          const res = await fetch(`${webhookBase}/scenario-queue-generate`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ prompt }),
            signal: AbortSignal.timeout(240_000),
          });
          return { prompt, res, body: Buffer.from(await res.arrayBuffer()) };
        }),
      );

      const jobIds: string[] = [];
      const executionIds: string[] = [];
      for (const { prompt, res, body } of responses) {
        expect(res.status, body.toString('utf8').slice(0, 500)).toBe(200);
        expect(res.headers.get('content-type')).toBe('video/mp4');
        const jobId = res.headers.get('x-job-id')!;
        expect(jobId).toMatch(/^job_/);
        // The bytes: this job's video, whole, and the very bytes the hash node read from the store.
        expect(body.length).toBeGreaterThanOrEqual(VIDEO_BYTES);
        expect(body.length).toBe(Number(res.headers.get('x-video-bytes')));
        expect(createHash('sha256').update(body).digest('hex')).toBe(res.headers.get('x-sha256'));
        const identity = readFakeVideoIdentity(body);
        expect(identity?.jobId).toBe(jobId);
        expect(identity?.input.prompt).toBe(prompt);
        jobIds.push(jobId);
        executionIds.push(res.headers.get('x-execution-id')!);
      }
      expect(new Set(jobIds).size).toBe(EXECUTIONS);

      // Both workers ran some of them.
      const started = startedBy();
      const perWorker = started.map((ids) => executionIds.filter((id) => ids.includes(id)).length);
      console.log(
        `queue mode: ${EXECUTIONS} Generate executions at once: ${perWorker.map((n, i) => `worker-${i + 1} ran ${n}`).join(', ')}`,
      );
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(EXECUTIONS);
      for (const n of perWorker) expect(n).toBeGreaterThan(0);

      // Paid once per input, and never more than the team's limit running at once.
      const state = fake!.state();
      const teamA = state.submissions.filter((s) => !s.dryRun && s.teamId === TEAM_A.teamId);
      const paid = teamA.filter((s) => s.jobId !== undefined);
      expect(paid.map((s) => s.input.prompt).sort()).toEqual([...prompts].sort());
      expect(paid.map((s) => s.jobId).sort()).toEqual([...jobIds].sort());
      const refused = teamA.filter((s) => s.status === 429).length;
      let peak = 0;
      for (const s of paid) {
        peak = Math.max(peak, paid.filter((o) => o.at <= s.at && s.at < o.at + RENDER_MS).length);
      }
      console.log(
        `queue mode: ${paid.length} paid submits for ${EXECUTIONS} inputs, ${refused} refused at the team limit (${TEAM_LIMIT}), peak ${peak} running`,
      );
      expect(peak).toBeLessThanOrEqual(TEAM_LIMIT);
      expect(state.hazards).toEqual(NO_HAZARDS);
    },
    420_000,
  );

  /** Polls the execution of a workflow until it ends; the statuses it went through on the way. */
  const followExecution = async (workflowId: string, ms: number) => {
    const seen = new Set<string>();
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const rows = await pg!.query(
        `select id, status from execution_entity where "workflowId" = '${workflowId}' order by id`,
      );
      const [row] = rows;
      if (row !== undefined) {
        seen.add(row[1]!);
        if (['success', 'error', 'crashed', 'canceled'].includes(row[1]!))
          return { id: row[0]!, status: row[1]!, seen };
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`the execution of ${workflowId} did not end within ${ms / 1000} s (saw ${[...seen].join(', ')})`);
  };

  /** An execution's run data, as n8n stores it (flatted JSON). */
  const runData = async (executionId: string) => {
    const [[text]] = (await pg!.query(`select data from execution_data where "executionId" = ${executionId}`)) as [
      [string],
    ];
    const { parse } = createRequire(join(host.cache, 'n8n/node_modules/n8n/package.json'))('flatted') as {
      parse: (text: string) => unknown;
    };
    return (
      parse(text) as {
        resultData: {
          error?: { message?: string };
          runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> } }>>;
        };
      }
    ).resultData;
  };

  it.concurrent(
    'the long-render template: offloaded while it waits, resumed on a worker, loops until done, downloads the MP4',
    async ({ expect, onTestFailed }) => {
      onTestFailed(printLogs);
      const res = await fetch(`${webhookBase}/scenario-long-render`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      });
      expect(res.status).toBe(200);
      const execution = await followExecution('scnLongRender001', 360_000);
      const data = await runData(execution.id);
      expect(execution.status, data.error?.message).toBe('success');
      // It waited in the database (offloaded, no worker held), then was resumed by a worker.
      expect(execution.seen.has('waiting')).toBe(true);
      const starts = startedBy()
        .flat()
        .filter((id) => id === execution.id).length;
      expect(starts).toBeGreaterThanOrEqual(3); // started, resumed after each Wait

      // The render (120 s) outlasted the first Wait (70 s): Get Job said not done, Checks Left? looped
      // back to the Wait, and the next Get Job said done.
      const gets = data.runData['Get Job']!.map((r) => r.data!.main[0]!.map((i) => i.json)[0]!);
      expect(gets.length).toBeGreaterThanOrEqual(2);
      expect(gets.map((j) => j.done)).toEqual([...gets.slice(1).map(() => false), true]);
      expect(gets[0]!.nextWaitSeconds).toBeGreaterThan(0);
      const jobId = gets.at(-1)!.jobId as string;
      expect(gets.every((j) => j.jobId === jobId)).toBe(true);
      expect(data.runData['Checks Left?']).toHaveLength(gets.length - 1);
      const downloaded = data.runData['Download Video']![0]!.data!.main[0]![0]!.json;
      expect(downloaded).toMatchObject({ jobId, status: 'success' });

      // The MP4 is in n8n's binary store (the database, in queue mode): this job's, whole.
      const rows = await pg!.query(
        `select "fileName", "fileSize", encode(data, 'hex') from binary_data where "sourceId" = '${execution.id}' and "mimeType" = 'video/mp4'`,
      );
      expect(rows).toHaveLength(1);
      const [fileName, fileSize, hex] = rows[0]!;
      const bytes = Buffer.from(hex!, 'hex');
      expect(fileName).toBe(`${jobId}.mp4`);
      expect(bytes.length).toBe(Number(fileSize));
      expect(bytes.length).toBeGreaterThanOrEqual(VIDEO_BYTES);
      expect(readFakeVideoIdentity(bytes)?.jobId).toBe(jobId);

      const paid = fake!.state().submissions.filter((s) => !s.dryRun && s.jobId !== undefined);
      expect(paid.filter((s) => String(s.input.prompt).includes('long render'))).toHaveLength(1);
    },
    420_000,
  );

  it.concurrent(
    'the long-render template stops at its bound of checks with an error naming the job, which it paid once',
    async ({ expect, onTestFailed }) => {
      onTestFailed(printLogs);
      const res = await fetch(`${webhookBase}/scenario-long-bound`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      });
      expect(res.status).toBe(200);
      const execution = await followExecution('scnLongBound0001', 360_000);
      expect(execution.status).toBe('error');
      const data = await runData(execution.id);
      const gets = data.runData['Get Job']!.map((r) => r.data!.main[0]![0]!.json);
      expect(gets.map((j) => j.done)).toEqual([false, false]);
      const jobId = gets[0]!.jobId as string;
      expect(data.error?.message).toContain(`Job ${jobId} is still in-progress`);
      expect(data.runData['Download Video']).toBeUndefined();
      const paid = fake!.state().submissions.filter((s) => !s.dryRun && s.jobId !== undefined);
      expect(paid.filter((s) => String(s.input.prompt).includes('never ends'))).toHaveLength(1);
    },
    420_000,
  );

  it.concurrent(
    `more items than the team may run (${QUEUED_ITEMS} items, limit 1, renders of ${QUEUED_RENDER_MS / 1000} s): every item is delivered, each paid once`,
    async ({ expect, onTestFailed }) => {
      onTestFailed(printLogs);
      const started = Date.now();
      const res = await fetch(`${webhookBase}/scenario-team-limit`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      });
      expect(res.status).toBe(200);
      const execution = await followExecution('scnTeamLimit0001', 660_000);
      const data = await runData(execution.id);
      const state = fakeLimit1!.state();
      const submits = state.submissions.filter((s) => !s.dryRun);
      const paid = submits.filter((s) => s.jobId !== undefined);
      console.log(
        `team limit 1: ${QUEUED_ITEMS} items of ${QUEUED_RENDER_MS / 1000} s: ${execution.status} after ${Math.round((Date.now() - started) / 1000)} s, ${paid.length} paid submits, ${submits.length - paid.length} refused`,
      );
      expect(execution.status, data.error?.message).toBe('success');
      const items = data.runData['Generate Video']![0]!.data!.main[0]!.map((i) => i.json);
      expect(items).toHaveLength(QUEUED_ITEMS);
      const jobIds = items.map((j) => j.jobId as string);
      expect(new Set(jobIds).size).toBe(QUEUED_ITEMS);
      for (const item of items) expect(item.status).toBe('success');

      const rows = await pg!.query(
        `select "fileName", encode(data, 'hex') from binary_data where "sourceId" = '${execution.id}' and "mimeType" = 'video/mp4'`,
      );
      expect(rows.map(([fileName]) => fileName).sort()).toEqual(jobIds.map((id) => `${id}.mp4`).sort());
      for (const [fileName, hex] of rows) {
        const identity = readFakeVideoIdentity(Buffer.from(hex!, 'hex'));
        expect(`${identity?.jobId}.mp4`).toBe(fileName);
      }
      // Each prompt paid once, one job at a time.
      expect(paid.map((s) => s.input.prompt).sort()).toEqual([...queuedPrompts].sort());
      for (const s of paid) {
        expect(paid.filter((o) => o.at <= s.at && s.at < o.at + QUEUED_RENDER_MS)).toHaveLength(1);
      }
      expect(state.hazards).toEqual(NO_HAZARDS);
    },
    720_000,
  );
});
