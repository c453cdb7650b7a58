// Turns what the SageMaker Runtime client throws into: retry or not, and which
// proxy error the caller sees. Matches on `name` / `$fault` / status, the
// fields the SDK sets (see @aws-sdk/client-sagemaker-runtime models/errors).
import { ProxyError } from './errors.js';

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  OriginalStatusCode?: number;
  OriginalMessage?: string;
  /** The parsed body of an error the SDK does not model (name "Unknown"). */
  error?: unknown;
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ModelNotReadyException',
  'InternalFailure',
  'InternalDependencyException',
  'InternalServerError',
  'RequestTimeout',
  'TimeoutError',
]);
const THROTTLE_NAMES = new Set(['ThrottlingException', 'ThrottledException', 'TooManyRequestsException']);
// Socket-level failures: nothing reached the model, so a retry is safe.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : { message: String(err) };
}

function status(e: SdkErrorShape): number | undefined {
  return e.$metadata?.httpStatusCode;
}

export function isThrottle(err: unknown): boolean {
  const e = shape(err);
  // ModelNotReadyException also comes with 429, but it means "not loaded yet", not "slow down".
  if (e.name === 'ModelNotReadyException') return false;
  return THROTTLE_NAMES.has(e.name ?? '') || status(e) === 429;
}

// "socket hang up" is Node's text for a kept-alive socket the server closed under the request.
const NETWORK_TEXT = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND)\b|socket hang up/;

// The SDK wraps a socket error that is not an `Error` of its own realm ("AWS SDK
// error wrapper for Error: socket hang up") and drops its code, so the code is
// looked for on the cause chain and in the text.
function isNetwork(e: SdkErrorShape): boolean {
  let current: (SdkErrorShape & { cause?: unknown }) | undefined = e;
  for (let depth = 0; current && depth < 4; depth++) {
    if (NETWORK_CODES.has(current.code ?? '') || NETWORK_CODES.has(current.name ?? '')) return true;
    if (current.$metadata?.httpStatusCode === undefined && NETWORK_TEXT.test(current.message ?? '')) return true;
    current =
      typeof current.cause === 'object' && current.cause !== null ? (current.cause as SdkErrorShape) : undefined;
  }
  return false;
}

/**
 * ModelError carries the container's own status; 4xx means the input was wrong. A
 * runtime served directly (local chain) answers with its own status and JSON body,
 * which the SDK reports as an unmodeled "Unknown" error: same meaning.
 */
function modelStatus(e: SdkErrorShape): number | undefined {
  if (e.name === 'ModelError') return e.OriginalStatusCode ?? 500;
  if ((e.name === 'Unknown' || e.name === 'UnknownError') && e.error !== undefined) return status(e);
  return undefined;
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof ProxyError) return err.code === 'MS_PROXY_TIMEOUT';
  const e = shape(err);
  const model = modelStatus(e);
  // The container said it is overloaded (runtime's maxInFlight 503) or throttled: try again.
  if (model !== undefined) return model === 503 || model === 429;
  if (e.name === 'ValidationError' || e.name === 'AccessDeniedException') return false;
  if (RETRYABLE_NAMES.has(e.name ?? '') || isNetwork(e) || isThrottle(e)) return true;
  const code = status(e);
  return e.$fault === 'server' || (code !== undefined && code >= 500);
}

function firstLine(text: string | undefined, max = 300): string {
  const line = (text ?? '').split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

/** The container's own error message (runtime bodies are {"error":{"message"}}). */
function modelMessage(e: SdkErrorShape): string {
  const raw = e.OriginalMessage ?? e.message ?? '';
  try {
    const parsed = (
      e.OriginalMessage === undefined && typeof e.error === 'object' && e.error !== null ? e.error : JSON.parse(raw)
    ) as { error?: { message?: string; code?: string; path?: string } | string; message?: string };
    if (typeof parsed.error === 'object' && parsed.error) {
      const where = parsed.error.path ? ` at ${parsed.error.path}` : '';
      return `${parsed.error.code ? `${parsed.error.code}: ` : ''}${parsed.error.message ?? ''}${where}`;
    }
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: use the text as is
  }
  return firstLine(raw);
}

export function toProxyError(err: unknown, attempts: number, timeoutMs: number): ProxyError {
  if (err instanceof ProxyError) return err;
  const e = shape(err);
  const model = modelStatus(e);
  if (model !== undefined) {
    if (model >= 400 && model < 500 && model !== 429) {
      // 400 / 413 / 415 / 422 from the container reach the caller with the same status.
      return new ProxyError('MS_PROXY_INVALID_INPUT', { reason: modelMessage(e) }, { cause: err, status: model });
    }
    if (model === 503 || model === 429) {
      return new ProxyError(
        'MS_PROXY_ENDPOINT_UNAVAILABLE',
        { reason: `the model is overloaded after ${attempts} attempts` },
        { cause: err },
      );
    }
    return new ProxyError('MS_PROXY_MODEL_ERROR', { status: model }, { cause: err });
  }
  if (isThrottle(e)) return new ProxyError('MS_PROXY_THROTTLED', { attempts }, { cause: err });
  if (e.name === 'AccessDeniedException' || status(e) === 403)
    return new ProxyError('MS_PROXY_ACCESS_DENIED', {}, { cause: err });
  if (e.name === 'ValidationError') {
    // "Endpoint x of account y not found." is an outage for the caller, not their mistake.
    if (/not found/i.test(e.message ?? '')) {
      return new ProxyError('MS_PROXY_ENDPOINT_UNAVAILABLE', { reason: 'the endpoint does not exist' }, { cause: err });
    }
    return new ProxyError('MS_PROXY_REJECTED', { reason: firstLine(e.message) }, { cause: err });
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError')
    return new ProxyError('MS_PROXY_TIMEOUT', { ms: timeoutMs }, { cause: err });
  if (isRetryable(e)) {
    const reason =
      e.name === 'ModelNotReadyException'
        ? 'the model is not ready yet'
        : isNetwork(e)
          ? 'connection failed'
          : (e.name ?? 'server error');
    return new ProxyError(
      'MS_PROXY_ENDPOINT_UNAVAILABLE',
      { reason: `${reason} after ${attempts} attempts` },
      { cause: err },
    );
  }
  const code = status(e);
  if (code !== undefined && code >= 400 && code < 500) {
    return new ProxyError(
      'MS_PROXY_REJECTED',
      { reason: firstLine(e.message) },
      { cause: err, status: code === 413 ? 413 : 400 },
    );
  }
  return new ProxyError('MS_PROXY_INTERNAL', {}, { cause: err });
}
