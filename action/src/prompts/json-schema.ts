import { z } from 'zod';
import { promptFileSchema } from './schema.js';

/** Where the published schema lives in this repository (relative to the action package). */
export const PROMPT_FILE_SCHEMA_PATH = 'schema/prompt-file.schema.json';

/**
 * The JSON Schema of prompt files, generated from the same zod schema the parser validates with.
 * Draft-07, the draft editors' YAML and JSON language servers support best.
 */
export function promptFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(promptFileSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return generated;
}

/** The file's exact text: stable key order, two-space indent, final newline. */
export function promptFileJsonSchemaText(): string {
  return `${JSON.stringify(promptFileJsonSchema(), null, 2)}\n`;
}
