// The container entry: config from the environment, createService, listen, and a
// graceful exit on SIGTERM. A configuration mistake stops the start with one clear
// message (no stack) and a non-zero exit code.
import { loadConfig, serviceOptionsFromConfig } from './config.js';
import { createService } from './create-service.js';
import { isRuntimeError } from './errors.js';
import { handleSignals } from './lifecycle.js';
import type { ModelDefinition, Service, ServiceOptions } from './types.js';

export interface ServeOptions extends Partial<Omit<ServiceOptions, 'model'>> {
  env?: NodeJS.ProcessEnv;
}

/** Prints a start-up failure: user errors as one paragraph with their code, others as a bug. */
export function reportStartFailure(err: unknown): void {
  if (isRuntimeError(err) || (err as { userError?: unknown } | null)?.userError === true) {
    const e = err as { code?: string; message: string };
    process.stderr.write(`model-service: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
  } else {
    process.stderr.write(
      `model-service: failed to start (this is a bug, please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
}

/**
 * Serves `model` the SageMaker way: PORT (default 8080), HOST, and the MS_* variables of
 * the README's configuration table. Explicit `options` win over the environment.
 * Resolves once the model is loaded and warm (or unhealthy); exits the process on
 * SIGTERM/SIGINT after draining (0 when drained in time).
 */
export async function serve(model: ModelDefinition, options: ServeOptions = {}): Promise<Service> {
  const { env = process.env, ...overrides } = options;
  let service: Service;
  let port: number;
  let host: string;
  try {
    const config = loadConfig(env);
    port = config.PORT;
    host = config.HOST;
    service = createService({ ...serviceOptionsFromConfig(config), ...overrides, model });
  } catch (err) {
    reportStartFailure(err);
    process.exit(1);
  }
  handleSignals(service);
  try {
    await service.listen(port, host);
  } catch (err) {
    reportStartFailure(err);
    process.exit(1);
  }
  return service;
}
