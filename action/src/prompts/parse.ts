import { LineCounter, isAlias, parseDocument, visit } from 'yaml';
import { WAN_MODEL_ID, WAN_TUNING_FIELDS, wanCrossFieldIssue, type WanTuning } from '@scenario-video/core';
import { PromptFileIssue, formatFieldPath } from './errors.js';
import { splitFrontMatter } from './front-matter.js';
import { SourceLocator, type Position } from './locate.js';
import { describeIssue, firstLine, jsonErrorPosition } from './messages.js';
import {
  RENDER_FIELDS,
  multiVideoFileSchema,
  singleVideoFileSchema,
  type VideoDefaults,
  type VideoEntry,
} from './schema.js';

/**
 * The prompt-file parser: text in, validated videos (defaults merged) or located issues out. The
 * Markdown front matter is split off by `front-matter.ts`; what issues say is worded by
 * `messages.ts`; the fields and their ranges come from `schema.ts`, hence from the core's table.
 */

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
    // The core's cross-field rule, worded for a prompt file.
    const rule = wanCrossFieldIssue(merged);
    if (rule) {
      fail(rule.field, `${rule.message} (the first frame)`);
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
    for (const key of WAN_TUNING_FIELDS) {
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
