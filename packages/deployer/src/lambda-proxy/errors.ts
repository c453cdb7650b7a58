// The proxy's error table. Every error a caller of the API can see has a stable
// code, an HTTP status and a message that says what to do; the body is always
// {"error":{"code","message","requestId"}}. Kept apart from the deployer's
// table because the handler is bundled on its own.
export const PROXY_ERRORS = {
  MS_PROXY_EMPTY_BODY: { status: 400, message: 'The request body is empty; send {"instances": [...]} as JSON.' },
  MS_PROXY_INVALID_JSON: { status: 400, message: 'The request body is not valid JSON: {reason}' },
  MS_PROXY_INVALID_INPUT: { status: 400, message: 'The model rejected the input: {reason}' },
  MS_PROXY_REJECTED: { status: 400, message: 'SageMaker rejected the request: {reason}' },
  MS_PROXY_ROUTE_NOT_FOUND: { status: 404, message: 'No route {method} {path}; use POST /predict or GET /health.' },
  MS_PROXY_METHOD_NOT_ALLOWED: { status: 405, message: '{method} is not allowed on {path}; allowed: {allowed}.' },
  MS_PROXY_PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'The request body is {bytes} bytes; SageMaker accepts at most {limit}.',
  },
  MS_PROXY_THROTTLED: {
    status: 429,
    message: 'The model endpoint is throttling requests ({attempts} attempts); retry after a short wait.',
  },
  MS_PROXY_INTERNAL: { status: 500, message: 'Internal error in the API proxy; it was logged with the request id.' },
  MS_PROXY_CONFIG: {
    status: 500,
    message: 'The API proxy is misconfigured: {reason}. Redeploy with `model-deploy up`.',
  },
  MS_PROXY_MODEL_ERROR: {
    status: 502,
    message: 'The model failed on this request (status {status}); it was logged with the request id.',
  },
  MS_PROXY_ACCESS_DENIED: {
    status: 502,
    message:
      'The API proxy is not allowed to call the model endpoint; redeploy with `model-deploy up` to repair its role.',
  },
  MS_PROXY_ENDPOINT_UNAVAILABLE: { status: 503, message: 'The model endpoint is unavailable ({reason}); retry later.' },
  MS_PROXY_TIMEOUT: { status: 504, message: 'The model endpoint did not answer within {ms} ms; retry later.' },
} as const;

export type ProxyErrorCode = keyof typeof PROXY_ERRORS;

export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly status: number;

  constructor(
    readonly code: ProxyErrorCode,
    params: Record<string, string | number> = {},
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(
      PROXY_ERRORS[code].message.replace(/\{(\w+)\}/g, (whole, key: string) =>
        key in params ? String(params[key]) : whole,
      ),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = options.status ?? PROXY_ERRORS[code].status;
  }
}

export function errorBody(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error: { code, message, requestId } });
}
