import type { z } from 'zod';
import { WAN_PARAMS } from '@scenario-video/core';
import type { Position, SourceLocator } from './locate.js';
import {
  RENDER_FIELDS,
  defaultsSchema,
  multiVideoFileSchema,
  singleVideoFileSchema,
  videoEntrySchema,
} from './schema.js';

/**
 * What a prompt-file issue says: the parsers' and zod's errors reworded for the person who wrote
 * the file (the range of a Wan 2.2 field, the allowed values, a near miss of a field name), and
 * where a JSON syntax error is. Where every other issue points (line, column, field path) is
 * decided by `parse.ts`.
 */

type Path = Array<string | number>;
type AnyIssue = z.core.$ZodIssue;

/** Where a JSON.parse error is, from its message: its line and column, or its character offset. */
export function jsonErrorPosition(e: unknown, locator: SourceLocator): Position {
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
export function firstLine(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/ (in JSON )?at position \d+( \(line \d+ column \d+\))?/, '');
}

export interface MappedIssue {
  path: Path;
  key?: boolean;
  message: string;
}

/** Turn one zod issue into messages a maintainer can act on, each at its own path. */
export function describeIssue(
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
