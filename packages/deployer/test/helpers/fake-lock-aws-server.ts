// A local AWS endpoint (AWS_ENDPOINT_URL) for the deploy lock: STS's
// GetCallerIdentity and the S3 calls the lock makes (CreateBucket, and
// PutObject / GetObject / DeleteObject with their conditional headers), over
// real HTTP with S3's wire format and error bodies, so real SDK clients in this
// process or in child `model-deploy` processes share one bucket. Requests to any
// other service are held until `denyHeld()`: a run that got the lock stays
// "in the middle of its apply" for as long as a test needs.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const LOCK_ACCOUNT = '123456789012';
export const LOCK_CALLER = `arn:aws:sts::${LOCK_ACCOUNT}:assumed-role/model-deployer/ci`;

interface StoredObject {
  body: string;
  etag: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** S3 operation (x-id) or the STS action; "held" for anything else. */
  operation: string;
  headers: IncomingMessage['headers'];
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAKE0000REQUEST</RequestId></Error>`;

export class FakeLockAwsServer {
  readonly buckets = new Map<string, { region: string; objects: Map<string, StoredObject> }>();
  readonly seen: SeenRequest[] = [];
  /** S3 operations answered with a 500 while listed (an outage, a network cut, a killed run's last call). */
  readonly failing = new Set<string>();
  private held: ServerResponse[] = [];
  private heldWaiters: (() => void)[] = [];
  private denying = false;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.handle(req, body, res));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.denyHeld();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The environment a child `model-deploy` needs to reach only this endpoint. */
  childEnv(): NodeJS.ProcessEnv {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-a-local-endpoint',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
    };
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  /** Resolves once `count` requests are held (a run is past the lock). */
  heldRequests(count = 1): Promise<void> {
    if (this.held.length >= count) return Promise.resolve();
    return new Promise((r) => this.heldWaiters.push(() => this.held.length >= count && r()));
  }

  /**
   * From now on, answers held and later requests with AccessDenied (not retried), as a
   * policy without the action would: the run that held them fails and must release its lock.
   */
  denyHeld(): void {
    this.denying = true;
    for (const res of this.held.splice(0)) this.deny(res);
  }

  /** Forgets held requests of a run that is gone. */
  dropHeld(): void {
    for (const res of this.held.splice(0)) res.destroy();
  }

  private deny(res: ServerResponse): void {
    res.writeHead(403, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': 'AccessDeniedException',
      'x-amzn-requestid': 'FAKE0000DENIED',
    });
    res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'the test denies every call past the lock' }));
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (
      method === 'POST' &&
      (body.includes('Action=GetCallerIdentity') || /GetCallerIdentity/.test(String(req.headers['x-amz-target'])))
    ) {
      this.seen.push({ method, path: url.pathname, operation: 'GetCallerIdentity', headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'FAKE0000STS' });
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${LOCK_CALLER}</Arn><UserId>AROAFAKE:ci</UserId><Account>${LOCK_ACCOUNT}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>FAKE0000STS</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
      return;
    }
    // Path style: /<bucket>/<key>; a PUT of the bucket alone is CreateBucket.
    const isBucketPut = method === 'PUT' && /^\/[^/]+\/?$/.test(url.pathname);
    const s3Operation = url.searchParams.get('x-id') ?? (isBucketPut ? 'CreateBucket' : undefined);
    if (!s3Operation) {
      this.seen.push({ method, path: url.pathname, operation: 'held', headers: req.headers });
      if (this.denying) return this.deny(res);
      this.held.push(res);
      for (const wake of this.heldWaiters) wake();
      return;
    }
    this.seen.push({ method, path: url.pathname, operation: s3Operation, headers: req.headers });
    this.s3(s3Operation, url, req.headers, body, res);
  }

  private s3(operation: string, url: URL, headers: IncomingMessage['headers'], body: string, res: ServerResponse) {
    const fail = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'FAKE0000REQUEST' });
      res.end(xmlError(code, message));
    };
    const [, bucketName, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (operation === 'CreateBucket') {
      if (this.buckets.has(bucketName!))
        return fail(
          409,
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
        );
      const region = /<LocationConstraint>([^<]+)</.exec(body)?.[1] ?? 'us-east-1';
      this.buckets.set(bucketName!, { region, objects: new Map() });
      res.writeHead(200, { location: `/${bucketName}` });
      res.end();
      return;
    }
    const bucket = this.buckets.get(bucketName!);
    if (!bucket) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (this.failing.has(operation))
      return fail(500, 'InternalError', 'We encountered an internal error. Please try again.');
    const owner = headers['x-amz-expected-bucket-owner'];
    if (owner !== undefined && owner !== LOCK_ACCOUNT) return fail(403, 'AccessDenied', 'Access Denied');
    const current = bucket.objects.get(key);
    const ifMatch = headers['if-match'];
    const ifNoneMatch = headers['if-none-match'];
    const preconditionFailed = () =>
      fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    if (operation === 'PutObject') {
      if (ifNoneMatch === '*' && current) return preconditionFailed();
      if (ifMatch !== undefined && !current) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
      if (ifMatch !== undefined && ifMatch !== current!.etag) return preconditionFailed();
      const etag = `"${createHash('md5')
        .update(body)
        .update(String(Date.now() + Math.random()))
        .digest('hex')}"`;
      bucket.objects.set(key, { body, etag });
      res.writeHead(200, { etag });
      res.end();
      return;
    }
    if (operation === 'GetObject') {
      if (!current) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, {
        etag: current.etag,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(current.body),
      });
      res.end(current.body);
      return;
    }
    if (operation === 'DeleteObject') {
      if (ifMatch !== undefined && !current) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
      if (ifMatch !== undefined && ifMatch !== current!.etag) return preconditionFailed();
      bucket.objects.delete(key);
      res.writeHead(204);
      res.end();
      return;
    }
    fail(501, 'NotImplemented', `the fake does not serve ${operation}`);
  }
}
