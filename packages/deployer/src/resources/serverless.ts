// What every instance-only part of the deployer says about a serverless
// environment: it has no instances to scale, size, count or measure.
import type { EnvironmentConfig } from '../release/types.js';

/** The reason shown wherever a check or resource does not apply to a serverless endpoint. */
export const NO_INSTANCES = 'serverless endpoint (no instances)';

/** The same reason as a skip line: plan notes, status and check messages. */
export const SERVERLESS_SKIP = `skip: ${NO_INSTANCES}`;

export const isServerless = (env: Pick<EnvironmentConfig, 'serverless'>): boolean => env.serverless !== undefined;
