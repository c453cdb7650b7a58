// Runtime configuration from environment variables: one JSON Schema with defaults is the
// single source; load (pick variables) -> validate (Ajv, coerce, defaults) -> freeze.
// `fileValues` is the seam for release.yaml: its values sit between defaults and env.
import { Ajv, type ErrorObject } from 'ajv';
import { RuntimeError } from './errors.js';
import {
  MAX_DRAIN_TIMEOUT_MS,
  MAX_PREDICT_TIMEOUT_MS,
  SAGEMAKER_MAX_PAYLOAD_BYTES,
  SERVER_LIMIT_DEFAULTS,
} from './server-limits.js';
import { EMF_DEFAULTS } from './emf-metrics.js';
import type { ServiceOptions } from './types.js';

export interface RuntimeConfig {
  PORT: number;
  HOST: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  MS_LOG_PAYLOADS: boolean;
  MS_CACHE: 'off' | 'memory' | 'redis';
  MS_CACHE_TTL: number;
  MS_CACHE_MAX_ENTRIES: number;
  MS_CACHE_MAX_BYTES: number;
  MS_REDIS_URL?: string;
  MS_REDIS_AUTH: 'none' | 'iam';
  MS_REDIS_USER?: string;
  MS_REDIS_IAM_CACHE?: string;
  MS_REDIS_IAM_REGION?: string;
  MS_REDIS_CA_FILE?: string;
  MS_MAX_INSTANCES: number;
  MS_MAX_BODY_BYTES: number;
  MS_PREDICT_TIMEOUT_MS: number;
  MS_MAX_IN_FLIGHT: number;
  MS_DRAIN_TIMEOUT_MS: number;
  MS_HEADERS_TIMEOUT_MS: number;
  MS_REQUEST_TIMEOUT_MS: number;
  MS_BODY_IDLE_TIMEOUT_MS: number;
  MS_KEEP_ALIVE_TIMEOUT_MS: number;
  MS_MAX_CONNECTIONS: number;
  MS_BATCH: 'off' | 'on';
  MS_BATCH_MAX_SIZE: number;
  MS_BATCH_MAX_WAIT_MS: number;
  MS_FAST_PATH: boolean;
  MS_CAPTURE_DIR?: string;
  MS_CAPTURE_SAMPLING_PERCENT: number;
  MS_MODEL_PATH?: string;
  MS_MODEL_SHA256?: string;
  MS_METRICS_EMF: boolean;
  MS_METRICS_NAMESPACE: string;
  MS_METRICS_SERVICE?: string;
  MS_METRICS_VARIANT: string;
  MS_METRICS_EMF_INTERVAL_MS: number;
}

const int = (minimum: number, maximum: number, dflt: number, description: string) => ({
  type: 'integer',
  minimum,
  maximum,
  default: dflt,
  description,
});
const bool = (dflt: boolean, description: string) => ({ type: 'boolean', default: dflt, description });

/** The schema of every variable the runtime reads; also the source of the README's table. */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    PORT: int(0, 65535, 8080, 'port to listen on (SageMaker: 8080)'),
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'address to bind' },
    LOG_LEVEL: {
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      description: 'pino log level',
    },
    MS_LOG_PAYLOADS: bool(false, 'log request and response bodies (never on in production)'),
    MS_CACHE: { enum: ['off', 'memory', 'redis'], default: 'off', description: 'prediction cache tier' },
    MS_CACHE_TTL: int(1, 31_536_000, 300, 'seconds a cached answer lives'),
    MS_CACHE_MAX_ENTRIES: int(1, 100_000_000, 10_000, 'memory cache: most entries'),
    MS_CACHE_MAX_BYTES: int(1024, 68_719_476_736, 67_108_864, 'memory cache: most bytes'),
    MS_REDIS_URL: {
      type: 'string',
      pattern: '^rediss?://',
      description: 'redis cache: redis://host:port, or rediss://host:port for TLS (server certificate verified)',
    },
    MS_REDIS_AUTH: {
      enum: ['none', 'iam'],
      default: 'none',
      description:
        "redis cache: iam signs an ElastiCache IAM token with the AWS credentials (execution role) for every connection; none uses the URL's user:password, if any",
    },
    MS_REDIS_USER: {
      type: 'string',
      minLength: 1,
      description: 'redis cache, MS_REDIS_AUTH=iam: the ElastiCache user id (and user name) to authenticate as',
    },
    MS_REDIS_IAM_CACHE: {
      type: 'string',
      minLength: 1,
      description: 'redis cache, MS_REDIS_AUTH=iam: the ElastiCache cache name the token is signed for',
    },
    MS_REDIS_IAM_REGION: {
      type: 'string',
      pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
      description: 'redis cache, MS_REDIS_AUTH=iam: the AWS region of the cache',
    },
    MS_REDIS_CA_FILE: {
      type: 'string',
      minLength: 1,
      description:
        "redis cache, rediss://: PEM file of the CA that signed the server's certificate (default: Node's CAs)",
    },
    MS_MAX_INSTANCES: int(1, 100_000, 64, 'most instances in one request'),
    MS_MAX_BODY_BYTES: int(
      64,
      1_073_741_824,
      SAGEMAKER_MAX_PAYLOAD_BYTES,
      'largest request body in bytes (SageMaker real-time: 6 MiB)',
    ),
    MS_PREDICT_TIMEOUT_MS: int(
      1,
      MAX_PREDICT_TIMEOUT_MS,
      9_000,
      "predict calls slower than this answer 504 (below the Lambda proxy's 10 s and SageMaker's 60 s)",
    ),
    MS_MAX_IN_FLIGHT: int(1, 1_000_000, 256, 'requests in flight above this answer 503'),
    MS_DRAIN_TIMEOUT_MS: int(0, MAX_DRAIN_TIMEOUT_MS, 25_000, 'longest SIGTERM drain (SIGKILL follows at 30 s)'),
    MS_HEADERS_TIMEOUT_MS: int(
      1,
      3_600_000,
      SERVER_LIMIT_DEFAULTS.headersTimeoutMs,
      'request headers must arrive within this; also closes connections that send nothing',
    ),
    MS_REQUEST_TIMEOUT_MS: int(
      1,
      3_600_000,
      SERVER_LIMIT_DEFAULTS.requestTimeoutMs,
      'the whole request (headers + body) must arrive within this, else 408',
    ),
    MS_BODY_IDLE_TIMEOUT_MS: int(
      1,
      3_600_000,
      SERVER_LIMIT_DEFAULTS.bodyIdleTimeoutMs,
      'a body pausing longer than this is answered 408 and closed',
    ),
    MS_KEEP_ALIVE_TIMEOUT_MS: int(
      1,
      3_600_000,
      SERVER_LIMIT_DEFAULTS.keepAliveTimeoutMs,
      "idle keep-alive connections close after this (keep above the load balancer's idle timeout)",
    ),
    MS_MAX_CONNECTIONS: int(
      1,
      1_000_000,
      SERVER_LIMIT_DEFAULTS.maxConnections,
      'connections above this are closed when accepted',
    ),
    MS_BATCH: { enum: ['off', 'on'], default: 'off', description: 'adaptive micro-batching' },
    MS_BATCH_MAX_SIZE: int(1, 100_000, 32, 'most instances per batched predict call'),
    MS_BATCH_MAX_WAIT_MS: int(0, 10_000, 2, 'longest a request waits for a batch to fill'),
    MS_FAST_PATH: bool(true, 'serve /invocations and /ping without Express routing'),
    MS_CAPTURE_DIR: {
      type: 'string',
      minLength: 1,
      description: 'write sampled requests and answers as JSON lines to this folder (data capture; off when unset)',
    },
    MS_CAPTURE_SAMPLING_PERCENT: int(1, 100, 100, 'percentage of answered requests MS_CAPTURE_DIR records'),
    MS_MODEL_PATH: {
      type: 'string',
      minLength: 1,
      description: 'model file whose sha256 is checked at start (with MS_MODEL_SHA256)',
    },
    MS_MODEL_SHA256: {
      type: 'string',
      pattern: '^(sha256:)?[0-9a-fA-F]{64}$',
      description: 'recorded sha256 of MS_MODEL_PATH; a different file stops the start',
    },
    MS_METRICS_EMF: bool(
      false,
      'write the metrics as CloudWatch Embedded Metric Format lines on stdout, once per interval (the deployer turns it on in SageMaker)',
    ),
    MS_METRICS_NAMESPACE: {
      type: 'string',
      pattern: '^[a-zA-Z0-9._#:/-]{1,255}$',
      default: EMF_DEFAULTS.namespace,
      description: 'CloudWatch namespace of the EMF metrics',
    },
    MS_METRICS_SERVICE: {
      type: 'string',
      pattern: '^[\\x21-\\x7e]{1,1024}$',
      description: "EMF Service dimension (default: the model's name)",
    },
    MS_METRICS_VARIANT: {
      type: 'string',
      pattern: '^[\\x21-\\x7e]{1,1024}$',
      default: EMF_DEFAULTS.variant,
      description: 'EMF Variant dimension: the SageMaker production variant',
    },
    MS_METRICS_EMF_INTERVAL_MS: int(
      1000,
      3_600_000,
      EMF_DEFAULTS.intervalMs,
      'how often the EMF aggregate is written (also once at shutdown)',
    ),
  },
  dependencies: { MS_MODEL_SHA256: ['MS_MODEL_PATH'], MS_MODEL_PATH: ['MS_MODEL_SHA256'] },
  if: { properties: { MS_CACHE: { const: 'redis' } }, required: ['MS_CACHE'] },
  then: { required: ['MS_REDIS_URL'] },
} as const;

type Properties = typeof CONFIG_SCHEMA.properties;
const VARIABLES = Object.keys(CONFIG_SCHEMA.properties) as Array<keyof Properties>;

// validateSchema off: checking this fixed schema against the JSON Schema meta-schema would compile
// the meta-schema at every start (the largest single cost of a cold start); a test checks it once.
const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false, strict: false, validateSchema: false });
const validate = ajv.compile(CONFIG_SCHEMA);

function allowed(name: string): string {
  const prop = (CONFIG_SCHEMA.properties as Record<string, Record<string, unknown>>)[name];
  if (!prop) return 'see the configuration table in the README';
  if (Array.isArray(prop.enum)) return `one of ${prop.enum.join(', ')}`;
  if (prop.type === 'integer') return `an integer from ${String(prop.minimum)} to ${String(prop.maximum)}`;
  if (prop.type === 'boolean') return 'true or false';
  if (name === 'MS_MODEL_SHA256') return 'the 64 hex characters of `sha256sum <model file>`';
  if (name === 'MS_REDIS_IAM_REGION') return 'an AWS region such as eu-west-1';
  if (typeof prop.pattern === 'string') return `a value matching ${prop.pattern}`;
  return 'a non-empty string';
}

function describe(error: ErrorObject, values: Record<string, unknown>): string {
  if (error.keyword === 'dependencies') {
    const { property, missingProperty } = error.params as { property: string; missingProperty: string };
    return `${property} is set but ${missingProperty} is not; set both (the model file and its recorded sha256) or neither.`;
  }
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    return `${missing} is required when MS_CACHE=redis; set it to ${allowed(missing)} (e.g. redis://127.0.0.1:6379).`;
  }
  const name = error.instancePath.replace(/^\//, '');
  return `${name}=${JSON.stringify(values[name])} is not allowed; use ${allowed(name)}.`;
}

/**
 * Reads the runtime's variables from `env`, validates them and returns a frozen config.
 * Throws RuntimeError MS_RUNTIME_CONFIG_INVALID naming the variable and its allowed values.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  fileValues: Partial<Record<keyof RuntimeConfig, unknown>> = {},
): Readonly<RuntimeConfig> {
  const values: Record<string, unknown> = { ...fileValues };
  for (const name of VARIABLES) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') values[name] = raw.trim();
  }
  const original = { ...values };
  if (!validate(values)) {
    const [first] = validate.errors ?? [];
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: first ? describe(first, original) : 'unknown problem',
    });
  }
  const config = values as unknown as RuntimeConfig;
  if (config.MS_CACHE === 'redis' && config.MS_REDIS_AUTH === 'iam') checkIamAuth(config);
  return Object.freeze(config);
}

// Cross-field rules of MS_REDIS_AUTH=iam, with messages that say what the deployer would have set.
function checkIamAuth(config: RuntimeConfig): void {
  const missing = (['MS_REDIS_USER', 'MS_REDIS_IAM_CACHE', 'MS_REDIS_IAM_REGION'] as const).filter((n) => !config[n]);
  if (missing.length) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: `MS_REDIS_AUTH=iam needs ${missing.join(', ')}: the ElastiCache user id, the cache name and its region (model-deploy sets all three for the cache it provisions).`,
    });
  }
  if (!config.MS_REDIS_URL?.startsWith('rediss://')) {
    throw new RuntimeError('MS_RUNTIME_CONFIG_INVALID', {
      detail: `MS_REDIS_AUTH=iam needs TLS: MS_REDIS_URL=${JSON.stringify(config.MS_REDIS_URL)} must start with rediss:// (ElastiCache takes IAM tokens only over TLS).`,
    });
  }
}

/** Maps a validated config onto createService options (the model comes from the caller). */
export function serviceOptionsFromConfig(config: Readonly<RuntimeConfig>): Omit<ServiceOptions, 'model'> {
  return {
    cache: {
      kind: config.MS_CACHE,
      ttlSeconds: config.MS_CACHE_TTL,
      maxEntries: config.MS_CACHE_MAX_ENTRIES,
      maxBytes: config.MS_CACHE_MAX_BYTES,
      redisUrl: config.MS_REDIS_URL,
      ...(config.MS_REDIS_CA_FILE ? { redisCaFile: config.MS_REDIS_CA_FILE } : {}),
      ...(config.MS_REDIS_AUTH === 'iam'
        ? {
            redisAuth: {
              kind: 'iam' as const,
              userId: config.MS_REDIS_USER!,
              cacheName: config.MS_REDIS_IAM_CACHE!,
              region: config.MS_REDIS_IAM_REGION!,
            },
          }
        : {}),
    },
    batching: {
      enabled: config.MS_BATCH === 'on',
      maxBatchSize: config.MS_BATCH_MAX_SIZE,
      maxWaitMs: config.MS_BATCH_MAX_WAIT_MS,
    },
    maxInstances: config.MS_MAX_INSTANCES,
    maxBodyBytes: config.MS_MAX_BODY_BYTES,
    predictTimeoutMs: config.MS_PREDICT_TIMEOUT_MS,
    maxInFlight: config.MS_MAX_IN_FLIGHT,
    drainTimeoutMs: config.MS_DRAIN_TIMEOUT_MS,
    headersTimeoutMs: config.MS_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.MS_REQUEST_TIMEOUT_MS,
    bodyIdleTimeoutMs: config.MS_BODY_IDLE_TIMEOUT_MS,
    keepAliveTimeoutMs: config.MS_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.MS_MAX_CONNECTIONS,
    logPayloads: config.MS_LOG_PAYLOADS,
    ...(config.MS_CAPTURE_DIR
      ? { capture: { dir: config.MS_CAPTURE_DIR, samplingPercent: config.MS_CAPTURE_SAMPLING_PERCENT } }
      : {}),
    logLevel: config.LOG_LEVEL,
    fastPath: config.MS_FAST_PATH,
    ...(config.MS_METRICS_EMF
      ? {
          emf: {
            namespace: config.MS_METRICS_NAMESPACE,
            variant: config.MS_METRICS_VARIANT,
            intervalMs: config.MS_METRICS_EMF_INTERVAL_MS,
            ...(config.MS_METRICS_SERVICE !== undefined ? { service: config.MS_METRICS_SERVICE } : {}),
          },
        }
      : {}),
    ...(config.MS_MODEL_PATH !== undefined && config.MS_MODEL_SHA256 !== undefined
      ? { modelArtifact: { path: config.MS_MODEL_PATH, sha256: config.MS_MODEL_SHA256 } }
      : {}),
  };
}
