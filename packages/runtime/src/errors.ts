// The runtime's single error table: every error a client or an operator can see has a
// stable code, an HTTP status where it is answered over HTTP, and a message template.
// the README's runtime error table documents each code; test/errors.test.ts keeps the two in step.

export interface ErrorSpec {
  /** HTTP status when the error is answered to a client; undefined for start-up errors. */
  status?: number;
  /** Message template; `{name}` placeholders are filled from the error's params. */
  message: string;
  /** true: the caller (client or operator config) is at fault; false: the model or the runtime is. */
  userFault: boolean;
}

export const ERRORS = {
  MS_RUNTIME_INVALID_JSON: {
    status: 400,
    message: 'The request body is not valid JSON ({detail}); send {"instances": [...]}.',
    userFault: true,
  },
  MS_RUNTIME_INVALID_INPUT: {
    status: 400,
    message: '{field} {problem}',
    userFault: true,
  },
  MS_RUNTIME_INVALID_CSV: {
    status: 400,
    message: 'CSV row {row} could not be read: {detail}',
    userFault: true,
  },
  MS_RUNTIME_BODY_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than {limit} bytes; send fewer instances per request.',
    userFault: true,
  },
  MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Content-Type "{contentType}" is not accepted; send {accepted}.',
    userFault: true,
  },
  MS_RUNTIME_NOT_FOUND: {
    status: 404,
    message: 'No route for {method} {path}; see /openapi.json for the routes this service answers.',
    userFault: true,
  },
  MS_RUNTIME_INVALID_OUTPUT: {
    status: 422,
    message:
      'The model produced an answer that does not match its prediction schema, so it was withheld; report request id {requestId} to the service owner.',
    userFault: false,
  },
  MS_RUNTIME_PREDICT_FAILED: {
    status: 500,
    message: 'The model failed while predicting; report request id {requestId} to the service owner.',
    userFault: false,
  },
  MS_RUNTIME_INTERNAL: {
    status: 500,
    message: 'Internal error; report request id {requestId} to the service owner.',
    userFault: false,
  },
  MS_RUNTIME_NOT_READY: {
    status: 503,
    message: 'The model is {state}; retry after the service reports ready on /ping.',
    userFault: false,
  },
  MS_RUNTIME_MODEL_UNAVAILABLE: {
    status: 503,
    message: 'The model is unavailable ({reason}) and no fallback is configured.',
    userFault: false,
  },
  MS_RUNTIME_OVERLOADED: {
    status: 503,
    message: 'Too many requests in flight (limit {limit}); retry after {retryAfter} s.',
    userFault: false,
  },
  MS_RUNTIME_PREDICT_TIMEOUT: {
    status: 504,
    message: 'The model did not answer within {timeoutMs} ms; retry, or send fewer instances.',
    userFault: false,
  },
  MS_RUNTIME_CONFIG_INVALID: {
    message: 'Invalid configuration: {detail}',
    userFault: true,
  },
  MS_RUNTIME_MODEL_DEFINITION_INVALID: {
    message: 'The model definition is not usable: {detail}',
    userFault: true,
  },
  MS_RUNTIME_SCHEMA_COMPILE_FAILED: {
    message:
      'The {which} schema of model "{model}" does not compile: {detail}; fix the schema in your prediction module.',
    userFault: true,
  },
  MS_RUNTIME_MODEL_HASH_MISMATCH: {
    message:
      'Model file {path} has sha256 {actual}, but {expected} was recorded: it is not the model that was trained and tested, so the service will not start. Put the recorded file back, or, if this file is the new model, record its hash (model-service init --model <file>, or MS_MODEL_SHA256={actual}) and re-run the golden set (tests/golden.jsonl).',
    userFault: true,
  },
  MS_RUNTIME_MODEL_FILE_UNREADABLE: {
    message:
      'Model file {path} cannot be read ({detail}), so its recorded sha256 {expected} cannot be checked and the service will not start. Put the model file at that path, or point MS_MODEL_PATH at it.',
    userFault: true,
  },
  MS_RUNTIME_GOLDEN_SET_INVALID: {
    message:
      'Golden set {source} line {line}: {detail}. Each line is {"request": <request body>, "response": <expected response body>, "tolerance": 1e-6}.',
    userFault: true,
  },
  MS_RUNTIME_MODEL_LOAD_FAILED: {
    message: 'Model "{model}" failed to load: {detail}',
    userFault: false,
  },
  MS_RUNTIME_WARMUP_FAILED: {
    message: 'Model "{model}" failed its warm-up: {detail}',
    userFault: false,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export type ErrorParams = Record<string, string | number | undefined>;

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** The base class of every error the runtime raises on purpose. */
export class RuntimeError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly userFault: boolean;
  /** JSON Pointer into the request body, for validation errors. */
  readonly path: string | undefined;
  /** Extra headers (e.g. Retry-After) to send with the error answer. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    params: ErrorParams = {},
    extra: { cause?: unknown; path?: string; headers?: Record<string, string> } = {},
  ) {
    const spec: ErrorSpec = ERRORS[code];
    super(fill(spec.message, params), extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'RuntimeError';
    this.code = code;
    this.status = spec.status;
    this.userFault = spec.userFault;
    this.path = extra.path;
    this.headers = extra.headers;
  }
}

export function isRuntimeError(err: unknown): err is RuntimeError {
  return err instanceof RuntimeError;
}

/** The JSON body of every error answer: no stack, no internals. */
export function errorBody(err: RuntimeError, requestId: string): string {
  // Runner errors are made before the request id is known; it is filled in here.
  const message = err.message.includes('{requestId}') ? err.message.replace('{requestId}', requestId) : err.message;
  const error: Record<string, string> = { code: err.code, message };
  if (err.path !== undefined) error.path = err.path;
  error.requestId = requestId;
  return JSON.stringify({ error });
}
