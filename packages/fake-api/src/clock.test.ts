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

describe('waiting on a manual clock', () => {
  it('at(t) resolves when a move reaches t, in order, and nextAt names the earliest', async () => {
    const c = createManualClock(0);
    const seen: string[] = [];
    void c.at(300).then(() => seen.push('300'));
    void c.at(100).then(() => seen.push('100'));
    expect(c.nextAt()).toBe(100);
    c.advance(99);
    await Promise.resolve();
    expect(seen).toEqual([]);
    c.advance(1);
    await Promise.resolve();
    expect(seen).toEqual(['100']);
    expect(c.nextAt()).toBe(300);
    c.set(1_000);
    await Promise.resolve();
    expect(seen).toEqual(['100', '300']);
    expect(c.nextAt()).toBeUndefined();
    await c.at(5); // already past: at once
  });
});
