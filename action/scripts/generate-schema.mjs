// Writes schema/prompt-file.schema.json from the zod schema the parser validates with (built
// into dist/ first by the `schema` script). `--check` only compares, for CI.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PROMPT_FILE_SCHEMA_PATH, promptFileJsonSchemaText } from '../dist/index.js';

const target = fileURLToPath(new URL(`../${PROMPT_FILE_SCHEMA_PATH}`, import.meta.url));
const fresh = promptFileJsonSchemaText();
if (process.argv.includes('--check')) {
  // Compared as JSON, so formatting (Prettier) does not matter.
  const current = await readFile(target, 'utf8').catch(() => 'null');
  if (JSON.stringify(JSON.parse(current)) !== JSON.stringify(JSON.parse(fresh))) {
    console.error(`${PROMPT_FILE_SCHEMA_PATH} is stale: run pnpm --filter @scenario-video/action schema`);
    process.exit(1);
  }
  console.log(`${PROMPT_FILE_SCHEMA_PATH} is up to date`);
} else {
  await writeFile(target, fresh);
  console.log(`wrote ${PROMPT_FILE_SCHEMA_PATH}`);
}
