// The S3 bucket of an async environment (release.yaml environments.<env>.async.outputS3Uri):
// checked, never created or deleted. It must exist and belong to the deploying account,
// because SageMaker writes the answers there as this account's role and the proxy reads
// them back; a missing or foreign bucket stops plan before anything is written.
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { hasErrorName, isAwsError } from '../aws/aws-error.js';
import { lazyClient } from '../aws/lazy-context-clients.js';
import type { DeployContext } from '../context.js';
import { DeployerError } from '../errors.js';
import { asyncPaths } from './async-paths.js';
import { change } from './diff.js';
import type { ResourceModule } from './resource.js';

const KIND = 'async-bucket';

export interface AsyncBucketDesired {
  bucket: string;
  accountId: string;
  yamlPath: string;
}

export interface AsyncBucketObserved {
  bucket: string;
}

/** Only environments with async get this module (no S3 call, or permission, otherwise). */
export function isAsyncEnvironment(ctx: DeployContext): boolean {
  return ctx.env.async !== undefined;
}

function isForbidden(err: unknown): boolean {
  // HeadBucket has no body: a 403 arrives as name "403" (or Forbidden / AccessDenied).
  return (
    hasErrorName(err, '403', 'Forbidden', 'AccessDenied') || (isAwsError(err) && err.$metadata?.httpStatusCode === 403)
  );
}

export const asyncBucket: ResourceModule<AsyncBucketDesired, AsyncBucketObserved> = {
  kind: KIND,

  desired(ctx) {
    return {
      bucket: asyncPaths(ctx.env.async!).bucket,
      accountId: ctx.account.accountId,
      yamlPath: `environments.${ctx.envName}.async.outputS3Uri`,
    };
  },

  async observe(ctx, d) {
    const s3 = await lazyClient(ctx, 's3');
    // ExpectedBucketOwner: S3 answers 403 for a bucket of another account, even a readable one.
    await s3.send(new HeadBucketCommand({ Bucket: d.bucket, ExpectedBucketOwner: d.accountId })).catch((err) => {
      if (hasErrorName(err, 'NotFound', 'NoSuchBucket')) {
        throw new DeployerError(
          'MS_DEPLOY_ASYNC_BUCKET_MISSING',
          { yamlPath: d.yamlPath, bucket: d.bucket },
          { cause: err },
        );
      }
      if (isForbidden(err)) {
        throw new DeployerError(
          'MS_DEPLOY_ASYNC_BUCKET_FOREIGN',
          { yamlPath: d.yamlPath, bucket: d.bucket, account: d.accountId },
          { cause: err },
        );
      }
      throw err;
    });
    return { bucket: d.bucket };
  },

  plan(d) {
    return change(KIND, d.bucket, 'no-change');
  },

  async apply(_ctx, _plan, d) {
    return { asyncBucket: d.bucket };
  },
};
