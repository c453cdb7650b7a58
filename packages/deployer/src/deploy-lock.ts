// One mutating run per environment: a lease kept as an S3 object, written only
// with S3's conditional writes, so AWS itself decides who holds it. Taking it is
// a create-if-absent (`If-None-Match: *`); renewing, taking over an expired or
// broken lease and releasing are compare-and-swap on the ETag we last wrote
// (`If-Match`), so two runs can never both believe they hold it. The bucket is
// one per account and region, shared by every release, created on first use.
import { hostname, userInfo } from 'node:os';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { hasErrorName } from './aws/aws-error.js';
import type { ProgressSink } from './context.js';
import { DeployerError } from './errors.js';

/** A lease not renewed for this long is stale: its run died without releasing. */
export const LEASE_MS = 30 * 60 * 1000;
/** Renewed three times per lease, so a run survives two failed renewals. */
export const RENEW_EVERY_MS = LEASE_MS / 3;
/** How often a run that waits for the lock (`--wait-for-lock`) looks again. */
export const POLL_MS = 10_000;

export interface LockScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** `ms-<model>-<env>`: one lock per environment. */
  readonly prefix: string;
}

/** Globally unique by account and region; `ExpectedBucketOwner` on every call refuses a bucket someone else made. */
export function lockBucketName(scope: Pick<LockScope, 'accountId' | 'region'>): string {
  return `ms-deploy-locks-${scope.accountId}-${scope.region}`;
}

export function lockKey(scope: Pick<LockScope, 'prefix'>): string {
  return `${scope.prefix}.json`;
}

/** Who holds the lease: enough for a person to find the run and tell whether it is alive. */
export interface LockHolder {
  /** `alice@build-7` or the CI run's URL. */
  readonly who: string;
  /** The AWS identity that took it. */
  readonly identity?: string;
  readonly host: string;
  readonly pid: number;
  /** `up dev`, `promote prod`, ... */
  readonly command: string;
}

export interface Lease extends LockHolder {
  readonly acquiredAt: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
}

/** A CI run's URL when there is one (GitHub Actions, CircleCI, GitLab), else user@host. */
export function describeRunner(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_RUN_ID)
    return `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID}`;
  if (env.CIRCLE_BUILD_URL) return env.CIRCLE_BUILD_URL;
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  let user = env.USER ?? env.USERNAME;
  try {
    user ??= userInfo().username;
  } catch {
    user ??= 'unknown';
  }
  return `${user}@${hostname()}`;
}

export function holderOf(command: string, env: NodeJS.ProcessEnv, identity?: string): LockHolder {
  return { who: describeRunner(env), ...(identity ? { identity } : {}), host: hostname(), pid: process.pid, command };
}

export interface AcquireOptions {
  readonly s3: S3Client;
  readonly scope: LockScope;
  readonly holder: LockHolder;
  readonly envName: string;
  /** Take the lease even if another run holds it (`--break-lock`). */
  readonly breakLock?: boolean;
  /** Wait this long for a held lock to be released or to expire before refusing (`--wait-for-lock`). */
  readonly waitMs?: number;
  readonly pollMs?: number;
  readonly log: ProgressSink;
  readonly leaseMs?: number;
  readonly renewEveryMs?: number;
  readonly now?: () => Date;
}

export interface DeployLock {
  readonly lease: Lease;
  /** False once renewal found the lease taken by another run (it was broken). */
  readonly held: boolean;
  /** Stops renewing and deletes the lease if it is still ours; never throws (a lease left behind expires). */
  release(): Promise<void>;
}

interface Stored {
  lease?: Lease;
  etag: string;
}

const isPreconditionFailed = (err: unknown) =>
  hasErrorName(err, 'PreconditionFailed') ||
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;
// Two conditional writes on one key at the same moment: S3 answers the loser 409; it may try again.
const isWriteConflict = (err: unknown) => hasErrorName(err, 'ConditionalRequestConflict');

function parseLease(text: string): Lease | undefined {
  try {
    const value = JSON.parse(text) as Partial<Lease>;
    return typeof value.expiresAt === 'string' && typeof value.command === 'string' ? (value as Lease) : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireDeployLock(options: AcquireOptions): Promise<DeployLock> {
  const { s3, scope, holder, log } = options;
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const Bucket = lockBucketName(scope);
  const Key = lockKey(scope);
  const owner = { Bucket, Key, ExpectedBucketOwner: scope.accountId };

  const leaseFrom = (acquiredAt: string): Lease => {
    const t = now();
    return {
      ...holder,
      acquiredAt,
      renewedAt: t.toISOString(),
      expiresAt: new Date(t.getTime() + leaseMs).toISOString(),
    };
  };

  /** A conditional PutObject: `ifMatch` replaces that version, otherwise creates only if absent. */
  const put = async (lease: Lease, ifMatch?: string): Promise<string> => {
    const out = await s3.send(
      new PutObjectCommand({
        ...owner,
        Body: JSON.stringify(lease, null, 2),
        ContentType: 'application/json',
        ...(ifMatch ? { IfMatch: ifMatch } : { IfNoneMatch: '*' }),
      }),
    );
    if (!out?.ETag)
      throw new DeployerError('MS_DEPLOY_INTERNAL', { reason: `PutObject ${Bucket}/${Key} returned no ETag` });
    return out.ETag;
  };

  const read = async (): Promise<Stored | undefined> => {
    try {
      const out = await s3.send(new GetObjectCommand(owner));
      const text = (await out.Body?.transformToString()) ?? '';
      return { lease: parseLease(text), etag: out.ETag ?? '' };
    } catch (err) {
      // Released between our failed create and this read: try the create again.
      if (hasErrorName(err, 'NoSuchKey')) return undefined;
      throw err;
    }
  };

  const createBucket = async () => {
    try {
      await s3.send(
        new CreateBucketCommand({
          // S3's defaults are what a lock wants: owner-enforced (no ACLs), public access blocked, SSE-S3.
          Bucket,
          // us-east-1 is the one region that refuses its own name as a location constraint.
          ...(scope.region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: scope.region as never } }),
        }),
      );
      log.info(
        `created the deploy lock bucket ${Bucket} (shared by every model-service release in this account and region)`,
      );
    } catch (err) {
      // Another run created it first.
      if (!hasErrorName(err, 'BucketAlreadyOwnedByYou')) throw err;
    }
  };

  const waitUntil = Date.now() + (options.waitMs ?? 0);
  let waiting = false;
  let etag: string | undefined;
  let lease: Lease | undefined;
  for (let attempt = 0; attempt < 5 && !etag; attempt++) {
    const fresh = leaseFrom(now().toISOString());
    try {
      etag = await put(fresh);
      lease = fresh;
      break;
    } catch (err) {
      if (hasErrorName(err, 'NoSuchBucket')) {
        await createBucket();
        continue;
      }
      if (isWriteConflict(err)) continue;
      if (!isPreconditionFailed(err)) throw err;
    }
    const current = await read();
    if (!current) continue;
    const stale = !current.lease || Date.parse(current.lease.expiresAt) <= now().getTime();
    if (!stale && !options.breakLock) {
      const held = current.lease!;
      if (Date.now() < waitUntil) {
        if (!waiting)
          log.info(
            `waiting for the deploy lock of ${options.envName}: \`${held.command}\` by ${held.who} holds it since ${held.acquiredAt}`,
          );
        waiting = true;
        await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? POLL_MS, waitUntil - Date.now())));
        attempt = -1; // a fresh round of attempts after each wait
        continue;
      }
      throw new DeployerError('MS_DEPLOY_LOCKED', {
        env: options.envName,
        command: held.command,
        who: held.who,
        identity: held.identity ?? 'unknown identity',
        host: held.host,
        pid: held.pid,
        since: held.acquiredAt,
        expires: held.expiresAt,
        lock: `s3://${Bucket}/${Key}`,
      });
    }
    const takeover = leaseFrom(now().toISOString());
    try {
      etag = await put(takeover, current.etag);
      lease = takeover;
      const was = current.lease;
      log.warn(
        `${options.breakLock ? 'broke' : 'took over the expired'} deploy lock of ${options.envName}` +
          (was ? `: ${was.command} by ${was.who} (pid ${was.pid} on ${was.host}) since ${was.acquiredAt}` : ''),
      );
    } catch (err) {
      // Someone else replaced it first: read again and report them.
      if (!isPreconditionFailed(err) && !isWriteConflict(err) && !hasErrorName(err, 'NoSuchKey')) throw err;
    }
  }
  if (!etag || !lease)
    throw new DeployerError('MS_DEPLOY_INTERNAL', { reason: `could not take the deploy lock s3://${Bucket}/${Key}` });

  let held = true;
  let current: Lease = lease;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    if (!held) return;
    const next = leaseFrom(current.acquiredAt);
    try {
      etag = await put(next, etag);
      current = next;
    } catch (err) {
      if (isPreconditionFailed(err) || hasErrorName(err, 'NoSuchKey')) {
        held = false;
        log.warn(
          `the deploy lock of ${options.envName} was taken by another run (--break-lock?); this run no longer holds it`,
        );
      } else {
        log.warn(`could not renew the deploy lock of ${options.envName} (retrying): ${(err as Error).message}`);
      }
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, options.renewEveryMs ?? RENEW_EVERY_MS);
  timer.unref();

  return {
    get lease() {
      return current;
    },
    get held() {
      return held;
    },
    async release() {
      clearInterval(timer);
      await renewing;
      if (!held) return;
      held = false;
      try {
        await s3.send(new DeleteObjectCommand({ ...owner, IfMatch: etag }));
      } catch (err) {
        if (isPreconditionFailed(err) || hasErrorName(err, 'NoSuchKey')) return;
        log.warn(
          `could not release the deploy lock s3://${Bucket}/${Key} (it expires at ${current.expiresAt}): ${(err as Error).message}`,
        );
      }
    },
  };
}
