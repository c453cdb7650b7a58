// The cache seam. Every store degrades a fault to a miss (get -> undefined,
// set -> no-op) and reports it through onError; a cache never fails a request.
export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  /** value is the serialized response body. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  close(): Promise<void>;
}
