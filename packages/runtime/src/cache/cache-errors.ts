// Errors of the cache tier. A CacheFaultError never reaches a client: stores
// hand it to onError (metrics, logs) and answer a miss. A CacheConfigError stops
// the start, naming the bad option.

export const CACHE_ERROR_CODES = {
  MS_RUNTIME_CACHE_FAULT: 'The cache store failed ({detail}); the request was served as a cache miss.',
  MS_RUNTIME_CACHE_CONFIG_INVALID:
    'Cache option {option} is invalid: {detail}. Fix the value (see docs: cache and batching) and start again.',
} as const;

export type CacheErrorCode = keyof typeof CACHE_ERROR_CODES;
export type CacheOperation = 'get' | 'set' | 'connection';

export class CacheFaultError extends Error {
  readonly code = 'MS_RUNTIME_CACHE_FAULT' as const;
  override readonly name = 'CacheFaultError';

  constructor(
    readonly operation: CacheOperation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(CACHE_ERROR_CODES.MS_RUNTIME_CACHE_FAULT.replace('{detail}', `${operation}: ${detail}`), options);
  }
}

export class CacheConfigError extends Error {
  readonly code = 'MS_RUNTIME_CACHE_CONFIG_INVALID' as const;
  override readonly name = 'CacheConfigError';
  /** The user is at fault: print the message, no stack. */
  readonly userError = true;

  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(CACHE_ERROR_CODES.MS_RUNTIME_CACHE_CONFIG_INVALID.replace('{option}', option).replace('{detail}', detail));
  }
}
