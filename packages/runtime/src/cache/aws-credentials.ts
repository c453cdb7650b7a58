// AWS credentials for signing the ElastiCache IAM token, without the AWS SDK on the start path:
// the two sources a container has. First the standard environment variables, then the container
// credentials endpoint (SageMaker, ECS and Lambda hand the execution role to the container this
// way: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, as the SDKs read them).
import { readFile } from 'node:fs/promises';
import type { AwsCredentials } from './sigv4-presign.js';

export interface ExpiringCredentials extends AwsCredentials {
  /** When temporary credentials stop working; undefined for long-lived keys. */
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<ExpiringCredentials>;

/** Thrown when no source has credentials, or the endpoint's answer is unusable. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const CONTAINER_HOST = 'http://169.254.170.2';
// The SDKs accept a full URI over plain HTTP only to these hosts (the container agent, loopback).
const HTTP_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]', '127.0.0.1', 'localhost', '[::1]']);

function fromEnvironment(env: NodeJS.ProcessEnv): ExpiringCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION ? new Date(env.AWS_CREDENTIAL_EXPIRATION) : undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    ...(expiration && !Number.isNaN(expiration.getTime()) ? { expiration } : {}),
  };
}

function containerUri(env: NodeJS.ProcessEnv): URL | undefined {
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
    return new URL(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, CONTAINER_HOST);
  }
  if (!env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return undefined;
  const url = new URL(env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && HTTP_HOSTS.has(url.hostname))) {
    throw new CredentialsError(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI ${url.host} is neither https nor the container credentials agent or loopback`,
    );
  }
  return url;
}

async function authorization(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) {
    return (await readFile(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, 'utf8')).trim();
  }
  return env.AWS_CONTAINER_AUTHORIZATION_TOKEN || undefined;
}

async function getJson(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
  // Loaded here: node:https pulls in TLS, which a service that never signs need not load at start.
  const { request: send } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new CredentialsError(`container credentials endpoint answered ${String(res.statusCode)}`));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new CredentialsError('container credentials endpoint answered something that is not JSON'));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new CredentialsError(`container credentials endpoint: no answer in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

async function fromContainerEndpoint(
  url: URL,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ExpiringCredentials> {
  const token = await authorization(env);
  const body = (await getJson(url, token ? { Authorization: token } : {}, timeoutMs)) as Record<string, unknown>;
  const { AccessKeyId, SecretAccessKey, Token, Expiration } = body;
  if (typeof AccessKeyId !== 'string' || typeof SecretAccessKey !== 'string') {
    throw new CredentialsError('container credentials endpoint answered without AccessKeyId and SecretAccessKey');
  }
  const expiration = typeof Expiration === 'string' ? new Date(Expiration) : undefined;
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    ...(typeof Token === 'string' && Token ? { sessionToken: Token } : {}),
    ...(expiration && !Number.isNaN(expiration.getTime()) ? { expiration } : {}),
  };
}

/** The environment, then the container credentials endpoint; read on every call (cache it). */
export function defaultCredentialsProvider(
  env: NodeJS.ProcessEnv = process.env,
  options: { timeoutMs?: number } = {},
): CredentialsProvider {
  return async () => {
    const fromEnv = fromEnvironment(env);
    if (fromEnv) return fromEnv;
    const url = containerUri(env);
    if (url) return fromContainerEndpoint(url, env, options.timeoutMs ?? 1_000);
    throw new CredentialsError(
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where the container credentials endpoint is set (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, as SageMaker does for the execution role)',
    );
  };
}
