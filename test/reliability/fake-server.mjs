// The fake Scenario API on a manual clock, in a process of its own (from the build): the soak
// measures the memory of the batch renderer without the fake's own bookkeeping of 500 jobs in the
// same heap. Options come as JSON in argv[2]; the first stdout line is `{url, cdnUrl}`. The test
// moves the clock with POST /_fake/clock and reads the fake with GET /_fake/state.
import { createManualClock, startFakeScenario } from '../../packages/fake-api/dist/index.js';

const { start, ...options } = JSON.parse(process.argv[2] ?? '{}');
const fake = await startFakeScenario({ ...options, clock: createManualClock(start ?? 0) });
process.stdout.write(`${JSON.stringify({ url: fake.url, cdnUrl: fake.cdnUrl })}\n`);
const stop = () => fake.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Never outlive the test that started it.
process.stdin.on('end', stop);
process.stdin.resume();
