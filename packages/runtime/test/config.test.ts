// Config from the environment: schema defaults, coercion, freezing, and a bad value
// stopping the start with a message naming the variable and what is allowed.
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { CONFIG_SCHEMA, loadConfig, serviceOptionsFromConfig } from '../src/config.js';
import { RuntimeError } from '../src/errors.js';

function failure(env: Record<string, string>): RuntimeError {
  try {
    loadConfig(env);
  } catch (err) {
    return err as RuntimeError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('has a schema that is valid JSON Schema (the start skips this check)', () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(CONFIG_SCHEMA)).toBe(true);
  });

  it('fills every default from the schema and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      MS_CACHE: 'off',
      MS_CACHE_TTL: 300,
      MS_MAX_INSTANCES: 64,
      MS_PREDICT_TIMEOUT_MS: 9000,
      MS_MAX_BODY_BYTES: 6_291_456,
      MS_DRAIN_TIMEOUT_MS: 25000,
      MS_BATCH: 'off',
      MS_FAST_PATH: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces strings from the environment', () => {
    const config = loadConfig({
      PORT: '9090',
      MS_LOG_PAYLOADS: 'true',
      MS_CACHE: 'redis',
      MS_REDIS_URL: 'redis://127.0.0.1:6379',
      MS_BATCH: 'on',
    });
    expect(config.PORT).toBe(9090);
    expect(config.MS_LOG_PAYLOADS).toBe(true);
    const options = serviceOptionsFromConfig(config);
    expect(options.cache).toMatchObject({ kind: 'redis', redisUrl: 'redis://127.0.0.1:6379', ttlSeconds: 300 });
    expect(options.batching).toEqual({ enabled: true, maxBatchSize: 32, maxWaitMs: 2 });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty"', 'an integer from 0 to 65535'],
    [{ PORT: '70000' }, 'PORT="70000"', 'an integer from 0 to 65535'],
    [{ MS_CACHE: 'disk' }, 'MS_CACHE="disk"', 'one of off, memory, redis'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud"', 'one of fatal, error, warn, info, debug, trace, silent'],
    [{ MS_LOG_PAYLOADS: 'maybe' }, 'MS_LOG_PAYLOADS="maybe"', 'true or false'],
    [{ MS_BATCH_MAX_SIZE: '0' }, 'MS_BATCH_MAX_SIZE="0"', 'an integer from 1'],
    [{ MS_CACHE: 'redis', MS_REDIS_URL: 'http://x' }, 'MS_REDIS_URL="http://x"', 'matching ^rediss?://'],
  ])('%j stops the start naming the variable', (env, named, allowed) => {
    const err = failure(env);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.code).toBe('MS_RUNTIME_CONFIG_INVALID');
    expect(err.message).toContain(named);
    expect(err.message).toContain(allowed);
  });

  it('MS_CACHE=redis without MS_REDIS_URL names the missing variable', () => {
    const err = failure({ MS_CACHE: 'redis' });
    expect(err.message).toContain('MS_REDIS_URL is required when MS_CACHE=redis');
  });

  describe('MS_REDIS_AUTH=iam (as model-deploy sets it for the cache it provisions)', () => {
    const deployed = {
      MS_CACHE: 'redis',
      MS_REDIS_URL: 'rediss://ms-iris-dev-cache-abc123.serverless.euw1.cache.amazonaws.com:6379',
      MS_REDIS_AUTH: 'iam',
      MS_REDIS_USER: 'ms-iris-dev-cache-user',
      MS_REDIS_IAM_CACHE: 'ms-iris-dev-cache',
      MS_REDIS_IAM_REGION: 'eu-west-1',
    };

    it('maps to the redis store options: IAM auth for that user, cache and region', () => {
      const options = serviceOptionsFromConfig(loadConfig(deployed));
      expect(options.cache).toMatchObject({
        kind: 'redis',
        redisUrl: deployed.MS_REDIS_URL,
        redisAuth: {
          kind: 'iam',
          userId: 'ms-iris-dev-cache-user',
          cacheName: 'ms-iris-dev-cache',
          region: 'eu-west-1',
        },
      });
      expect(
        serviceOptionsFromConfig(loadConfig({ ...deployed, MS_REDIS_CA_FILE: '/etc/ca.pem' })).cache,
      ).toMatchObject({ redisCaFile: '/etc/ca.pem' });
    });

    it('defaults to none: the URL says how to authenticate', () => {
      const config = loadConfig({ MS_CACHE: 'redis', MS_REDIS_URL: 'redis://127.0.0.1:6379' });
      expect(config.MS_REDIS_AUTH).toBe('none');
      expect(serviceOptionsFromConfig(config).cache?.redisAuth).toBeUndefined();
    });

    it.each(['MS_REDIS_USER', 'MS_REDIS_IAM_CACHE', 'MS_REDIS_IAM_REGION'])(
      'without %s stops the start naming it',
      (name) => {
        const err = failure({ ...deployed, [name]: '' });
        expect(err.code).toBe('MS_RUNTIME_CONFIG_INVALID');
        expect(err.message).toContain(`MS_REDIS_AUTH=iam needs ${name}`);
      },
    );

    it('with a redis:// (plaintext) URL stops the start: IAM tokens travel only over TLS', () => {
      const err = failure({ ...deployed, MS_REDIS_URL: 'redis://cache.internal:6379' });
      expect(err.code).toBe('MS_RUNTIME_CONFIG_INVALID');
      expect(err.message).toContain(
        'MS_REDIS_AUTH=iam needs TLS: MS_REDIS_URL="redis://cache.internal:6379" must start with rediss://',
      );
    });

    it.each([
      [{ MS_REDIS_AUTH: 'password' }, 'MS_REDIS_AUTH="password"', 'one of none, iam'],
      [{ MS_REDIS_IAM_REGION: 'Ireland' }, 'MS_REDIS_IAM_REGION="Ireland"', 'an AWS region such as eu-west-1'],
    ])('%j names the variable and what is allowed', (bad, named, allowed) => {
      const err = failure({ ...deployed, ...bad });
      expect(err.message).toContain(named);
      expect(err.message).toContain(allowed);
    });
  });

  it('file values (the release.yaml seam) sit between defaults and the environment', () => {
    const config = loadConfig({ PORT: '7000' }, { PORT: 6000, MS_CACHE_TTL: 42 });
    expect(config.PORT).toBe(7000);
    expect(config.MS_CACHE_TTL).toBe(42);
  });
});
