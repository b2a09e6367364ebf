/**
 * The facts of docs/scenario-api.md the client relies on, checked THROUGH OUR CLIENT. The
 * live-safe part (read-only calls and dry runs, never a paid job, never an upload) runs against
 * the fake in `pnpm test` and against the real API in `pnpm test:live`. Each test names the fact
 * and its section of scenario-api.md.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioClient } from '../client.js';
import { JOB_STATUSES } from '../events.js';
import { ScenarioError } from '../errors.js';
import { WAN_MODEL_ID, WAN_PARAMS } from '../params.js';
import type { HttpPort } from '../ports.js';

export interface ContractContext {
  kind: 'fake' | 'live';
  client: ScenarioClient;
  /** The same API with wrong credentials. */
  badClient: ScenarioClient;
  /** The raw HTTP port (for a CDN byte check without credentials). */
  http: HttpPort;
  /** An image asset in the account, for dry runs (live: SCENARIO_CONTRACT_IMAGE_ASSET_ID). */
  imageAssetId?: string;
}

const isoDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

export const defineLiveSafeContract = (get: () => ContractContext, options: { imageAssetId?: boolean } = {}) => {
  describe('contract (live-safe): read-only calls and dry runs', () => {
    it('§Auth: HTTP Basic with key:secret is accepted (GET /jobs)', async () => {
      const list = await get().client.listJobs({ pageSize: 1 });
      expect(Array.isArray(list.jobs)).toBe(true);
    });

    it('§5: bad credentials answer 401 → unauthorized, not retried, no secret in the error', async () => {
      const err = await get()
        .badClient.listJobs({ pageSize: 1 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScenarioError);
      expect(err).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
      expect(get().client.baseUrl).toMatch(/\/v1$/);
    });

    it('§3: GET /jobs answers { jobs, nextPaginationToken? } honouring pageSize; jobs carry jobId, status, createdAt, metadata.input (ambiguous-submit recovery reads these)', async () => {
      const list = await get().client.listJobs({ pageSize: 2 });
      expect(list.jobs.length).toBeLessThanOrEqual(2);
      for (const job of list.jobs) {
        expect(job.jobId).toMatch(/^job_/);
        expect(JOB_STATUSES as readonly string[]).toContain(job.status);
        expect(isoDate(job.createdAt)).toBe(true);
        expect(Array.isArray(job.metadata.assetIds)).toBe(true);
        if (job.jobType === 'custom') expect(typeof job.metadata.input).toBe('object');
      }
      if (list.nextPaginationToken !== undefined) {
        const next = await get().client.listJobs({ pageSize: 2, paginationToken: list.nextPaginationToken });
        expect(Array.isArray(next.jobs)).toBe(true);
      }
    });

    it('§3: GET /jobs/{unknown} answers 404 → invalid_input, not retried', async () => {
      await expect(get().client.getJob('job_contractDoesNotExist0000')).rejects.toMatchObject({
        code: 'invalid_input',
        status: 404,
        retryable: false,
      });
    });

    it('§2: GET /assets/{unknown} answers 404 → invalid_input', async () => {
      await expect(get().client.getAsset('asset_contractDoesNotExist000')).rejects.toMatchObject({
        code: 'invalid_input',
        status: 404,
      });
    });

    it(`§4: GET /models/${WAN_MODEL_ID} declares the inputs and ranges of our parameter table`, async () => {
      const model = await get().client.getModel(WAN_MODEL_ID);
      const inputs = (Array.isArray(model.inputs) ? model.inputs : []) as Array<Record<string, unknown>>;
      const byName = new Map(inputs.map((i) => [i.name, i]));
      for (const name of ['prompt', 'image', 'lastFrameImage', ...Object.keys(WAN_PARAMS)]) {
        expect(byName.has(name), `input ${name}`).toBe(true);
      }
      for (const [name, spec] of Object.entries(WAN_PARAMS)) {
        const input = byName.get(name)!;
        if ('min' in spec) {
          if (input.min !== undefined) expect(input.min, `${name}.min`).toBe(spec.min);
          if (input.max !== undefined) expect(input.max, `${name}.max`).toBe(spec.max);
        }
        if (input.default !== undefined) expect(input.default, `${name}.default`).toBe(spec.default);
      }
    });

    it.skipIf(options.imageAssetId === false)(
      '§4: a dry run (?dryRun=true in the query) answers 269 with creativeUnitsCost and creates no job',
      async () => {
        const { client, imageAssetId } = get();
        const before = await client.listJobs({ pageSize: 5 });
        const quote = await client.estimateCost({
          params: { prompt: 'contract dry run, never rendered', image: imageAssetId! },
        });
        expect(typeof quote.creativeUnitsCost).toBe('number');
        expect(quote.creativeUnitsCost).toBeGreaterThanOrEqual(0);
        const after = await client.listJobs({ pageSize: 5 });
        expect(after.jobs[0]?.jobId).toBe(before.jobs[0]?.jobId);
      },
    );

    it('§2: a finished job names its outputs in metadata.assetIds; asset.url is signed, on another origin, and serves bytes without credentials', async () => {
      const { client, http } = get();
      const done = await client.listJobs({ pageSize: 10, status: 'success' });
      const job = done.jobs.find((j) => j.metadata.assetIds.length > 0);
      if (job === undefined) return; // nothing to look at in this account yet
      const asset = await client.getAsset(job.metadata.assetIds[0]!);
      expect(typeof asset.url).toBe('string');
      const url = new URL(asset.url!);
      expect(url.origin).not.toBe(new URL(client.baseUrl).origin);
      expect([...url.searchParams.keys()].length).toBeGreaterThan(0);
      const res = await http.request({ method: 'GET', url: asset.url!, auth: false, headers: { range: 'bytes=0-15' } });
      expect([200, 206]).toContain(res.status);
      let got = 0;
      for await (const chunk of res.body) {
        got += chunk.length;
        if (got >= 16) break;
      }
      expect(got).toBeGreaterThan(0);
    });
  });
};
