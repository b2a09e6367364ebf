/**
 * The Scenario client shared by every scenario-video face (`@scenario-video/core`): validation,
 * upload, submit (never paid twice), adaptive wait, safe download. This file is the node's only
 * import of it; `scripts/bundle-core.mjs` replaces its compiled output with a bundle of the core
 * and zod, so the published package has no runtime dependency.
 */
import { config } from 'zod';

// No code generation in a community node: zod validates without its `new Function` fast path.
// (In the bundle zod's config is local to this package, so this changes nothing else in n8n.)
config({ jitless: true });

export * from '@scenario-video/core';
