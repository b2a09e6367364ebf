import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/batch/hash.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
var HASH_VERSION = 1;
async function contentHash(video) {
  const image = async (source) => {
    if (!source) return null;
    if (source.kind === "file") return { sha256: await fileSha256(source.path) };
    if (source.kind === "url") return { url: source.url };
    return { assetId: source.assetId };
  };
  const canonical = canonicalJson({
    v: HASH_VERSION,
    model: video.model,
    prompt: video.prompt,
    tuning: video.tuning,
    params: video.params,
    image: await image(video.image),
    lastFrameImage: await image(video.lastFrameImage)
  });
  return createHash("sha256").update(canonical).digest("hex");
}
async function fileSha256(file) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest("hex");
}
function canonicalJson(value) {
  return JSON.stringify(sortKeys(value));
}
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) {
      const v = value[key];
      if (v !== void 0) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export {
  contentHash
};
