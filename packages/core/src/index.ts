export * from './ports.js';
export * from './params.js';
export * from './events.js';
export * from './errors.js';
