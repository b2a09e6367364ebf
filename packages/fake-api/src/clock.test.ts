import { describe, expect, it } from 'vitest';
import { createManualClock, isManualClock, realClock } from './clock.js';

describe('clocks', () => {
  it('a manual clock only moves when told', () => {
    const c = createManualClock(1_000);
    expect(c.now()).toBe(1_000);
    c.advance(250);
    expect(c.now()).toBe(1_250);
    c.set(10);
    expect(c.now()).toBe(10);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => c.advance(Number.NaN)).toThrow(RangeError);
    expect(isManualClock(c)).toBe(true);
  });

  it('the real clock is Date.now and is not manual', () => {
    const before = Date.now();
    expect(realClock.now()).toBeGreaterThanOrEqual(before);
    expect(isManualClock(realClock)).toBe(false);
  });
});
