export * from './types.js';
export * from './load.js';
export * from './parse.js';
export * from './validate.js';
export * from './rules.js';
export * from './freeze.js';
export * from './load-release.js';
