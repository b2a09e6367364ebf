import { describe, expect, it } from 'vitest';
import { wantsColor } from './colors.js';

describe('wantsColor', () => {
  it('colours a terminal, not a pipe, whatever CI says', () => {
    expect(wantsColor({ TERM: 'xterm' }, { isTTY: true })).toBe(true);
    expect(wantsColor({ CI: 'true' }, { isTTY: false })).toBe(false);
    expect(wantsColor({ CI: 'true' }, {})).toBe(false);
  });

  it('honours NO_COLOR, FORCE_COLOR and a dumb terminal', () => {
    expect(wantsColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, { isTTY: true })).toBe(false);
    expect(wantsColor({ FORCE_COLOR: '1' }, { isTTY: false })).toBe(true);
    expect(wantsColor({ TERM: 'dumb' }, { isTTY: true })).toBe(false);
  });
});
