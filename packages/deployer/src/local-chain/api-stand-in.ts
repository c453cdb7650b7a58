// An API Gateway (REST, proxy integration) stand-in on 127.0.0.1: checks the
// Cognito JWT the way the User Pools authorizer does (401 without or with a bad
// token, before the Lambda runs) on the methods the real API authorizes, turns
// the HTTP request into the proxy event API Gateway would send, calls the real
// handler in process and writes its result.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProxyEvent, ProxyResult } from '../lambda-proxy/types.js';
import { apiRoutes } from '../resources/api-gateway.js';
import { AuthError, type TokenVerifier } from './jwt-verifier.js';

export interface ApiStandInOptions {
  handler: (event: ProxyEvent) => Promise<ProxyResult>;
  verify: TokenVerifier;
  /** Path prefix like API Gateway's stage: http://host:port/<stage>/predict */
  stage: string;
  port?: number;
  /** API Gateway's payload limit. */
  maxBodyBytes?: number;
}

export interface ApiStandIn {
  /** Base URL including the stage, e.g. http://127.0.0.1:4321/dev */
  url: string;
  server: Server;
  close(): Promise<void>;
}

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;
// "GET /health", "OPTIONS /predict": the methods `model-deploy up` deploys without an authorizer
// (the preflight only when release.yaml has CORS origins; the proxy answers it either way).
const OPEN_METHODS = new Set(
  apiRoutes(false, true)
    .filter((r) => r.authorizationType === 'NONE')
    .map((r) => `${r.method} /${r.path}`),
);
const TEXT_TYPES = /^(application\/(json|[\w.+-]*\+json)|text\/)/i;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function toProxyEvent(
  req: IncomingMessage,
  path: string,
  body: Buffer,
  requestId: string,
  stage: string,
  claims: Record<string, unknown> | undefined,
): ProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  const text = body.length === 0 || TEXT_TYPES.test(req.headers['content-type'] ?? '');
  return {
    httpMethod: req.method ?? 'GET',
    path,
    resource: path,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    body: body.length === 0 ? null : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
    requestContext: {
      requestId,
      stage,
      authorizer: claims ? { claims } : null,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
    },
  };
}

export async function startApiStandIn(options: ApiStandInOptions): Promise<ApiStandIn> {
  const prefix = `/${options.stage}`;
  const limit = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const gatewayHeaders = { 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' };
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) {
      req.resume();
      send(res, 403, JSON.stringify({ message: 'Missing Authentication Token' }), gatewayHeaders);
      return;
    }
    const path = pathname.slice(prefix.length) || '/';
    let claims: Record<string, unknown> | undefined;
    // Preflight and the open methods are not authorized (API Gateway runs no authorizer there).
    if (req.method !== 'OPTIONS' && !OPEN_METHODS.has(`${req.method} ${path}`)) {
      try {
        claims = (await options.verify(req.headers.authorization)) as Record<string, unknown>;
      } catch (err) {
        req.resume();
        const message =
          err instanceof AuthError && err.reason === 'expired' ? 'The incoming token has expired' : 'Unauthorized';
        send(res, 401, JSON.stringify({ message }), gatewayHeaders);
        return;
      }
    }
    const body = await readBody(req, limit);
    if (body === undefined) {
      send(res, 413, JSON.stringify({ message: 'Request Too Long' }), gatewayHeaders);
      return;
    }
    const result = await options.handler(toProxyEvent(req, path, body, requestId, options.stage, claims));
    const out = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
    res.writeHead(result.statusCode, {
      'x-amzn-RequestId': requestId,
      ...result.headers,
      'Content-Length': String(out.length),
    });
    res.end(out);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      // API Gateway's answer when the integration itself fails.
      if (!res.headersSent)
        send(res, 502, JSON.stringify({ message: 'Internal server error' }), { 'Content-Type': 'application/json' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
