export { startFakeScenario } from './server.js';
export { createManualClock, realClock } from './clock.js';
export { readFakeVideoIdentity, type FakeVideoIdentity } from './mp4.js';
export type * from './options.js';
