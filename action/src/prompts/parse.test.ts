import { describe, expect, it } from 'vitest';
import { WAN_MODEL_ID } from '@scenario-video/core';
import { defaultStem, formatOf, parsePromptSource } from './parse.js';

interface Case {
  /** What is wrong. */
  what: string;
  file: string;
  text: string;
  line: number;
  field: string;
  message: RegExp;
}

const yml = (...lines: string[]) => lines.join('\n') + '\n';

// Every case is one malformed file; each must be reported at its file, line and field.
const malformed: Case[] = [
  {
    what: 'numFrames above the range',
    file: 'prompts/cat.yml',
    text: yml('prompt: a cat surfing', 'image: cat.png', 'numFrames: 200'),
    line: 3,
    field: 'numFrames',
    message: /must be between 81 and 100 \(got 200\)/,
  },
  {
    what: 'numFrames not a whole number',
    file: 'prompts/cat.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'resolution: 480p', 'numFrames: 81.5'),
    line: 4,
    field: 'numFrames',
    message: /whole number \(got 81.5\)/,
  },
  {
    what: 'framesPerSecond above the range',
    file: 'prompts/fps.yaml',
    text: yml('prompt: a cat', 'image: cat.png', 'framesPerSecond: 30'),
    line: 3,
    field: 'framesPerSecond',
    message: /between 5 and 24/,
  },
  {
    what: 'sampleSteps below the range',
    file: 'prompts/steps.yml',
    text: yml('image: cat.png', 'sampleSteps: 0', 'prompt: a cat'),
    line: 2,
    field: 'sampleSteps',
    message: /between 1 and 50 \(got 0\)/,
  },
  {
    what: 'sampleShift above the range',
    file: 'prompts/shift.yml',
    text: yml('prompt: a cat', 'image: cat.png', '', '# motion', 'sampleShift: 25.5'),
    line: 5,
    field: 'sampleShift',
    message: /between 1 and 20 \(got 25.5\)/,
  },
  {
    what: 'resolution not one of the values, with a case hint',
    file: 'prompts/res.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'resolution: 720P'),
    line: 3,
    field: 'resolution',
    message: /one of "720p", "480p" \(got "720P"\); did you mean "720p"\?/,
  },
  {
    what: 'seed that is text',
    file: 'prompts/seed.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'seed: lucky'),
    line: 3,
    field: 'seed',
    message: /must be a number \(got "lucky"\)/,
  },
  {
    what: 'numFrames quoted as text',
    file: 'prompts/quoted.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'numFrames: "81"'),
    line: 3,
    field: 'numFrames',
    message: /must be a number \(got "81"\)/,
  },
  {
    what: 'prompt missing',
    file: 'prompts/noprompt.yml',
    text: yml('# a comment first', 'image: cat.png', 'numFrames: 81'),
    line: 2,
    field: 'prompt',
    message: /is required/,
  },
  {
    what: 'prompt only blanks',
    file: 'prompts/blank.yml',
    text: yml('image: cat.png', 'prompt: "   "'),
    line: 2,
    field: 'prompt',
    message: /must not be empty/,
  },
  {
    what: 'lastFrameImage without image (Wan 2.2)',
    file: 'prompts/last-wan.yml',
    text: yml('prompt: a cat', 'lastFrameImage: end.png'),
    line: 2,
    field: 'lastFrameImage',
    message: /only works together with image/,
  },
  {
    what: 'image left empty',
    file: 'prompts/emptyimage.yml',
    text: yml('prompt: a cat', 'image:'),
    line: 2,
    field: 'image',
    message: /must be text \(got nothing\)/,
  },
  {
    what: 'lastFrameImage without image (another model)',
    file: 'prompts/last.yml',
    text: yml('prompt: a cat', 'model: model_other', 'lastFrameImage: end.png'),
    line: 3,
    field: 'lastFrameImage',
    message: /only works together with image/,
  },
  {
    what: 'misspelt field, other case',
    file: 'prompts/typo.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'numframes: 90'),
    line: 3,
    field: 'numframes',
    message: /unknown field "numframes"; did you mean "numFrames"\?/,
  },
  {
    what: 'a name from other tools',
    file: 'prompts/fps-alias.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'fps: 12'),
    line: 3,
    field: 'fps',
    message: /did you mean "framesPerSecond"\?/,
  },
  {
    what: 'snake_case field',
    file: 'prompts/snake.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'last_frame_image: end.png'),
    line: 3,
    field: 'last_frame_image',
    message: /did you mean "lastFrameImage"\?/,
  },
  {
    what: 'a key written twice',
    file: 'prompts/dup.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'prompt: a dog'),
    line: 3,
    field: 'prompt',
    message: /unique/,
  },
  {
    what: 'an unclosed quote',
    file: 'prompts/quote.yml',
    text: yml('image: cat.png', 'numFrames: 81', 'prompt: "a cat', 'seed: 1'),
    line: 3,
    field: 'prompt',
    message: /quote|Missing closing/i,
  },
  {
    what: 'bad indentation',
    file: 'prompts/indent.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'params:', '  motion: high', ' extra: 1'),
    line: 5,
    field: 'params',
    message: /same column/i,
  },
  {
    what: 'an empty file',
    file: 'prompts/empty.yml',
    text: '',
    line: 1,
    field: '(file)',
    message: /the file is empty/,
  },
  {
    what: 'a list at the top',
    file: 'prompts/list.yml',
    text: yml('- prompt: a cat', '  image: cat.png'),
    line: 1,
    field: '(file)',
    message: /the file is a list/,
  },
  {
    what: 'a bare string',
    file: 'prompts/scalar.yml',
    text: yml('a cat surfing'),
    line: 1,
    field: '(file)',
    message: /must be a mapping/,
  },
  {
    what: 'two YAML documents',
    file: 'prompts/twodocs.yml',
    text: yml('prompt: a cat', 'image: cat.png', '---', 'prompt: a dog', 'image: dog.png'),
    line: 3,
    field: '(syntax)',
    message: /multiple documents/i,
  },
  {
    what: 'an alias to no anchor',
    file: 'prompts/alias.yml',
    text: yml('prompt: a cat', 'image: *frame'),
    line: 2,
    field: 'image',
    message: /alias|anchor/i,
  },
  {
    what: 'a bad value in the second video',
    file: 'prompts/batch.yml',
    text: yml('defaults:', '  image: cat.png', 'videos:', '  - prompt: one', '  - prompt: two', '    numFrames: 120'),
    line: 6,
    field: 'videos[1].numFrames',
    message: /between 81 and 100 \(got 120\)/,
  },
  {
    what: 'a bad value in defaults',
    file: 'prompts/batch.yml',
    text: yml('defaults:', '  image: cat.png', '  sampleShift: 0', 'videos:', '  - prompt: one'),
    line: 3,
    field: 'defaults.sampleShift',
    message: /between 1 and 20 \(got 0\)/,
  },
  {
    what: 'an empty videos list',
    file: 'prompts/none.yml',
    text: yml('defaults:', '  image: cat.png', 'videos: []'),
    line: 3,
    field: 'videos',
    message: /at least one video/,
  },
  {
    what: 'videos that is not a list',
    file: 'prompts/notlist.yml',
    text: yml('videos:', '  prompt: one', '  image: cat.png'),
    line: 2,
    field: 'videos',
    message: /must be a list \(got a mapping\)/,
  },
  {
    what: 'a shared field at the top of a multi-video file',
    file: 'prompts/top.yml',
    text: yml('image: cat.png', 'videos:', '  - prompt: one'),
    line: 1,
    field: 'image',
    message: /belongs under defaults/,
  },
  {
    what: 'a name in defaults',
    file: 'prompts/defname.yml',
    text: yml('defaults:', '  image: cat.png', '  name: clip', 'videos:', '  - prompt: one'),
    line: 3,
    field: 'defaults.name',
    message: /name cannot be shared/,
  },
  {
    what: 'a video with no prompt and none in defaults',
    file: 'prompts/batch.yml',
    text: yml('defaults:', '  image: cat.png', 'videos:', '  - prompt: one', '  - seed: 4', '    numFrames: 90'),
    line: 5,
    field: 'videos[1].prompt',
    message: /is required \(set it in this video or in defaults\)/,
  },
  {
    what: 'two videos with one name',
    file: 'prompts/names.yml',
    text: yml(
      'defaults:',
      '  image: cat.png',
      'videos:',
      '  - prompt: one',
      '    name: clip',
      '  - prompt: two',
      '    name: Clip',
    ),
    line: 7,
    field: 'videos[1].name',
    message: /already used by videos\[0\]/,
  },
  {
    what: 'a name that is a path',
    file: 'prompts/evil.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'name: ../../etc/passwd'),
    line: 3,
    field: 'name',
    message: /only ASCII letters and digits/,
  },
  {
    what: 'a name with accents and spaces (é is a letter, but not an ASCII one)',
    file: 'prompts/cafe.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'name: café au lait'),
    line: 3,
    field: 'name',
    message: /only ASCII letters and digits, ".", "_" and "-" \(no spaces or accents\)/,
  },
  {
    what: 'params repeating a named field',
    file: 'prompts/params.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'params:', '  motion: 2', '  numFrames: 90'),
    line: 5,
    field: 'params.numFrames',
    message: /set numFrames directly/,
  },
  {
    what: 'params that is not a mapping',
    file: 'prompts/params.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'params: fast'),
    line: 3,
    field: 'params',
    message: /must be a mapping/,
  },
  {
    what: 'a model id with a slash',
    file: 'prompts/model.yml',
    text: yml('prompt: a cat', 'image: cat.png', 'model: model_x/../../assets'),
    line: 3,
    field: 'model',
    message: /Scenario model id/,
  },
  {
    what: 'JSON with a trailing comma',
    file: 'prompts/cat.json',
    text: '{\n  "prompt": "a cat",\n  "image": "cat.png",\n}\n',
    line: 4,
    field: '(syntax)',
    // Where it is, as an editor counts (line 4): never JSON.parse's character offset.
    message: /^not valid JSON: (?!.*position \d)/,
  },
  {
    what: 'JSON with a number as text',
    file: 'prompts/cat.json',
    text: '{\n  "prompt": "a cat",\n  "image": "cat.png",\n  "numFrames": "90"\n}\n',
    line: 4,
    field: 'numFrames',
    message: /must be a number/,
  },
  {
    what: 'JSON multi-video with a bad entry',
    file: 'prompts/batch.json',
    text: JSON.stringify(
      { defaults: { image: 'a.png' }, videos: [{ prompt: 'a' }, { prompt: 'b', seed: 'x' }] },
      null,
      2,
    ),
    line: 11,
    field: 'videos[1].seed',
    message: /must be a number/,
  },
  {
    what: 'Markdown front matter never closed',
    file: 'prompts/open.md',
    text: '---\nimage: cat.png\n\nA cat surfing.\n',
    line: 1,
    field: '(front matter)',
    message: /never closed/,
  },
  {
    what: 'Markdown without front matter (a stray README)',
    file: 'prompts/README.md',
    text: '# Our prompts\n\nThese files are rendered by CI.\n',
    line: 1,
    field: '(front matter)',
    message: /no front matter/,
  },
  {
    what: 'Markdown prompt in front matter and body',
    file: 'prompts/both.md',
    text: '---\nimage: cat.png\nprompt: a cat\n---\n\nA cat surfing.\n',
    line: 3,
    field: 'prompt',
    message: /both in the front matter and in the body/,
  },
  {
    what: 'Markdown with no body',
    file: 'prompts/nobody.md',
    text: '---\nimage: cat.png\n---\n\n',
    line: 2,
    field: 'prompt',
    message: /write the prompt in the body/,
  },
  {
    what: 'Markdown front matter field out of range (lines counted from the file start)',
    file: 'prompts/range.md',
    text: '---\n# yaml-language-server: $schema=../schema.json\nimage: cat.png\nsampleSteps: 99\n---\nA cat.\n',
    line: 4,
    field: 'sampleSteps',
    message: /between 1 and 50/,
  },
  {
    what: 'Markdown with videos',
    file: 'prompts/multi.md',
    text: '---\nvideos:\n  - prompt: a\n---\n',
    line: 2,
    field: 'videos',
    message: /describes one video/,
  },
  {
    what: 'Windows line endings',
    file: 'prompts/crlf.yml',
    text: 'prompt: a cat\r\nimage: cat.png\r\nnumFrames: 7\r\n',
    line: 3,
    field: 'numFrames',
    message: /between 81 and 100/,
  },
];

describe('prompt-file errors name the file, line and field', () => {
  it('covers at least 20 malformed files', () => {
    expect(malformed.length).toBeGreaterThanOrEqual(20);
  });

  it.each(malformed)('$what ($file)', ({ file, text, line, field, message }) => {
    const result = parsePromptSource(text, file);
    expect(result.videos).toEqual([]);
    expect(result.issues.length).toBeGreaterThan(0);
    const match = result.issues.find((i) => i.field === field);
    expect(match, result.issues.map((i) => i.format()).join('\n')).toBeDefined();
    expect(match!.file).toBe(file);
    expect(match!.line).toBe(line);
    expect(match!.message).toMatch(message);
    expect(match!.format()).toMatch(new RegExp(`^${escape(file)}:${line}(:\\d+)?: ${escape(field)}: `));
  });

  it('reports every problem of a file, in line order', () => {
    const result = parsePromptSource(
      yml('prompt: a cat', 'image: cat.png', 'numFrames: 200', 'fps: 3', 'resolution: 4k'),
      'prompts/many.yml',
    );
    expect(result.issues.map((i) => [i.line, i.field])).toEqual([
      [3, 'numFrames'],
      [4, 'fps'],
      [5, 'resolution'],
    ]);
  });

  it('formats as file:line:column: field: message', () => {
    const [issue] = parsePromptSource(
      yml('prompt: a cat', 'image: cat.png', 'numFrames: 200'),
      'prompts/cat.yml',
    ).issues;
    expect(issue!.format()).toBe('prompts/cat.yml:3:12: numFrames: must be between 81 and 100 (got 200)');
    expect(JSON.parse(JSON.stringify(issue))).toEqual({
      file: 'prompts/cat.yml',
      line: 3,
      column: 12,
      field: 'numFrames',
      message: 'must be between 81 and 100 (got 200)',
    });
  });
});

describe('valid prompt files', () => {
  it('reads a single-video YAML file', () => {
    const { videos, issues } = parsePromptSource(
      yml(
        '# yaml-language-server: $schema=../action/schema/prompt-file.schema.json',
        'prompt: >',
        '  A cat surfing a wave',
        '  at sunset',
        'image: images/cat.png',
        'lastFrameImage: https://example.com/end.png',
        'resolution: 480p',
        'numFrames: 90',
        'framesPerSecond: 24',
        'sampleSteps: 20',
        'sampleShift: 7.5',
        'seed: 42',
      ),
      'prompts/cat.yml',
    );
    expect(issues).toEqual([]);
    expect(videos).toHaveLength(1);
    expect(videos[0]).toMatchObject({
      name: 'cat',
      file: 'prompts/cat.yml',
      index: 0,
      prompt: 'A cat surfing a wave at sunset',
      model: WAN_MODEL_ID,
      image: { value: 'images/cat.png', field: 'image', line: 5 },
      lastFrameImage: { value: 'https://example.com/end.png', field: 'lastFrameImage', line: 6 },
      tuning: { resolution: '480p', numFrames: 90, framesPerSecond: 24, sampleSteps: 20, sampleShift: 7.5, seed: 42 },
      params: {},
    });
  });

  it('merges defaults into each video and names them stem-N', () => {
    const { videos, issues } = parsePromptSource(
      yml(
        'defaults:',
        '  image: shared.png',
        '  resolution: 480p',
        '  params: { a: 1, b: 2 }',
        'videos:',
        '  - prompt: first',
        '  - prompt: second',
        '    image: own.png',
        '    resolution: 720p',
        '    params: { b: 3 }',
        '  - prompt: third',
        '    name: finale',
      ),
      'prompts/batch.yaml',
    );
    expect(issues).toEqual([]);
    expect(
      videos.map((v) => [v.name, v.prompt, v.image?.value, v.image?.field, v.tuning.resolution, v.params]),
    ).toEqual([
      ['batch-1', 'first', 'shared.png', 'defaults.image', '480p', { a: 1, b: 2 }],
      ['batch-2', 'second', 'own.png', 'videos[1].image', '720p', { a: 1, b: 3 }],
      ['finale', 'third', 'shared.png', 'defaults.image', '480p', { a: 1, b: 2 }],
    ]);
    expect(videos.map((v) => v.line)).toEqual([6, 7, 11]);
  });

  it('reads a Markdown file whose body is the prompt', () => {
    const { videos, issues } = parsePromptSource(
      '---\nimage: cat.png\nseed: 3\n---\n\nA cat surfing\na wave.\n',
      'prompts/Cat Surf!.md',
    );
    expect(issues).toEqual([]);
    expect(videos[0]).toMatchObject({ name: 'Cat-Surf', prompt: 'A cat surfing\na wave.', tuning: { seed: 3 } });
  });

  it('reads JSON, with $schema', () => {
    const { videos, issues } = parsePromptSource(
      JSON.stringify({ $schema: '../schema.json', prompt: 'a cat', image: 'asset_abc', numFrames: 100 }),
      'prompts/cat.json',
    );
    expect(issues).toEqual([]);
    expect(videos[0]).toMatchObject({ name: 'cat', image: { value: 'asset_abc' }, tuning: { numFrames: 100 } });
  });

  it("reads a prompt-only Wan 2.2 video (image is optional on Scenario's reference page)", () => {
    const { videos, issues } = parsePromptSource(
      yml('prompt: a lighthouse in a storm', 'resolution: 480p'),
      'prompts/storm.yml',
    );
    expect(issues).toEqual([]);
    expect(videos[0]).toMatchObject({
      name: 'storm',
      prompt: 'a lighthouse in a storm',
      tuning: { resolution: '480p' },
    });
    expect(videos[0]?.image).toBeUndefined();
  });

  it('lets another model go without an image, with raw params', () => {
    const { videos, issues } = parsePromptSource(
      yml('prompt: a cat', 'model: model_other-video', 'params:', '  duration: 5'),
      'prompts/other.yml',
    );
    expect(issues).toEqual([]);
    expect(videos[0]).toMatchObject({ model: 'model_other-video', params: { duration: 5 } });
  });

  it('reads YAML anchors and a byte-order mark', () => {
    const { videos, issues } = parsePromptSource(
      '\ufeff' + yml('defaults:', '  image: &img cat.png', 'videos:', '  - prompt: one', '    lastFrameImage: *img'),
      'prompts/anchors.yml',
    );
    expect(issues).toEqual([]);
    expect(videos[0]!.lastFrameImage?.value).toBe('cat.png');
  });
});

describe('helpers', () => {
  it('knows the formats by extension', () => {
    expect(['a.yml', 'a.YAML', 'a.json', 'a.md', 'a.markdown', 'a.txt'].map(formatOf)).toEqual([
      'yaml',
      'yaml',
      'json',
      'markdown',
      'markdown',
      undefined,
    ]);
  });

  it('makes safe default names', () => {
    expect(defaultStem('prompts/cat.yml')).toBe('cat');
    expect(defaultStem('prompts/My Cat (v2).md')).toBe('My-Cat-v2');
    expect(defaultStem('prompts/.hidden.yml')).toBe('hidden');
    expect(defaultStem('prompts/日本.yml')).toBe('video');
    expect(defaultStem('prompts/Sunset über Bay.yml')).toBe('Sunset-uber-Bay');
    expect(defaultStem('prompts/Crème brûlée.md')).toBe('Creme-brulee');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
