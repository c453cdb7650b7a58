// Builds the service: the model, its readiness checks and the runtime configuration chosen
// when the project was generated. Every MS_* variable in the environment overrides these
// defaults (see the runtime's configuration table); tests and src/server.ts both use this.
import { createService, loadConfig, serviceOptionsFromConfig, type Service, type ServeOptions } from '@model-service/runtime';
import { readinessChecks } from './health.js';
import { MODEL_PATH, MODEL_SHA256, createModel } from './model_loader.js';

/**
 * The model file the loader reads and the SHA-256 it was tested with: the runtime hashes the
 * file before loading it and refuses to start on any other bytes.
 */
export const MODEL_ARTIFACT: Readonly<{ path: string; sha256: string }> = Object.freeze({ path: MODEL_PATH, sha256: MODEL_SHA256 });

/** The generator's answers as runtime variables (cache memory). */
export const DEFAULT_ENV: Readonly<Record<string, string>> = Object.freeze({
  MS_CACHE: 'memory',
  MS_CACHE_TTL: '300',
  MS_CACHE_MAX_ENTRIES: '10000',
});

/** Generated defaults, then the process environment on top. */
export function serviceEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...DEFAULT_ENV, ...env };
}

/** Options for the runtime's `serve` (src/server.ts). */
export function serveOptions(env: NodeJS.ProcessEnv = process.env): ServeOptions {
  return { env: serviceEnv(env), readinessChecks: readinessChecks(), modelArtifact: MODEL_ARTIFACT };
}

/** A service that is not listening yet; `listen()` loads and warms the model. */
export function buildService(overrides: Omit<ServeOptions, 'env'> = {}, env: NodeJS.ProcessEnv = process.env): Service {
  const config = loadConfig(serviceEnv(env));
  return createService({
    ...serviceOptionsFromConfig(config),
    readinessChecks: readinessChecks(),
    modelArtifact: MODEL_ARTIFACT,
    ...overrides,
    model: createModel(),
  });
}
