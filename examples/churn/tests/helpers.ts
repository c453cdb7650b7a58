// Starts the real service on a free loopback port for a test file; `stop` drains it.
import type { Service } from '@model-service/runtime';
import { buildService } from '../src/app.js';

/** Tests stay hermetic. */
export const TEST_ENV: NodeJS.ProcessEnv = { ...process.env };

/** A service listening for one test file. */
export interface Running {
  service: Service;
  url: string;
  /** Closes the service; true when every request drained in time. */
  stop(): Promise<boolean>;
}

/** Builds the service with its generated defaults, loads the model and listens on a free loopback port. */
export async function start(): Promise<Running> {
  const service = buildService({ logLevel: 'silent' }, TEST_ENV);
  const { port } = await service.listen(0, '127.0.0.1');
  return { service, url: `http://127.0.0.1:${port}`, stop: () => service.close() };
}
