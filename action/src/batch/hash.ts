import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ImageSource, LoadedVideo } from '../prompts/index.js';

/** Bump when the hashed fields change meaning, so old outputs re-render. */
const HASH_VERSION = 1;

/**
 * The content hash of one video: model, prompt, every parameter and the input images' bytes
 * (SHA-256). The output name is not part of it. A URL image is hashed by its URL (its bytes are
 * fetched only at render time), an asset id by its id.
 */
export async function contentHash(video: LoadedVideo): Promise<string> {
  const image = async (source: ImageSource | undefined) => {
    if (!source) return null;
    if (source.kind === 'file') return { sha256: await fileSha256(source.path) };
    if (source.kind === 'url') return { url: source.url };
    return { assetId: source.assetId };
  };
  const canonical = canonicalJson({
    v: HASH_VERSION,
    model: video.model,
    prompt: video.prompt,
    tuning: video.tuning,
    params: video.params,
    image: await image(video.image),
    lastFrameImage: await image(video.lastFrameImage),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
