import { z } from 'zod';

/** Scenario's Wan 2.2 image-to-video model (SPEC.md "Defaults and parameters"). */
export const WAN_MODEL_ID = 'model_wan-2-2-i2v-a14b';

/**
 * Ranges and defaults of the Wan 2.2 I2V inputs, as documented by Scenario. One table feeds the
 * zod schema, the prompt-file JSON Schema, the n8n fields and the fake API, so they cannot drift.
 */
export const WAN_PARAMS = {
  resolution: { values: ['720p', '480p'] as const, default: '720p' as const },
  numFrames: { min: 81, max: 100, default: 81, integer: true },
  framesPerSecond: { min: 5, max: 24, default: 16, integer: true },
  sampleSteps: { min: 1, max: 50, default: 30, integer: true },
  sampleShift: { min: 1, max: 20, default: 5, integer: false },
} as const;

const ranged = (spec: { min: number; max: number; integer: boolean }) => {
  const n = spec.integer ? z.number().int() : z.number();
  return n.min(spec.min).max(spec.max);
};

/** The tunable Wan 2.2 parameters, without the images and the prompt. */
export const wanTuningSchema = z.object({
  resolution: z.enum(WAN_PARAMS.resolution.values).optional(),
  numFrames: ranged(WAN_PARAMS.numFrames).optional(),
  framesPerSecond: ranged(WAN_PARAMS.framesPerSecond).optional(),
  sampleSteps: ranged(WAN_PARAMS.sampleSteps).optional(),
  sampleShift: ranged(WAN_PARAMS.sampleShift).optional(),
  seed: z.number().int().optional(),
});

/** The names of the tunable fields (the table's, then `seed`), derived from the schema above. */
export const WAN_TUNING_FIELDS = Object.keys(wanTuningSchema.shape) as Array<keyof z.infer<typeof wanTuningSchema>>;

/**
 * The one cross-field rule of the Wan 2.2 inputs, as Scenario's reference states it
 * (`required.ifDefined`): `lastFrameImage` only together with `image`. `image` itself is optional.
 * Every face checks it through here (the prompt-file parser, `planRender`, hence the n8n node and
 * the CLI) and words `message` for its medium, prefixed by the field's name or label as it sees fit.
 * It only looks at which images are set, so it applies to any model's inputs, not only Wan 2.2's.
 */
export const LAST_FRAME_NEEDS_IMAGE = {
  field: 'lastFrameImage',
  message: 'only works together with image',
} as const;

/** The cross-field rule broken by these inputs, if any (see LAST_FRAME_NEEDS_IMAGE). */
export function wanCrossFieldIssue(inputs: {
  image?: unknown;
  lastFrameImage?: unknown;
}): typeof LAST_FRAME_NEEDS_IMAGE | undefined {
  return inputs.lastFrameImage !== undefined && inputs.image === undefined ? LAST_FRAME_NEEDS_IMAGE : undefined;
}

/**
 * The body sent to `POST /generate/custom/model_wan-2-2-i2v-a14b`, images already uploaded
 * (asset ids). Unset tuning fields are left to the API's defaults, which equal WAN_PARAMS. `image`
 * is optional, as on Scenario's reference page (whose example request has none); `lastFrameImage`
 * only with it (`wanCrossFieldIssue`, checked by `planRender`).
 */
export const wanParamsSchema = wanTuningSchema
  .extend({
    prompt: z.string().trim().min(1, 'prompt must not be empty'),
    image: z.string().min(1).optional(),
    lastFrameImage: z.string().min(1).optional(),
  })
  .strict();

export type WanTuning = z.infer<typeof wanTuningSchema>;
export type WanParams = z.infer<typeof wanParamsSchema>;
