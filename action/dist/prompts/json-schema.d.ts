/** Where the published schema lives in this repository (relative to the action package). */
export declare const PROMPT_FILE_SCHEMA_PATH = "schema/prompt-file.schema.json";
/**
 * The JSON Schema of prompt files, generated from the same zod schema the parser validates with.
 * Draft-07, the draft editors' YAML and JSON language servers support best.
 */
export declare function promptFileJsonSchema(): Record<string, unknown>;
/** The file's exact text: stable key order, two-space indent, final newline. */
export declare function promptFileJsonSchemaText(): string;
