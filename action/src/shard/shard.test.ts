import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardArtifactName, shardConcurrency, shardOf } from './shard.js';

describe('parseShard', () => {
  it('reads "i/n" as users write it, and nothing for an empty value', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard('256/256')).toEqual({ index: 256, count: 256 });
    expect(parseShard('')).toBeUndefined();
  });

  it('names what is wrong with a bad value', () => {
    expect(() => parseShard('0/3')).toThrow('part must be from 1 to 3: shards are numbered 1/3 to 3/3 (got "0/3")');
    expect(() => parseShard('4/3')).toThrow('part must be from 1 to 3');
    expect(() => parseShard('x')).toThrow(
      'must be "i/n": this job\'s part and the number of parts, e.g. "2/4" (got "x")',
    );
    expect(() => parseShard('2')).toThrow('must be "i/n"');
    expect(() => parseShard('1/0')).toThrow('must have 1 to 256 parts');
    expect(() => parseShard('1/257')).toThrow('as a matrix has at most 256 jobs');
    expect(() => parseShard('-1/3')).toThrow('must be "i/n"');
  });
});

describe('shardOf', () => {
  const names = Array.from({ length: 600 }, (_, i) => `clip-${i}`);

  it('puts every video in exactly one shard, the same one every time', () => {
    for (const count of [1, 2, 3, 7]) {
      for (const name of names) {
        const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) =>
          inShard({ index, count }, name),
        );
        expect(owners).toEqual([shardOf(name, count)]);
      }
    }
    expect(shardOf('sunrise', 4)).toBe(shardOf('sunrise', 4));
  });

  it('depends on the name alone: adding videos moves none of the others', () => {
    const before = new Map(names.map((n) => [n, shardOf(n, 5)]));
    const more = [...names, 'brand-new', 'another-one'];
    for (const n of names) expect(shardOf(n, 5)).toBe(before.get(n));
    expect(more.length).toBe(names.length + 2);
  });

  it('spreads names about evenly', () => {
    const sizes = [0, 0, 0, 0];
    for (const n of names) sizes[shardOf(n, 4) - 1]!++;
    for (const size of sizes) expect(size).toBeGreaterThan(600 / 4 - 45);
  });

  it('an unsharded run renders everything', () => {
    expect(inShard(undefined, 'anything')).toBe(true);
  });
});

describe('shard artifacts and concurrency', () => {
  it('names a shard artifact <base>-<i>-of-<n>', () => {
    expect(shardArtifactName('scenario-videos', { index: 2, count: 4 })).toBe('scenario-videos-2-of-4');
  });

  it("divides the team's slots among the shards, at least one each", () => {
    expect(shardConcurrency(12, { index: 1, count: 4 })).toBe(3);
    expect(shardConcurrency(3, { index: 3, count: 3 })).toBe(1);
    expect(shardConcurrency(10, { index: 1, count: 4 })).toBe(2); // 4 × 2 ≤ 10
    expect(shardConcurrency(2, { index: 1, count: 4 })).toBe(1);
    expect(shardConcurrency(8, undefined)).toBe(8);
  });
});
