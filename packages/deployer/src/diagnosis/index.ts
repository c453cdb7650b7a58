export * from './likely-cause.js';
export * from './endpoint-logs.js';
export * from './diagnose-endpoint.js';
export * from './render-diagnosis.js';
export * from './endpoint-failure.js';
