/**
 * The models the fake knows. Wan 2.2 I2V is validated field by field with the ranges of
 * `WAN_PARAMS` from `@scenario-video/core` (one table, so client and fake cannot drift); a couple
 * of other real model ids are accepted too, so raw `model` + `params` calls can be exercised with
 * "validated by the server only" semantics.
 */
import { WAN_MODEL_ID, WAN_PARAMS } from '@scenario-video/core';

export interface ModelContext {
  /** True when `id` is an image asset of the caller's team that has finished importing. */
  isImageAsset(id: string): boolean;
}

export interface ModelInputSpec {
  name: string;
  type: 'string' | 'number' | 'file';
  kind?: 'image';
  required?: { always: true } | { ifDefined: Record<string, string> };
  default?: string | number;
  min?: number;
  max?: number;
  step?: number;
  allowedValues?: readonly string[];
  costImpact?: boolean;
}

export interface FakeModel {
  id: string;
  name: string;
  capabilities: string[];
  inputs: ModelInputSpec[];
  /** A 400 `reason` naming the offending field, or undefined when the input is accepted. */
  validate(input: Record<string, unknown>, ctx: ModelContext): string | undefined;
  /** Creative units; fractional like the real ones (7.25 for Wan 2.2 I2V at its defaults). */
  cost(input: Record<string, unknown>): number;
}

interface Range {
  min: number;
  max: number;
  integer: boolean;
}

function checkNumber(input: Record<string, unknown>, field: string, r: Range): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `Input ${field} must be a number`;
  if (r.integer && !Number.isInteger(v)) return `Input ${field} must be an integer`;
  if (v < r.min || v > r.max) return `Input ${field} must be between ${r.min} and ${r.max}, got ${v}`;
  return undefined;
}

function checkEnum(input: Record<string, unknown>, field: string, values: readonly string[]): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !values.includes(v)) {
    return `Input ${field} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`;
  }
  return undefined;
}

function checkPrompt(input: Record<string, unknown>): string | undefined {
  const p = input.prompt;
  if (p === undefined || p === null || (typeof p === 'string' && p.trim() === '')) return 'Input prompt is required';
  if (typeof p !== 'string') return 'Input prompt must be a string';
  return undefined;
}

function checkImage(input: Record<string, unknown>, field: string, ctx: ModelContext): string | undefined {
  const v = input[field];
  if (typeof v !== 'string' || v === '') return `Input ${field} must be an asset id`;
  if (!v.startsWith('asset_')) {
    // What the real API answers when a URL is passed where an asset id is expected (docs §1).
    return `Input ${field}: Missing required mimeType parameter for asset kind image (expected an asset id, got ${JSON.stringify(v.slice(0, 40))})`;
  }
  if (!ctx.isImageAsset(v)) return `Input ${field}: asset ${v} not found or not an image`;
  return undefined;
}

const first = (...checks: Array<() => string | undefined>): string | undefined => {
  for (const c of checks) {
    const r = c();
    if (r) return r;
  }
  return undefined;
};

const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);
const quarter = (x: number): number => Math.max(0.25, Math.round(x * 4) / 4);

export const wanI2V: FakeModel = {
  id: WAN_MODEL_ID,
  name: 'Wan 2.2 I2V A14B',
  capabilities: ['img2video'],
  inputs: [
    { name: 'prompt', type: 'string', required: { always: true } },
    { name: 'image', type: 'file', kind: 'image' },
    {
      name: 'lastFrameImage',
      type: 'file',
      kind: 'image',
      required: { ifDefined: { image: 'lastFrameImage only works if image is given' } },
    },
    {
      name: 'resolution',
      type: 'string',
      default: WAN_PARAMS.resolution.default,
      allowedValues: WAN_PARAMS.resolution.values,
      costImpact: true,
    },
    ...(['numFrames', 'framesPerSecond', 'sampleSteps', 'sampleShift'] as const).map(
      (name): ModelInputSpec => ({
        name,
        type: 'number',
        default: WAN_PARAMS[name].default,
        min: WAN_PARAMS[name].min,
        max: WAN_PARAMS[name].max,
        step: WAN_PARAMS[name].integer ? 1 : 0.1,
        costImpact: name === 'numFrames' || name === 'sampleSteps',
      }),
    ),
    { name: 'seed', type: 'number', step: 1 },
  ],
  validate(input, ctx) {
    return first(
      () => checkPrompt(input),
      // Scenario's reference marks `image` optional and its own example request has none: a
      // prompt-only request is accepted (the video then starts from a frame of the model's own).
      // `lastFrameImage` still needs `image`, as the reference's `required.ifDefined` says.
      () =>
        input.lastFrameImage !== undefined && (input.image === undefined || input.image === null)
          ? 'Input lastFrameImage only works if image is given'
          : undefined,
      () => (input.image === undefined ? undefined : checkImage(input, 'image', ctx)),
      () => (input.lastFrameImage === undefined ? undefined : checkImage(input, 'lastFrameImage', ctx)),
      () => checkEnum(input, 'resolution', WAN_PARAMS.resolution.values),
      () => checkNumber(input, 'numFrames', WAN_PARAMS.numFrames),
      () => checkNumber(input, 'framesPerSecond', WAN_PARAMS.framesPerSecond),
      () => checkNumber(input, 'sampleSteps', WAN_PARAMS.sampleSteps),
      () => checkNumber(input, 'sampleShift', WAN_PARAMS.sampleShift),
      () => checkNumber(input, 'seed', { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true }),
    );
  },
  cost(input) {
    // Made up (no public price), but shaped like one: 7.25 CU at the defaults, scaling with
    // resolution, frames and steps, in quarter units.
    const base = input.resolution === '480p' ? 3.5 : 7.25;
    const frames = num(input.numFrames, WAN_PARAMS.numFrames.default) / WAN_PARAMS.numFrames.default;
    const steps = num(input.sampleSteps, WAN_PARAMS.sampleSteps.default) / WAN_PARAMS.sampleSteps.default;
    return quarter(base * frames * (0.5 + 0.5 * steps));
  },
};

/** Wan 2.2 T2V: its own documented ranges (numFrames 81–121, fps 5–30, no sampleSteps). */
export const wanT2V: FakeModel = {
  id: 'model_wan-2-2-t2v',
  name: 'Wan 2.2 T2V',
  capabilities: ['txt2video'],
  inputs: [
    { name: 'prompt', type: 'string', required: { always: true } },
    { name: 'resolution', type: 'string', default: '720p', allowedValues: ['720p', '480p'], costImpact: true },
    { name: 'numFrames', type: 'number', default: 81, min: 81, max: 121, step: 1, costImpact: true },
    { name: 'framesPerSecond', type: 'number', default: 16, min: 5, max: 30, step: 1 },
    { name: 'seed', type: 'number', step: 1 },
  ],
  validate(input) {
    return first(
      () => checkPrompt(input),
      () => checkEnum(input, 'resolution', ['720p', '480p']),
      () => checkNumber(input, 'numFrames', { min: 81, max: 121, integer: true }),
      () => checkNumber(input, 'framesPerSecond', { min: 5, max: 30, integer: true }),
    );
  },
  cost(input) {
    const base = input.resolution === '480p' ? 3 : 6.5;
    return quarter((base * num(input.numFrames, 81)) / 81);
  },
};

/** A known model the fake does not model in detail: any JSON object is accepted. */
export const seedanceMini: FakeModel = {
  id: 'model_bytedance-seedance-2-0-mini',
  name: 'Seedance 2.0 Mini',
  capabilities: ['img2video', 'txt2video'],
  inputs: [{ name: 'prompt', type: 'string' }],
  validate: () => undefined,
  cost: () => 10.75,
};

export const MODELS: ReadonlyMap<string, FakeModel> = new Map([wanI2V, wanT2V, seedanceMini].map((m) => [m.id, m]));
