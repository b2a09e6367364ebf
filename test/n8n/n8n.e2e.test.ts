/**
 * The packed n8n-nodes-scenario-video tarball in a real n8n 2.41.1 (Node 24), headless, against the
 * fake Scenario API on 127.0.0.1: installed as a community package, a credential and two workflows
 * imported, `n8n execute` run for Generate → binary and Submit → Job Wait; the run data, the MP4s
 * n8n stored and the fake's hazard counters are checked.
 *
 * Node 24 and n8n are installed by test/n8n/setup.sh into a cache outside the repository (reused;
 * .ci/run warms it before the tests). Set SCENARIO_SKIP_N8N_E2E=1 to skip this file.
 */
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { PNG_BASE64, installPackage, n8nCommand, n8nEnv, prepareHost, skipRealN8n, type N8nHost } from './host.js';
import { CREDENTIAL, generateWorkflow, submitWaitWorkflow } from './workflows.js';

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

describe.skipIf(skipRealN8n)('n8n 2.41.1 with the packed community package', () => {
  let host: N8nHost;
  let home: string;
  let fake: FakeScenario;
  let images: http.Server;
  let imageUrl: string;
  let env: NodeJS.ProcessEnv;

  const n8n = (...args: string[]) => n8nCommand(host, env, args);

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
    host = await prepareHost();
    // One n8n (regular mode, SQLite, binary data on the filesystem) in its own user folder.
    home = join(host.home, 'n8n');
    await installPackage(host, home);

    fake = await startFakeScenario({ jobDurationMs: 2_500 });
    const png = Buffer.from(PNG_BASE64, 'base64');
    images = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    images.listen(0, '127.0.0.1');
    await once(images, 'listening');
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/frame.png`;
    env = await n8nEnv(host, home);

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
    if (host !== undefined) rmSync(host.home, { recursive: true, force: true });
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
