// AWS Signature Version 4 query-string signing (a presigned URL), with node:crypto only: the
// ElastiCache IAM auth token is such a URL for `elasticache:Connect`, without its scheme. Follows
// AWS's documented algorithm (canonical request -> string to sign -> derived key -> signature).
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignRequest {
  method: string;
  host: string;
  path: string;
  query: Record<string, string>;
  service: string;
  region: string;
  credentials: AwsCredentials;
  expiresSeconds: number;
  now: Date;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD (S3). Default: the hash of an empty body. */
  payloadHash?: string;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** RFC 3986 encoding as SigV4 wants it (also ! ' ( ) *). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

function amzDate(now: Date): { date: string; time: string } {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return { date: time.slice(0, 8), time };
}

/** The signed query string (parameters sorted, X-Amz-Signature last), without a leading `?`. */
export function presignQuery(request: PresignRequest): string {
  const { date, time } = amzDate(request.now);
  const scope = `${date}/${request.region}/${request.service}/aws4_request`;
  const params: Record<string, string> = {
    ...request.query,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${request.credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': time,
    'X-Amz-Expires': String(request.expiresSeconds),
    'X-Amz-SignedHeaders': 'host',
    ...(request.credentials.sessionToken ? { 'X-Amz-Security-Token': request.credentials.sessionToken } : {}),
  };
  const canonicalQuery = Object.keys(params)
    .sort()
    .map((k) => `${encode(k)}=${encode(params[k]!)}`)
    .join('&');
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery,
    `host:${request.host}\n`,
    'host',
    request.payloadHash ?? EMPTY_SHA256,
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    time,
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${request.credentials.secretAccessKey}`, date), request.region), request.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return `${canonicalQuery}&X-Amz-Signature=${signature}`;
}

/** Tokens live 15 minutes; the runtime signs a new one for every (re)connect well before that. */
export const ELASTICACHE_TOKEN_SECONDS = 900;

/**
 * The password for `AUTH <user> <token>` on an ElastiCache Serverless cache with IAM
 * authentication: `<cache-name>/?Action=connect&User=<user>&ResourceType=ServerlessCache&X-Amz-...`.
 */
export function elasticacheAuthToken(options: {
  cacheName: string;
  userId: string;
  region: string;
  credentials: AwsCredentials;
  now?: Date;
}): string {
  const host = options.cacheName.toLowerCase();
  const query = presignQuery({
    method: 'GET',
    host,
    path: '/',
    query: { Action: 'connect', User: options.userId, ResourceType: 'ServerlessCache' },
    service: 'elasticache',
    region: options.region,
    credentials: options.credentials,
    expiresSeconds: ELASTICACHE_TOKEN_SECONDS,
    now: options.now ?? new Date(),
  });
  return `${host}/?${query}`;
}
