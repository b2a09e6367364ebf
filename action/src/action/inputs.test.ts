import { describe, expect, it } from 'vitest';
import { describeConcurrency, InputError, readInputs, type InputName } from './inputs.js';

const read = (values: Partial<Record<InputName, string>>) => readInputs((name) => values[name] ?? '');

describe('the shard and team-concurrency inputs', () => {
  it('leave an unsharded run as it was', () => {
    const inputs = read({});
    expect(inputs.shard).toBeUndefined();
    expect(inputs.teamConcurrency).toBeUndefined();
    expect(inputs.concurrency).toBe(4);
    expect(inputs.artifactName).toBe('scenario-videos');
  });

  it('refuse a bad shard by name, before anything runs', () => {
    for (const bad of ['0/3', '4/3', 'x', '3', '1/300']) {
      expect(() => read({ shard: bad })).toThrow(InputError);
      expect(() => read({ shard: bad })).toThrow(new RegExp(`^Input shard .*\\(got "${bad}"\\)\\.$`));
    }
    expect(() => read({ 'team-concurrency': '0' })).toThrow(
      'Input team-concurrency must be a whole number from 1 to 4096 (got "0").',
    );
  });

  it('suffix the default artifact name with the shard, and keep a name the user chose', () => {
    expect(read({ shard: '2/4' }).artifactName).toBe('scenario-videos-2-of-4');
    expect(read({ shard: '2/4', 'artifact-name': 'scenario-videos' }).artifactName).toBe('scenario-videos-2-of-4');
    expect(read({ shard: '2/4', 'artifact-name': 'renders-2' }).artifactName).toBe('renders-2');
  });

  it("give each shard its share of the team's slots instead of concurrency", () => {
    const inputs = read({ shard: '1/3', 'team-concurrency': '12', concurrency: '10' });
    expect(inputs.concurrency).toBe(4);
    expect(describeConcurrency(inputs)).toEqual({
      info: 'Shard 1/3 renders up to 4 video(s) at once: its share of team-concurrency 12 over 3 shard(s).',
    });
    expect(read({ 'team-concurrency': '6' }).concurrency).toBe(6);
    expect(read({ 'team-concurrency': '500' }).concurrency).toBe(64);
  });

  it('warn when there are more shards than slots', () => {
    const inputs = read({ shard: '2/4', 'team-concurrency': '2' });
    expect(inputs.concurrency).toBe(1);
    expect(describeConcurrency(inputs).warning).toMatch(/team-concurrency 2 is below the 4 shards.*max-parallel to 2/);
  });
});
