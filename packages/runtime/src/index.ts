export { createService, DEFAULTS } from './create-service.js';
export { serve, reportStartFailure, type ServeOptions } from './serve.js';
export { loadConfig, serviceOptionsFromConfig, CONFIG_SCHEMA, type RuntimeConfig } from './config.js';
export { ERRORS, RuntimeError, isRuntimeError, type ErrorCode } from './errors.js';
export { Health, type ReadinessReport, type CheckResult } from './health.js';
export { handleSignals, drainServer } from './lifecycle.js';
export { createLogger, requestIdFrom } from './logger.js';
export { Metrics } from './metrics.js';
export { EmfMetrics, EMF_DEFAULTS, EMF_METRIC_NAMES, type EmfOptions } from './emf-metrics.js';
export {
  compareGolden,
  parseGoldenSet,
  readGoldenSet,
  replayGoldenSet,
  type GoldenCase,
  type GoldenResult,
  type ReplayOptions,
} from './golden-set.js';
export { sha256File, verifyModelArtifact, type ModelArtifact } from './model-artifact.js';
export { ModelRunner } from './model-runner.js';
export { buildOpenApi } from './openapi.js';
export { createValidators, envelopeSchemas, fieldName } from './validation.js';
export { MicroBatcher } from './micro-batcher.js';
export { createCacheStore } from './cache/create-cache-store.js';
export { createMemoryStore } from './cache/memory-store.js';
export { createRedisStore } from './cache/redis-store.js';
export { cacheKey, canonicalize, canonicalBytes } from './cache/cache-key.js';
export type { CacheStore } from './cache/cache-store.js';
export type * from './types.js';
export { onnxModel, type OnnxModelOptions } from './onnx-model.js';
export {
  featureNames,
  instanceSchemaOf,
  isFeatureRowModel,
  parseSignature,
  predictionSchemaOf,
  type OnnxDim,
  type OnnxElementType,
  type OnnxInstance,
  type OnnxPrediction,
  type OnnxSignature,
  type OnnxTensorSpec,
} from './onnx-signature.js';
export { parseCsv } from './validation.js';
