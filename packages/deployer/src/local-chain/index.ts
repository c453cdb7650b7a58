export * from './api-stand-in.js';
export * from './chain.js';
export * from './cognito-local.js';
export * from './control-plane.js';
export * from './free-port.js';
export * from './jwt-verifier.js';
