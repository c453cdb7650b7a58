// The IAM password source: one credentials fetch, a token signed at each call with the clock of
// that moment, and new credentials fetched before the old ones expire.
import { describe, expect, it } from '@jest/globals';
import type { ExpiringCredentials } from '../../src/cache/aws-credentials.js';
import { elastiCacheIamAuth } from '../../src/cache/elasticache-iam-auth.js';
import { elasticacheAuthToken } from '../../src/cache/sigv4-presign.js';

const T0 = new Date('2026-12-04T12:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function rotatingRole() {
  const handed: ExpiringCredentials[] = [];
  const provider = async () => {
    const credentials = {
      accessKeyId: `ASIA${handed.length}`,
      secretAccessKey: 'secret',
      sessionToken: `token-${handed.length}`,
      expiration: minutes(60 * (handed.length + 1)),
    };
    handed.push(credentials);
    return credentials;
  };
  return { provider, handed };
}

describe('elastiCacheIamAuth', () => {
  it('signs the documented token for the user and cache with the credentials and the current clock', async () => {
    let now = T0;
    const { provider, handed } = rotatingRole();
    const auth = elastiCacheIamAuth({
      userId: 'u',
      cacheName: 'c',
      region: 'eu-west-1',
      credentials: provider,
      now: () => now,
    });
    expect(auth.username).toBe('u');
    expect(() => auth.password()).toThrow('not loaded');
    await auth.ready();
    const expected = (at: Date) =>
      elasticacheAuthToken({ cacheName: 'c', userId: 'u', region: 'eu-west-1', credentials: handed[0]!, now: at });
    expect(auth.password()).toBe(expected(T0));
    now = minutes(20);
    expect(auth.password()).toBe(expected(minutes(20)));
    await auth.ready();
    expect(handed).toHaveLength(1);
  });

  it('fetches new credentials within 5 minutes of their expiry, and signs with them once they arrive', async () => {
    let now = T0;
    const { provider, handed } = rotatingRole();
    const auth = elastiCacheIamAuth({
      userId: 'u',
      cacheName: 'c',
      region: 'eu-west-1',
      credentials: provider,
      now: () => now,
    });
    await auth.ready();
    now = minutes(56);
    await auth.ready();
    expect(handed).toHaveLength(2);
    expect(new URLSearchParams(auth.password().split('?')[1]).get('X-Amz-Security-Token')).toBe('token-1');
  });

  it('a failed fetch rejects ready() with its reason, and the next ready() tries again', async () => {
    let fail = true;
    const auth = elastiCacheIamAuth({
      userId: 'u',
      cacheName: 'c',
      region: 'eu-west-1',
      credentials: async () => {
        if (fail) throw new Error('endpoint down');
        return { accessKeyId: 'A', secretAccessKey: 'S' };
      },
    });
    await expect(auth.ready()).rejects.toThrow('endpoint down');
    fail = false;
    await auth.ready();
    expect(auth.password()).toMatch(/^c\/\?Action=connect&/);
  });
});
