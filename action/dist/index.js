export * from './prompts/index.js';
//# sourceMappingURL=index.js.map