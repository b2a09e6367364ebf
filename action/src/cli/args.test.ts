import { describe, expect, it } from 'vitest';
import { UsageError, parseCli } from './args.js';

describe('command line', () => {
  it('parses render with its defaults and options', () => {
    expect(parseCli(['render'])).toEqual({
      command: 'render',
      patterns: [],
      concurrency: 4,
      dryRun: false,
      force: false,
      timeoutMinutes: 30,
      fake: false,
      json: false,
    });
    expect(
      parseCli([
        'render',
        'prompts/*.yml',
        'more/**/*.md',
        '--out',
        'videos',
        '-c',
        '2',
        '--dry-run',
        '--force',
        '--timeout',
        '45',
        '--root',
        '..',
        '--base-url',
        'http://127.0.0.1:9/v1',
        '--json',
      ]),
    ).toEqual({
      command: 'render',
      patterns: ['prompts/*.yml', 'more/**/*.md'],
      out: 'videos',
      concurrency: 2,
      dryRun: true,
      force: true,
      timeoutMinutes: 45,
      root: '..',
      baseUrl: 'http://127.0.0.1:9/v1',
      fake: false,
      json: true,
    });
  });

  it('parses job and fake-api', () => {
    expect(parseCli(['job', 'job_abc', '--download', 'out', '--wait'])).toEqual({
      command: 'job',
      jobId: 'job_abc',
      download: 'out',
      wait: true,
      fake: false,
      json: false,
    });
    expect(parseCli(['job', 'job_abc', '--fake'])).toMatchObject({ command: 'job', jobId: 'job_abc', fake: true });
    expect(parseCli(['jobs'])).toEqual({ command: 'jobs', limit: 20, fake: false, json: false });
    expect(
      parseCli(['jobs', '-n', '5', '--status', 'in-progress', '--json', '--base-url', 'http://127.0.0.1:9/v1']),
    ).toEqual({
      command: 'jobs',
      limit: 5,
      status: 'in-progress',
      baseUrl: 'http://127.0.0.1:9/v1',
      fake: false,
      json: true,
    });
    expect(parseCli(['fake-api', '--port', '8123'])).toEqual({ command: 'fake-api', port: 8123, json: false });
    expect(parseCli([])).toEqual({ command: 'help' });
    expect(parseCli(['render', '--help'])).toEqual({ command: 'help' });
  });

  it.each([
    [['render', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64/],
    [['render', '--timeout', '1.5'], /--timeout must be a whole number/],
    [['render', '--fake', '--base-url', 'http://x'], /cannot be used together/],
    [
      ['render', '--colour'],
      /^unknown option --colour for render; render takes --out, .* \(see scenario-video render --help\)$/,
    ],
    [
      ['render', '--outt', 'x'],
      /^unknown option --outt for render; did you mean --out\? \(see scenario-video render --help\)$/,
    ],
    [['render', '--dry'], /did you mean --dry-run\?/],
    [['job', 'job_1', '--concurrency', '2'], /unknown option --concurrency for job; --concurrency belongs to render/],
    [['render', '--out'], /^--out needs a value \(see scenario-video render --help\)$/],
    [['render', '--json=yes'], /^--json takes no value/],
    [['render', '--base-url', 'api.cloud.scenario.com/v1'], /did you mean https:\/\/api\.cloud\.scenario\.com\/v1\?/],
    [['jobs', '--base-url', 'localhost:8080/v1'], /--base-url must be an http\(s\) URL/],
    [['jobs', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
    [['jobs', 'job_1'], /jobs takes no arguments .*scenario-video job <jobId>/],
    [['rendr'], /unknown command "rendr"; did you mean render\?/],
    [['job'], /job takes one job id/],
    [['job', '../etc'], /is not a job id/],
    [['fake-api', '--port', '70000'], /--port must be a port number/],
    [['draw'], /unknown command "draw"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
    // One line, ending with the help to read.
    expect(() => parseCli(argv)).toThrow(/^[^\n]*\(see scenario-video( [a-z-]+)? --help\)$/);
  });
});
