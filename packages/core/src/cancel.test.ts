import { afterEach, describe, expect, it } from 'vitest';
import { FRAME_PNG, startHarness, type Harness } from './testing/fake.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const submit = async () => {
  const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' });
  return h.client.submit({ params: { prompt: 'stop me', image: assetId } });
};

describe('cancelJob', () => {
  it('reports the refusal of a generation job (400 "Cannot cancel this type of job") instead of throwing', async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    const handle = await submit();
    const result = await h.client.cancelJob(handle.jobId);
    expect(result).toMatchObject({ canceled: false, jobId: handle.jobId, status: 400 });
    expect(result.canceled === false && result.reason).toMatch(/Cannot cancel this type of job/);
    expect((await h.client.waitForJob(handle)).status).toBe('success');
  });

  it('an accepted cancel is acknowledged, and waiting then ends in job_canceled', async () => {
    h = await startHarness({ jobDurationMs: 60_000, cancelableJobTypes: ['custom', 'inference'] });
    const handle = await submit();
    const result = await h.client.cancelJob(handle.jobId);
    expect(result.canceled).toBe(true);
    await expect(h.client.waitForJob(handle)).rejects.toMatchObject({ code: 'job_canceled', jobId: handle.jobId });
  });

  it('an unknown job is a refusal too', async () => {
    h = await startHarness();
    expect(await h.client.cancelJob('job_unknown')).toMatchObject({ canceled: false, status: 404 });
  });
});
