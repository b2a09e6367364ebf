// Preload (`node --import`) for the processes the real-scale profile spawns (the CLI, the Action
// bundle): their time runs `scale` times faster, in step with the fake API's scaled clock in the
// test process, so a ten-minute render takes 600 ms / (scale / 1000) of real time and the product
// runs unchanged (no knob of its own). `SV_SCALED_TIME` = JSON {scale, virtualStart, realStart}:
// virtual now = virtualStart + (real now - realStart) × scale, the same formula as the fake's
// clock (scale.ts: createScaledClock). Date (now and `new Date()`), setTimeout and setInterval
// follow it; Node's own socket timers (keep-alive) stay real, which only makes them longer.
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
