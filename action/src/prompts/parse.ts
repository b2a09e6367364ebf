import { LineCounter, isAlias, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { WAN_MODEL_ID, WAN_PARAMS, type WanTuning } from '@scenario-video/core';
import { PromptFileIssue, formatFieldPath } from './errors.js';
import { SourceLocator, type Position } from './locate.js';
import {
  RENDER_FIELDS,
  defaultsSchema,
  multiVideoFileSchema,
  singleVideoFileSchema,
  videoEntrySchema,
  type VideoDefaults,
  type VideoEntry,
} from './schema.js';

export type PromptFileFormat = 'yaml' | 'json' | 'markdown';

/** The format of a prompt file, by extension; undefined for anything else. */
export function formatOf(file: string): PromptFileFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'yml' || ext === 'yaml') return 'yaml';
  if (ext === 'json') return 'json';
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  return undefined;
}

/** An image reference as written, with where it was written (for errors found later, on disk). */
export interface ImageRefAt {
  value: string;
  field: string;
  line: number;
  column: number;
}

/** One video of a prompt file, validated, defaults merged, not yet touching the disk. */
export interface PromptVideo {
  /** Output base name (`<name>.mp4`). */
  name: string;
  /** The prompt file as given to the parser (relative to the repository root). */
  file: string;
  /** 0-based position in its file. */
  index: number;
  /** Where the video is described. */
  line: number;
  /** Where its name is written (its start, when the name is the default one), and the field path. */
  nameAt: { field: string; line: number; column: number };
  prompt: string;
  model: string;
  image?: ImageRefAt;
  lastFrameImage?: ImageRefAt;
  /** Wan 2.2 tuning fields the file sets; unset ones are left to the API's defaults. */
  tuning: WanTuning;
  /** Raw extra inputs, sent as they are. */
  params: Record<string, unknown>;
}

export interface ParseResult {
  /** Empty whenever `issues` is not: a broken file renders nothing, other files still render. */
  videos: PromptVideo[];
  issues: PromptFileIssue[];
}

type Path = Array<string | number>;
type AnyIssue = z.core.$ZodIssue;

const TUNING_FIELDS = ['resolution', 'numFrames', 'framesPerSecond', 'sampleSteps', 'sampleShift', 'seed'] as const;
const MAX_ALIASES = 100;

/**
 * Parse one prompt file's text. Pure: reads no files. `file` is only used to name the file in
 * issues and to derive default video names.
 */
export function parsePromptSource(text: string, file: string, format = formatOf(file) ?? 'yaml'): ParseResult {
  const issues: PromptFileIssue[] = [];
  const issue = (pos: Position | undefined, field: string, message: string) =>
    issues.push(
      new PromptFileIssue({ file, line: pos?.line ?? 1, ...(pos ? { column: pos.column } : {}), field, message }),
    );

  let source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let lineOffset = 0;
  let body: { text: string; line: number } | undefined;

  if (format === 'markdown') {
    const split = splitFrontMatter(source);
    if ('error' in split) {
      issue({ line: 1, column: 1 }, '(front matter)', split.error);
      return { videos: [], issues };
    }
    if (!split.hasFrontMatter) {
      issue(
        { line: 1, column: 1 },
        '(front matter)',
        'no front matter: start the file with a line ---, the fields (image: …), and another ---; the body below is the prompt',
      );
      return { videos: [], issues };
    }
    source = split.yaml;
    lineOffset = split.yamlLine - 1;
    body = split.body;
  }

  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const locator = new SourceLocator(doc, lines, lineOffset);

  if (doc.errors.length > 0) {
    const end = source.trimEnd().length;
    for (const error of doc.errors) {
      const fieldPath = locator.fieldAt(error.pos[0]);
      const field = formatFieldPath(fieldPath) || '(syntax)';
      // An error at the very end means something opened earlier was never closed (a quote, a
      // bracket): point at the field that opened it rather than at the last line.
      const pos = error.pos[0] >= end && fieldPath.length > 0 ? locator.at(fieldPath) : locator.offset(error.pos[0]);
      issue(pos, field, firstLine(error.message));
    }
    return { videos: [], issues };
  }

  if (format === 'json') {
    try {
      JSON.parse(source);
    } catch (e) {
      issue(jsonErrorPosition(e, locator), '(syntax)', `not valid JSON: ${firstLine((e as Error).message)}`);
      return { videos: [], issues };
    }
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    let reported = false;
    visit(doc, {
      Alias: (_key, node) => {
        if (node.range && isAlias(node) && node.resolve(doc) === undefined) {
          const field = formatFieldPath(locator.fieldAt(node.range[0])) || '(syntax)';
          issue(
            locator.offset(node.range[0]),
            field,
            `the alias *${node.source} has no anchor &${node.source} before it`,
          );
          reported = true;
        }
      },
    });
    if (!reported) issue(locator.at([]), '(syntax)', firstLine((e as Error).message));
    return { videos: [], issues };
  }

  if (data === null || data === undefined) {
    if (format !== 'markdown') {
      issue(
        { line: 1, column: 1 },
        '(file)',
        'the file is empty; write a video (prompt, image, …) or defaults and videos',
      );
      return { videos: [], issues };
    }
    data = {};
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    issue(
      locator.at([]),
      '(file)',
      Array.isArray(data)
        ? 'the file is a list; write one video (prompt, image, …) or a mapping with defaults and videos'
        : 'the file must be a mapping: one video (prompt, image, …) or defaults and videos',
    );
    return { videos: [], issues };
  }
  const record = data as Record<string, unknown>;
  const multi = 'videos' in record || 'defaults' in record;

  if (format === 'markdown') {
    if (multi) {
      const key = 'videos' in record ? 'videos' : 'defaults';
      issue(
        locator.at([key], { key: true }),
        key,
        'a Markdown prompt file describes one video (its body is the prompt); use a YAML file for several',
      );
      return { videos: [], issues };
    }
    if (body && body.text !== '') {
      if ('prompt' in record) {
        issue(
          locator.at(['prompt'], { key: true }),
          'prompt',
          'the prompt is set both in the front matter and in the body; keep one',
        );
        return { videos: [], issues };
      }
      record.prompt = body.text;
      locator.override(['prompt'], { line: body.line, column: 1 });
    }
  }

  const schema = multi ? multiVideoFileSchema : singleVideoFileSchema;
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    for (const zi of parsed.error.issues) {
      for (const mapped of describeIssue(zi, record, { multi, markdown: format === 'markdown' })) {
        issue(locator.at(mapped.path, { key: mapped.key }), formatFieldPath(mapped.path), mapped.message);
      }
    }
    issues.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
    return { videos: [], issues };
  }

  const stem = defaultStem(file);
  const entries: Array<{ entry: VideoEntry; path: Path }> = multi
    ? (parsed.data as { videos: VideoEntry[] }).videos.map((entry, i) => ({ entry, path: ['videos', i] }))
    : [{ entry: parsed.data as VideoEntry, path: [] }];
  const defaults: VideoDefaults = multi ? ((parsed.data as { defaults?: VideoDefaults }).defaults ?? {}) : {};

  const videos: PromptVideo[] = [];
  const seenNames = new Map<string, string>();
  entries.forEach(({ entry, path }, index) => {
    // Where a field of this video is written: in the entry, else in defaults.
    const fieldPath = (field: string): Path =>
      field in entry || !multi || !(field in defaults) ? [...path, field] : ['defaults', field];
    const here = (field: string) => locator.at(fieldPath(field));
    const fail = (field: string, message: string, at: Path = fieldPath(field)) =>
      issue(locator.at(at), formatFieldPath(fieldPath(field)), message);

    const merged: VideoEntry = {
      ...defaults,
      ...entry,
      params: { ...(defaults.params ?? {}), ...(entry.params ?? {}) },
    };
    const model = merged.model ?? WAN_MODEL_ID;

    if (merged.prompt === undefined) {
      fail('prompt', 'is required (set it in this video or in defaults)', path);
      return;
    }
    // No `image` is a prompt-only request: Scenario's reference marks it optional for Wan 2.2 (its own
    // example has none), so it is sent and Scenario's answer decides.
    if (merged.lastFrameImage !== undefined && merged.image === undefined) {
      fail('lastFrameImage', 'only works together with image (the first frame)');
      return;
    }
    const params = merged.params ?? {};
    for (const key of Object.keys(params)) {
      if ((RENDER_FIELDS as readonly string[]).includes(key) || key === 'name') {
        const paramsAt = fieldPath('params');
        issue(
          locator.at([...paramsAt, key], { key: true }),
          formatFieldPath([...paramsAt, key]),
          `"${key}" has its own field; set ${key} directly instead of in params`,
        );
      }
    }

    const name = entry.name ?? (multi ? `${stem}-${index + 1}` : stem);
    const lower = name.toLowerCase();
    const clash = seenNames.get(lower);
    if (clash !== undefined) {
      fail('name', `output name "${name}" is already used by ${clash} in this file; give each video its own name`);
      return;
    }
    seenNames.set(lower, formatFieldPath(path) || 'the file');

    const tuning: WanTuning = {};
    for (const key of TUNING_FIELDS) {
      if (merged[key] !== undefined) (tuning as Record<string, unknown>)[key] = merged[key];
    }
    const ref = (field: 'image' | 'lastFrameImage'): ImageRefAt | undefined => {
      const value = merged[field];
      if (value === undefined) return undefined;
      const pos = here(field);
      return { value, field: formatFieldPath(fieldPath(field)), line: pos.line, column: pos.column };
    };
    const image = ref('image');
    const lastFrameImage = ref('lastFrameImage');
    videos.push({
      name,
      file,
      index,
      line: locator.at(path).line,
      nameAt: { field: formatFieldPath([...path, 'name']), ...locator.at(entry.name ? [...path, 'name'] : path) },
      prompt: merged.prompt,
      model,
      ...(image ? { image } : {}),
      ...(lastFrameImage ? { lastFrameImage } : {}),
      tuning,
      params,
    });
  });

  return issues.length > 0 ? { videos: [], issues } : { videos, issues };
}

/** The default output name of a file's videos: its stem, made safe for a file name. */
export function defaultStem(file: string): string {
  const base = file.split(/[/\\]/).pop() ?? file;
  const stem = base.replace(/\.[^.]*$/, '');
  const safe = stem
    // Keep accented letters as their base letter ("über" → "uber") rather than dropping them.
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 90)
    .replace(/[-.]+$/, '');
  return safe === '' ? 'video' : safe;
}

type FrontMatter =
  | { yaml: string; yamlLine: number; body: { text: string; line: number }; hasFrontMatter: boolean }
  | { error: string };

/** Split `---\n<yaml>\n---\n<body>`; a file without front matter is all body. */
function splitFrontMatter(text: string): FrontMatter {
  const lines = text.split(/\r?\n/);
  const bodyOf = (from: number) => {
    const rest = lines.slice(from);
    const first = rest.findIndex((l) => l.trim() !== '');
    return { text: rest.join('\n').trim(), line: from + (first < 0 ? 0 : first) + 1 };
  };
  if (lines[0]?.trimEnd() !== '---') return { yaml: '', yamlLine: 1, body: bodyOf(0), hasFrontMatter: false };
  const end = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (end < 0) return { error: 'the front matter opened with --- on line 1 is never closed with ---' };
  return { yaml: lines.slice(1, end).join('\n'), yamlLine: 2, body: bodyOf(end + 1), hasFrontMatter: true };
}

function jsonErrorPosition(e: unknown, locator: SourceLocator): Position {
  const message = e instanceof Error ? e.message : '';
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const pos = /position (\d+)/.exec(message);
  if (pos) return locator.offset(Number(pos[1]));
  return { line: 1, column: 1 };
}

/**
 * The parser's first line without where it was: the issue gives the line and column, and JSON.parse's
 * "at position N (line L column C)" counts UTF-16 characters from the file's start, which no editor shows.
 */
function firstLine(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/ (in JSON )?at position \d+( \(line \d+ column \d+\))?/, '');
}

interface MappedIssue {
  path: Path;
  key?: boolean;
  message: string;
}

/** Turn one zod issue into messages a maintainer can act on, each at its own path. */
function describeIssue(
  zi: AnyIssue,
  data: Record<string, unknown>,
  ctx: { multi: boolean; markdown: boolean },
): MappedIssue[] {
  const path = zi.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(data, path);
  const field = String(path[path.length - 1] ?? '');
  switch (zi.code) {
    case 'unrecognized_keys':
      return zi.keys.map((key) => ({
        path: [...path, key],
        key: true,
        message: unknownKeyMessage(key, path, ctx.multi),
      }));
    case 'invalid_type': {
      if (value === undefined) {
        if (field === 'prompt' && ctx.markdown) {
          return [{ path, message: 'is required: write the prompt in the body, below the front matter' }];
        }
        return [{ path, message: 'is required' }];
      }
      if (zi.expected === 'int' && typeof value === 'number' && Number.isInteger(value)) {
        return [
          { path, message: `must be a whole number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}` },
        ];
      }
      return [{ path, message: `must be ${expectedName(zi.expected)} (got ${describeValue(value)})` }];
    }
    case 'too_small':
    case 'too_big': {
      if (zi.origin === 'number' || zi.origin === 'int') {
        const range = (WAN_PARAMS as Record<string, { min?: number; max?: number }>)[field];
        if (range?.min !== undefined && range.max !== undefined) {
          return [{ path, message: `must be between ${range.min} and ${range.max} (got ${describeValue(value)})` }];
        }
        const bound = zi.code === 'too_small' ? `at least ${zi.minimum}` : `at most ${zi.maximum}`;
        return [{ path, message: `must be ${bound} (got ${describeValue(value)})` }];
      }
      return [{ path, message: zi.message }];
    }
    case 'invalid_value': {
      const allowed = zi.values.map((v) => JSON.stringify(v)).join(', ');
      const hint = zi.values.find((v) => typeof v === 'string' && String(value).toLowerCase() === v.toLowerCase());
      return [
        {
          path,
          message: `must be one of ${allowed} (got ${describeValue(value)})${hint ? `; did you mean "${String(hint)}"?` : ''}`,
        },
      ];
    }
    default:
      return [{ path, message: zi.message }];
  }
}

function unknownKeyMessage(key: string, path: Path, multi: boolean): string {
  const atTop = path.length === 0;
  if (atTop && multi && (RENDER_FIELDS as readonly string[]).includes(key)) {
    return `"${key}" belongs under defaults (or in each video) in a file with videos`;
  }
  if (atTop && multi && key === 'name') return 'each video has its own name; set it in the video';
  if (path[0] === 'defaults' && path.length === 1 && key === 'name') {
    return 'name cannot be shared; set it in each video (default: the file stem with -N)';
  }
  const allowed = allowedKeys(path, multi);
  const alias = KEY_ALIASES[key.toLowerCase().replace(/[_-]/g, '')];
  const suggestion = alias && allowed.includes(alias) ? alias : closest(key.replace(/[_-]/g, ''), allowed);
  return `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
}

/** Names people reach for, from other tools and from Scenario's other models. */
const KEY_ALIASES: Record<string, string> = {
  fps: 'framesPerSecond',
  framerate: 'framesPerSecond',
  frames: 'numFrames',
  framecount: 'numFrames',
  steps: 'sampleSteps',
  shift: 'sampleShift',
  firstframe: 'image',
  firstframeimage: 'image',
  startimage: 'image',
  lastframe: 'lastFrameImage',
  endimage: 'lastFrameImage',
  text: 'prompt',
  modelid: 'model',
  output: 'name',
};

function allowedKeys(path: Path, multi: boolean): string[] {
  const shape = (s: { shape: Record<string, unknown> }) => Object.keys(s.shape);
  if (path.length === 0) return shape(multi ? multiVideoFileSchema : singleVideoFileSchema);
  if (path[0] === 'defaults') return shape(defaultsSchema);
  return shape(videoEntrySchema);
}

/** A near miss of a known key: same letters in another case, or an edit distance of at most 2. */
function closest(key: string, candidates: string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function valueAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}
