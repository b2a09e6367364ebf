export { DEFAULT_PATTERNS, discoverPromptFiles, type Discovery } from './discover.js';
export { canonicalJson, contentHash, fileSha256 } from './hash.js';
export * from './manifest.js';
export type * from './events.js';
export { DRY_RUN_MANIFEST_FILE, LEDGER_FILE, renderBatch, type BatchOptions, type BatchResult } from './render.js';
export { errorJson } from './render-videos.js';
