// The numbers of SageMaker's container contract, and the node:http limits derived from them.
// SageMaker: a real-time payload is at most 6 MB, an invocation answers within 60 s, SIGKILL
// follows SIGTERM after 30 s, and an instance whose /ping is slow is replaced. Node's own
// defaults (300 s request timeout, no connection cap) let slow or idle clients hold memory.
import type { ServerOptions } from 'node:http';
import { RuntimeError } from './errors.js';

/** SageMaker real-time inference: the most the platform itself forwards in one request. */
export const SAGEMAKER_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** SageMaker real-time inference: InvokeEndpoint gives up after this. */
export const SAGEMAKER_INVOCATION_MS = 60_000;
/** SageMaker (and ECS's default stopTimeout, Kubernetes' default grace period): SIGKILL follows SIGTERM after this. */
export const SIGKILL_AFTER_SIGTERM_MS = 30_000;

/** Most a predict deadline may be: below SageMaker's 60 s, leaving time to parse and answer. */
export const MAX_PREDICT_TIMEOUT_MS = 55_000;
/** Most a drain may take: below the 30 s after which SIGKILL arrives, leaving time to close the cache. */
export const MAX_DRAIN_TIMEOUT_MS = 29_000;

export interface ServerLimits {
  /** Complete request headers must arrive within this (also bounds connections that send nothing). */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** Longest pause between two pieces of a body before the request is answered 408 and closed. */
  bodyIdleTimeoutMs: number;
  /** Idle keep-alive connections close after this; above the usual 60 s load-balancer idle timeout. */
  keepAliveTimeoutMs: number;
  /** Connections above this are closed as soon as they are accepted. */
  maxConnections: number;
}

export const SERVER_LIMIT_DEFAULTS: Readonly<ServerLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 5_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1024,
});

/** How often node:http checks headersTimeout/requestTimeout (its default, 30 s, would let them overrun by as much). */
const CONNECTIONS_CHECK_MS = 1_000;

function limit(name: keyof ServerLimits, value: number | undefined, min: number): number {
  if (value === undefined) return SERVER_LIMIT_DEFAULTS[name];
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: `${name}=${JSON.stringify(value)} is not allowed; use an integer of at least ${min}.`,
    });
  }
  return value;
}

/** Resolves and checks the limits; throws MS_RUNTIME_CONFIG_INVALID naming the option. */
export function resolveServerLimits(options: Partial<ServerLimits>): ServerLimits {
  const limits: ServerLimits = {
    headersTimeoutMs: limit('headersTimeoutMs', options.headersTimeoutMs, 1),
    requestTimeoutMs: limit('requestTimeoutMs', options.requestTimeoutMs, 1),
    bodyIdleTimeoutMs: limit('bodyIdleTimeoutMs', options.bodyIdleTimeoutMs, 1),
    keepAliveTimeoutMs: limit('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 1),
    maxConnections: limit('maxConnections', options.maxConnections, 1),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: `headersTimeoutMs=${limits.headersTimeoutMs} is longer than requestTimeoutMs=${limits.requestTimeoutMs}; the headers are part of the request, so raise requestTimeoutMs or lower headersTimeoutMs.`,
    });
  }
  return limits;
}

/** Checks a deadline against the contract's ceiling; throws MS_RUNTIME_CONFIG_INVALID saying why. */
export function checkCeiling(name: string, value: number, ceiling: number, why: string): number {
  if (value > ceiling) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', { detail: `${name}=${value} is above ${ceiling}: ${why}.` });
  }
  return value;
}

/** The createServer options that carry the limits (connectionsCheckingInterval is construction-only). */
export function httpServerOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_MS, limits.headersTimeoutMs),
  };
}
