// Public types of @model-service/runtime: the contract between the runtime, the
// generated projects, the examples and the benchmarks. Change with care.
import type { Express } from 'express';
import type { Logger } from 'pino';

/** A JSON Schema (draft 2020-12) object, compiled once by Ajv at start-up. */
export type JsonSchema = Record<string, unknown>;

/**
 * The user's model. The runtime owns the HTTP envelope
 * (`{"instances": [...]}` -> `{"predictions": [...]}`) and calls `predict` with a
 * batch of instances (one request's rows, or several requests' rows when
 * micro-batching is on); it must return one prediction per instance, in order.
 */
export interface ModelDefinition<Instance = unknown, Prediction = unknown> {
  name: string;
  /**
   * Part of every cache key and of /ping's body; change it when the weights change. When the
   * service checks the model file (`modelArtifact`), that file's sha256 is what it reports instead.
   */
  version: string;
  /** JSON Schema of ONE instance (an element of `instances`). */
  instanceSchema: JsonSchema;
  /** JSON Schema of ONE prediction (an element of `predictions`). */
  predictionSchema: JsonSchema;
  /** Loads weights/sessions. Ready is reported only after load + warm-up succeed. */
  load?(): Promise<void> | void;
  predict(instances: Instance[]): Promise<Prediction[]> | Prediction[];
  /** Sample instances run once after load, before the service reports ready. */
  warmup?: Instance[];
  /** Turns one `text/csv` row (already split into cells) into an instance; absent = CSV refused with 415. */
  fromCsvRow?(cells: string[]): Instance;
  /** Optional rule-based answers when the model is unavailable; flagged `source: "fallback"`. */
  fallback?(instances: Instance[]): Prediction[];
  /** Closes sessions/handles on shutdown. */
  close?(): Promise<void> | void;
}

/** A custom readiness check; a throw or `false` makes /health/ready answer 503. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean | void> | boolean | void;
}

export type HealthState = 'starting' | 'ready' | 'unhealthy' | 'stopping';

export interface CacheOptions {
  kind: 'off' | 'memory' | 'redis';
  /** Seconds an entry lives. */
  ttlSeconds?: number;
  /** memory: bound on entries. */
  maxEntries?: number;
  /** memory: bound on the sum of entry sizes in bytes. */
  maxBytes?: number;
  /** redis: connection URL, e.g. redis://127.0.0.1:6379 */
  redisUrl?: string;
  /** redis, rediss://: PEM file of the CA that signed the server's certificate (default: Node's CAs). */
  redisCaFile?: string;
  /** redis: how to authenticate. Default: the URL's user:password, if any. */
  redisAuth?: RedisAuthOptions;
}

/** ElastiCache IAM authentication: AUTH <userId> <token signed with the AWS credentials>. */
export interface RedisIamAuthOptions {
  kind: 'iam';
  /** The ElastiCache user id (equal to its user name). */
  userId: string;
  /** The cache the token is for (serverless cache name or replication group id). */
  cacheName: string;
  region: string;
  /** Default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then the container credentials endpoint. */
  credentials?: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
  }>;
  /** Clock the token is signed with, for tests. */
  now?: () => Date;
}

export type RedisAuthOptions = { kind: 'none' } | RedisIamAuthOptions;

export interface BatchingOptions {
  enabled: boolean;
  /** Upper bound on instances per predict call. */
  maxBatchSize?: number;
  /** Longest a request waits for others to join its batch. */
  maxWaitMs?: number;
}

export interface EmfServiceOptions {
  /** CloudWatch namespace (default ModelService). */
  namespace?: string;
  /** The Service dimension (default: the model's name). The Environment dimension is `environment` (default local). */
  service?: string;
  /** The Variant dimension: the SageMaker production variant (default AllTraffic). */
  variant?: string;
  /** How often the aggregate is written (default 60000). */
  intervalMs?: number;
}

export interface ServiceOptions {
  // Any model's own input and output types; the compiled schemas check them at run time.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: ModelDefinition<any, any>;
  /**
   * The model file and its recorded sha256 (release.yaml `model.sha256`, MS_MODEL_PATH +
   * MS_MODEL_SHA256). createService refuses to start (MS_RUNTIME_MODEL_HASH_MISMATCH) when
   * the file's hash differs, before the model is loaded.
   */
  modelArtifact?: { path: string; sha256: string };
  /** The deployment environment (default: MODEL_SERVICE_ENV); part of every cache key. */
  environment?: string;
  readinessChecks?: ReadinessCheck[];
  cache?: CacheOptions;
  batching?: BatchingOptions;
  /** Upper bound on instances in one request (default 64). */
  maxInstances?: number;
  /** Largest accepted body in bytes (default 6 MiB, SageMaker's real-time payload cap). */
  maxBodyBytes?: number;
  /** Predict calls slower than this answer 504 (default 9000, at most 55000: SageMaker stops waiting at 60 s). */
  predictTimeoutMs?: number;
  /** In-flight requests above this answer 503 with Retry-After (default 256). */
  maxInFlight?: number;
  /** Longest graceful shutdown waits for in-flight requests (default 25000, at most 29000: SIGKILL comes at 30 s). */
  drainTimeoutMs?: number;
  /** Complete request headers must arrive within this; also closes connections that send nothing (default 10000). */
  headersTimeoutMs?: number;
  /** The whole request, headers and body, must arrive within this, else 408 and close (default 30000). */
  requestTimeoutMs?: number;
  /** A body that pauses longer than this between two pieces is answered 408 and closed (default 5000). */
  bodyIdleTimeoutMs?: number;
  /** Idle keep-alive connections close after this (default 65000, above a 60 s load-balancer idle timeout). */
  keepAliveTimeoutMs?: number;
  /** Connections above this are closed as soon as accepted (default 1024). */
  maxConnections?: number;
  /** Write a sample of requests and answers as JSON lines to this folder (MS_CAPTURE_DIR; default: off). */
  capture?: { dir: string; samplingPercent: number };
  /**
   * Write the service's metrics as CloudWatch Embedded Metric Format lines on stdout, aggregated
   * per interval (MS_METRICS_EMF; default off). Absent = off.
   */
  emf?: EmfServiceOptions;
  /** Log request/response bodies (default false). */
  logPayloads?: boolean;
  logLevel?: string;
  /** A pino logger to write to (default: JSON lines on stdout, written asynchronously). */
  logger?: Logger;
  /**
   * Serve POST /invocations, POST /endpoints/:name/invocations and GET /ping straight from the
   * node:http listener, skipping Express routing (default true). It turns itself off when
   * `configure` registers middleware, so user middleware always sees those routes.
   */
  fastPath?: boolean;
  /**
   * Registers middleware that must run BEFORE the runtime's routes (auth, custom logging).
   * Anything added here turns the fast path off. Routes added to `service.app` after
   * createService() returns run after the runtime's routes, as usual in Express.
   */
  configure?(app: Express): void;
}

export interface Service {
  /** The Express app: users add their own routes and middleware. */
  app: Express;
  /** Loads + warms the model, then listens (PORT, default 8080). */
  listen(port?: number, host?: string): Promise<{ port: number; host: string; state: HealthState }>;
  /** Loads + warms the model without listening (for supertest on `app`); listen() calls it. */
  start(): Promise<HealthState>;
  /** The node:http server once listen() was called. */
  readonly server: import('node:http').Server | undefined;
  /** Graceful stop: stop accepting, drain in-flight, close cache and model. True when every request drained in time. */
  close(): Promise<boolean>;
  readonly state: HealthState;
  /** Whether the fast path serves the hot routes (decided at listen(); false before). */
  readonly fastPath: boolean;
}
