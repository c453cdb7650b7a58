// The deploy lock's lease, with a real S3 client over HTTP against a local
// endpoint that keeps S3's conditional-write rules (If-None-Match / If-Match,
// 412 PreconditionFailed): taking, refusing with the holder named, renewing,
// releasing only one's own lease, taking over an expired one, --break-lock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createLazyAwsClient } from '../src/aws/clients.js';
import { silentSink } from '../src/context.js';
import { acquireDeployLock, lockBucketName, lockKey, type Lease, type LockHolder } from '../src/deploy-lock.js';
import { isDeployerError } from '../src/errors.js';
import { recordingSink } from './helpers/aws-context.js';
import { FakeLockAwsServer, LOCK_ACCOUNT } from './helpers/fake-lock-aws-server.js';

const scope = { partition: 'aws', region: 'eu-west-1', accountId: LOCK_ACCOUNT, prefix: 'ms-iris-dev' };
const BUCKET = lockBucketName(scope);
const KEY = lockKey(scope);
const alice: LockHolder = {
  who: 'alice@laptop',
  identity: 'arn:aws:iam::123456789012:user/alice',
  host: 'laptop',
  pid: 4242,
  command: 'up dev',
};
const bob: LockHolder = {
  who: 'https://github.com/acme/iris/actions/runs/7',
  host: 'runner-1',
  pid: 77,
  command: 'destroy dev',
};

let server: FakeLockAwsServer;
let s3: Awaited<ReturnType<typeof createLazyAwsClient<'s3'>>>;

beforeAll(async () => {
  server = await new FakeLockAwsServer().start();
  s3 = await createLazyAwsClient('s3', {
    region: scope.region,
    env: { AWS_ENDPOINT_URL: server.url },
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
    retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} },
  });
});
afterAll(async () => {
  s3.destroy();
  await server.stop();
});
beforeEach(() => {
  server.buckets.clear();
  server.failing.clear();
});

/** Waits (bounded) for what a renewal timer and the SDK's retries do in their own time. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}

const acquire = (holder: LockHolder, extra: Partial<Parameters<typeof acquireDeployLock>[0]> = {}) =>
  acquireDeployLock({ s3, scope, holder, envName: 'dev', log: silentSink, ...extra });

const stored = (): Lease | undefined => {
  const o = server.object(BUCKET, KEY);
  return o ? (JSON.parse(o.body) as Lease) : undefined;
};

describe('the deploy lock', () => {
  it('creates the account-and-region bucket on first use (with its region), then holds a lease naming the holder', async () => {
    const lock = await acquire(alice);
    expect(server.buckets.get(BUCKET)?.region).toBe('eu-west-1');
    expect(stored()).toMatchObject({ who: 'alice@laptop', pid: 4242, host: 'laptop', command: 'up dev' });
    const lease = stored()!;
    expect(Date.parse(lease.expiresAt) - Date.parse(lease.renewedAt)).toBe(30 * 60 * 1000);
    // Every call names the bucket owner, so a bucket of that name in another account is never written.
    expect(
      server.seen
        .filter((r) => r.operation !== 'CreateBucket')
        .every((r) => r.headers['x-amz-expected-bucket-owner'] === LOCK_ACCOUNT),
    ).toBe(true);
    await lock.release();
    expect(stored()).toBeUndefined();
  });

  it('refuses a second run with MS_DEPLOY_LOCKED naming who holds it, since when, and how to break it', async () => {
    const lock = await acquire(alice);
    const err = await acquire(bob).catch((e: unknown) => e);
    expect(isDeployerError(err, 'MS_DEPLOY_LOCKED')).toBe(true);
    const message = (err as Error & { toUserString(): string }).toUserString();
    expect(message).toContain('`up dev` by alice@laptop (arn:aws:iam::123456789012:user/alice, pid 4242 on laptop)');
    expect(message).toContain(`since ${lock.lease.acquiredAt}`);
    expect(message).toContain('--break-lock');
    expect(message).toContain(`s3://${BUCKET}/${KEY}`);
    expect(stored()?.who).toBe('alice@laptop'); // untouched
    await lock.release();
  });

  it('renews the lease while the run goes on, keeping when it was taken', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const lock = await acquire(alice, { now: () => new Date(t), renewEveryMs: 20 });
    const first = stored()!;
    t += 10 * 60 * 1000;
    await until(() => Date.parse(stored()!.expiresAt) === t + 30 * 60 * 1000);
    const renewed = stored()!;
    expect(renewed.acquiredAt).toBe(first.acquiredAt);
    expect(Date.parse(renewed.expiresAt)).toBe(t + 30 * 60 * 1000);
    expect(lock.held).toBe(true);
    await lock.release();
    expect(stored()).toBeUndefined();
  });

  it('takes over a lease that expired (its run died), with a warning naming the dead run', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    await acquire(alice, { now: () => new Date(t) }); // never released: the process was killed
    t += 31 * 60 * 1000;
    const log = recordingSink();
    const lock = await acquire(bob, { now: () => new Date(t), log });
    expect(stored()?.who).toBe(bob.who);
    expect(log.lines.join('\n')).toContain('took over the expired deploy lock of dev: up dev by alice@laptop');
    await lock.release();
  });

  it('--break-lock takes a live lease; the old holder then sees it lost and its release leaves the new lease alone', async () => {
    const log = recordingSink();
    const old = await acquire(alice, { renewEveryMs: 20, log });
    const broken = await acquire(bob, { breakLock: true });
    await until(() => !old.held);
    expect(log.lines.join('\n')).toContain('was taken by another run');
    await old.release();
    expect(stored()?.who).toBe(bob.who);
    await broken.release();
    expect(stored()).toBeUndefined();
  });

  it("a release that has not yet seen its lease broken deletes only its own version (If-Match), never the new holder's", async () => {
    const old = await acquire(alice);
    const broken = await acquire(bob, { breakLock: true });
    await old.release(); // no renewal ran since the break
    expect(stored()?.who).toBe(bob.who);
    await broken.release();
    expect(stored()).toBeUndefined();
  });

  it('interrupted after creating the bucket (its PutObject never landed): the next run takes the lease in that bucket', async () => {
    server.failing.add('PutObject');
    await expect(acquire(alice)).rejects.toMatchObject({ code: 'MS_DEPLOY_AWS_SERVICE' });
    server.failing.clear();
    expect(server.buckets.has(BUCKET)).toBe(true);
    expect(stored()).toBeUndefined();
    const creates = server.seen.filter((r) => r.operation === 'CreateBucket').length;
    const lock = await acquire(bob);
    expect(server.seen.filter((r) => r.operation === 'CreateBucket').length).toBe(creates); // not again
    expect(stored()?.who).toBe(bob.who);
    await lock.release();
  });

  it('a release that cannot reach S3 warns with the expiry and does not fail the command; the lease then expires', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const log = recordingSink();
    const lock = await acquire(alice, { now: () => new Date(t), log });
    server.failing.add('DeleteObject');
    await expect(lock.release()).resolves.toBeUndefined();
    server.failing.clear();
    expect(log.lines.join('\n')).toContain(
      `could not release the deploy lock s3://${BUCKET}/${KEY} (it expires at ${lock.lease.expiresAt})`,
    );
    await expect(acquire(bob, { now: () => new Date(t) })).rejects.toMatchObject({ code: 'MS_DEPLOY_LOCKED' });
    t += 30 * 60 * 1000;
    await (await acquire(bob, { now: () => new Date(t) })).release();
    expect(stored()).toBeUndefined();
  });

  it('a renewal that fails keeps the run going (with a warning) and the next renewal extends the lease', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const log = recordingSink();
    const lock = await acquire(alice, { now: () => new Date(t), log, renewEveryMs: 20 });
    server.failing.add('PutObject');
    await until(() => log.lines.join('\n').includes('could not renew the deploy lock of dev (retrying)'));
    expect(lock.held).toBe(true);
    server.failing.clear();
    t += 5 * 60 * 1000;
    await until(() => Date.parse(stored()!.expiresAt) === t + 30 * 60 * 1000);
    await lock.release();
    expect(stored()).toBeUndefined();
  });

  it('--wait-for-lock: a second run waits while the lock is held, says for whom, and takes it once released', async () => {
    const first = await acquire(alice);
    const log = recordingSink();
    const waiting = acquire(bob, { waitMs: 5_000, pollMs: 20, log });
    await until(() =>
      log.lines.some((l) => l.startsWith('waiting for the deploy lock of dev: `up dev` by alice@laptop')),
    );
    await first.release();
    const second = await waiting;
    expect(stored()?.who).toBe(bob.who);
    await second.release();
  });

  it('--wait-for-lock: refuses with MS_DEPLOY_LOCKED when the wait runs out', async () => {
    const first = await acquire(alice);
    const started = Date.now();
    await expect(acquire(bob, { waitMs: 100, pollMs: 20 })).rejects.toMatchObject({ code: 'MS_DEPLOY_LOCKED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await first.release();
  });

  it('of two runs racing for a free lock, exactly one gets it', async () => {
    const results = await Promise.allSettled([acquire(alice), acquire(bob)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isDeployerError((lost[0] as PromiseRejectedResult).reason, 'MS_DEPLOY_LOCKED')).toBe(true);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquire>>>).value.release();
  });
});
