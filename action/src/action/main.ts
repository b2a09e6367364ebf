// The GitHub Action's entry (bundled into action/dist/index.mjs): wire the toolkit to run().
import { run } from './run.js';
import { toolkitDeps } from './toolkit.js';

process.exitCode = await run(toolkitDeps());
