// The ElastiCache IAM auth token's signer against AWS's documented SigV4 presign example (S3 GET
// with query-string authentication) and against the SDK's own signer (@smithy/signature-v4) for
// the exact token ElastiCache documents: <cache>/?Action=connect&User=<user>&ResourceType=ServerlessCache.
import { describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { elasticacheAuthToken, presignQuery } from '../../src/cache/sigv4-presign.js';

const DOC_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', secret as string) : createHash('sha256');
  }
  update(data: string | ArrayBufferView): void {
    this.hash.update(data as string);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

describe('SigV4 presigning', () => {
  it("reproduces the signature of AWS's documented query-string example (S3 GET /test.txt)", () => {
    const query = presignQuery({
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      query: {},
      service: 's3',
      region: 'us-east-1',
      credentials: DOC_KEYS,
      expiresSeconds: 86400,
      now: new Date('2013-05-24T00:00:00Z'),
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    expect(query).toContain('X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request');
    expect(query).toMatch(/&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404$/);
  });

  it('signs the ElastiCache Serverless connect token exactly as the SDK signer does, session token included', async () => {
    const credentials = { ...DOC_KEYS, sessionToken: 'FQoGZXIvYXdzE/session+token==' };
    const now = new Date('2026-12-03T16:00:00Z');
    const token = elasticacheAuthToken({
      cacheName: 'ms-iris-dev-cache',
      userId: 'ms-iris-dev-cache-user',
      region: 'eu-west-1',
      credentials,
      now,
    });
    const signer = new SignatureV4({ service: 'elasticache', region: 'eu-west-1', credentials, sha256: Sha256 });
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: 'ms-iris-dev-cache',
        path: '/',
        headers: { host: 'ms-iris-dev-cache' },
        query: { Action: 'connect', User: 'ms-iris-dev-cache-user', ResourceType: 'ServerlessCache' },
      },
      { expiresIn: 900, signingDate: now },
    );
    const q = signed.query as Record<string, string>;
    expect(token.startsWith('ms-iris-dev-cache/?')).toBe(true);
    const ours = new URLSearchParams(token.split('?')[1]);
    expect(ours.get('X-Amz-Signature')).toBe(q['X-Amz-Signature']);
    expect(ours.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(ours.get('X-Amz-Expires')).toBe('900');
    expect(ours.get('ResourceType')).toBe('ServerlessCache');
  });
});
