// The deploy lock's S3 calls for in-process CLI tests (aws-sdk-client-mock):
// one bucket with S3's conditional-write rules and S3's own error classes, so
// `up`/`destroy`/`promote`/`rollback` run their real lock code. The wire-level
// twin for child processes is fake-lock-aws-server.ts.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';

const meta = (status: number) => ({
  httpStatusCode: status,
  requestId: 'FAKE0000LOCK',
  attempts: 1,
  totalRetryDelay: 0,
});
const preconditionFailed = () =>
  new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    message: 'At least one of the pre-conditions you specified did not hold',
    $metadata: meta(412),
  });
const noSuchKey = () => new NoSuchKey({ message: 'The specified key does not exist.', $metadata: meta(404) });

export class FakeLockS3 {
  readonly buckets = new Map<string, Map<string, { body: string; etag: string }>>();
  private version = 0;

  /** Installs on a stub (one the test already has for S3Client, or a new one). */
  install(stub: AwsStub<any, any, any> = mockClient(S3Client)): AwsStub<any, any, any> {
    const bucket = (name: string) => {
      const b = this.buckets.get(name);
      if (!b) throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: meta(404) });
      return b;
    };
    stub.on(CreateBucketCommand).callsFake((input: { Bucket: string }) => {
      if (!this.buckets.has(input.Bucket)) this.buckets.set(input.Bucket, new Map());
      return { Location: `/${input.Bucket}` };
    });
    stub
      .on(PutObjectCommand)
      .callsFake((input: { Bucket: string; Key: string; Body: string; IfMatch?: string; IfNoneMatch?: string }) => {
        const objects = bucket(input.Bucket);
        const current = objects.get(input.Key);
        if (input.IfNoneMatch === '*' && current) throw preconditionFailed();
        if (input.IfMatch !== undefined && !current) throw noSuchKey();
        if (input.IfMatch !== undefined && input.IfMatch !== current!.etag) throw preconditionFailed();
        const etag = `"v${++this.version}"`;
        objects.set(input.Key, { body: input.Body, etag });
        return { ETag: etag };
      });
    stub.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const current = bucket(input.Bucket).get(input.Key);
      if (!current) throw noSuchKey();
      return { ETag: current.etag, Body: sdkStreamMixin(Readable.from([Buffer.from(current.body)])) };
    });
    stub.on(DeleteObjectCommand).callsFake((input: { Bucket: string; Key: string; IfMatch?: string }) => {
      const objects = bucket(input.Bucket);
      const current = objects.get(input.Key);
      if (input.IfMatch !== undefined && !current) throw noSuchKey();
      if (input.IfMatch !== undefined && input.IfMatch !== current!.etag) throw preconditionFailed();
      objects.delete(input.Key);
      return {};
    });
    return stub;
  }

  /** Every lease currently held, by key. */
  leases(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const objects of this.buckets.values())
      for (const [key, o] of objects) out[key] = JSON.parse(o.body) as unknown;
    return out;
  }
}
