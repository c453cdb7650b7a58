// The handler's settings, all from environment variables that the lambda-proxy
// resource sets at deploy time. Read once at cold start.
import { parseAllowOrigins } from './cors.js';
import { parseFallbackRules, type FallbackRules } from './fallback.js';
import type { BudgetedRetryPolicy } from './retry.js';

/** Names of the env vars the deployer sets on the function. */
export const PROXY_ENV = {
  endpointName: 'MS_ENDPOINT_NAME',
  attempts: 'MS_RETRY_MAX_ATTEMPTS',
  baseDelayMs: 'MS_RETRY_BASE_DELAY_MS',
  maxDelayMs: 'MS_RETRY_MAX_DELAY_MS',
  totalBudgetMs: 'MS_RETRY_TOTAL_BUDGET_MS',
  attemptTimeoutMs: 'MS_ATTEMPT_TIMEOUT_MS',
  fallbackRules: 'MS_FALLBACK_RULES',
  corsAllowOrigins: 'MS_CORS_ALLOW_ORIGINS',
} as const;

/** SageMaker's InvokeEndpoint payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface ProxyConfig {
  endpointName: string;
  retry: BudgetedRetryPolicy;
  /** Per-attempt cap; also bounded by what is left of the total budget. */
  attemptTimeoutMs: number;
  fallback?: FallbackRules;
  allowOrigins: string[];
}

// API Gateway gives up at 29 s; the defaults stay well inside it.
export const DEFAULT_RETRY: BudgetedRetryPolicy = {
  attempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  totalBudgetMs: 20000,
};
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10000;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${raw} must be an integer in ${min}..${max}`);
  }
  return value;
}

export function loadProxyConfig(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const endpointName = env[PROXY_ENV.endpointName];
  if (!endpointName) throw new Error(`${PROXY_ENV.endpointName} is not set`);
  let fallback: FallbackRules | undefined;
  try {
    fallback = parseFallbackRules(env[PROXY_ENV.fallbackRules]);
  } catch (err) {
    throw new Error(`${PROXY_ENV.fallbackRules}: ${(err as Error).message}`, { cause: err });
  }
  return {
    endpointName,
    retry: {
      attempts: intFrom(env, PROXY_ENV.attempts, DEFAULT_RETRY.attempts, 1, 10),
      baseDelayMs: intFrom(env, PROXY_ENV.baseDelayMs, DEFAULT_RETRY.baseDelayMs, 1, 10000),
      maxDelayMs: intFrom(env, PROXY_ENV.maxDelayMs, DEFAULT_RETRY.maxDelayMs, 1, 20000),
      totalBudgetMs: intFrom(env, PROXY_ENV.totalBudgetMs, DEFAULT_RETRY.totalBudgetMs, 100, 28000),
    },
    attemptTimeoutMs: intFrom(env, PROXY_ENV.attemptTimeoutMs, DEFAULT_ATTEMPT_TIMEOUT_MS, 100, 28000),
    fallback,
    allowOrigins: parseAllowOrigins(env[PROXY_ENV.corsAllowOrigins]),
  };
}
