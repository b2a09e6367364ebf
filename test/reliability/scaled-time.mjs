// Preload (`node --import`) for the processes the real-scale profile spawns (the CLI, the Action
// bundle): their time runs `scale` times faster, in step with the fake API's scaled clock in the
// test process, so a ten-minute render takes 2.4 s at 250× and the product runs unchanged, with
// no knob of its own. `SV_SCALED_TIME` = JSON {scale, virtualStart, realStart}: virtual now =
// virtualStart + (real now − realStart) × scale, the same formula as the fake's clock (scale.ts:
// createScaledClock). Date (now and `new Date()`), setTimeout and setInterval follow it; Node's own
// socket timers (keep-alive) stay real, which only makes them longer.
//
// Why a scaled clock here and discrete events in process: discrete-event time moves the clock only
// when nothing is in flight, which in process is observable (the fake's busy requests, Node's
// pending I/O requests, timers set through the rig). A child's readiness is not: its timers,
// sockets, file writes and the toolkit's own HTTP to the GitHub fakes would all have to report to
// the test's scheduler over IPC, and a child that computes between two events would still look
// idle from outside. A scaled clock needs nothing from the child but Date and timers, keeps its
// code paths exactly as they run for users, and its error is bounded: every real millisecond of
// overhead costs `scale` ms of virtual time, so wall ÷ ideal reads slightly pessimistic (about
// 1.01 at 250× where the in-process faces read 1.003).
const spec = JSON.parse(process.env.SV_SCALED_TIME ?? 'null');
if (spec) {
  const { scale, virtualStart, realStart } = spec;
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const now = () => Math.floor(virtualStart + (realNow() - realStart) * scale);
  class ScaledDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = ScaledDate;
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  const shrink = (ms) => Math.max(0, (Number(ms) || 0) / scale);
  globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, shrink(ms), ...args);
  globalThis.setInterval = (fn, ms, ...args) => realSetInterval(fn, Math.max(1, shrink(ms)), ...args);
  // Children inherit NODE_OPTIONS; nothing else of this process changes.
}
