export * from './prompts/index.js';
export * from './batch/index.js';
