/**
 * What a submit asks for, by content. A second payment hides easily behind a fresh upload of the
 * same image (a new asset id for the same bytes), so submissions are compared by a key in which
 * every image asset id is replaced by the hash of the asset's bytes.
 */
import { createHash } from 'node:crypto';
import type { App } from './app.js';
import type { AssetRecord } from './state.js';

const hashes = new WeakMap<AssetRecord, string>();

function assetHash(asset: AssetRecord): string | undefined {
  if (!asset.data) return undefined; // a generated video: its id is its content
  let h = hashes.get(asset);
  if (h === undefined) {
    h = `sha256:${createHash('sha256').update(asset.data).digest('hex')}`;
    hashes.set(asset, h);
  }
  return h;
}

function canonical(v: unknown, replace: (s: string) => string): unknown {
  if (typeof v === 'string') return replace(v);
  if (Array.isArray(v)) return v.map((x) => canonical(x, replace));
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x, replace)]),
    );
  }
  return v;
}

/** `modelId` + the input as canonical JSON, the team's uploaded asset ids replaced by their bytes' hash. */
export function contentKeyOf(app: App, teamId: string, modelId: string, input: Record<string, unknown>): string {
  const replace = (s: string) => {
    const asset = s.startsWith('asset_') ? app.store.assets.get(s) : undefined;
    return (asset && asset.teamId === teamId && assetHash(asset)) || s;
  };
  return `${modelId} ${JSON.stringify(canonical(input, replace))}`;
}
