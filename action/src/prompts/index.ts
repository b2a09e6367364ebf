export * from './errors.js';
export * from './schema.js';
export * from './parse.js';
export * from './images.js';
export * from './load.js';
export { promptFileJsonSchema, promptFileJsonSchemaText, PROMPT_FILE_SCHEMA_PATH } from './json-schema.js';
