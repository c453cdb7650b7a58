// When each code appears and what to do, for the tables whose entries carry no `hint`
// (the deployer's table has its own). Docs text only: test/docs/error-reference.test.ts fails
// on a note whose code no table has.

export interface ErrorNote {
  /** When the code appears. */
  readonly when: string;
  /** What to do about it (omitted where the table's own hint says it). */
  readonly todo?: string;
}

export const ERROR_NOTES: Readonly<Record<string, ErrorNote>> = {
  MS_RUNTIME_INVALID_JSON: { when: 'The body is not JSON.', todo: 'Send `{"instances": [...]}`.' },
  MS_RUNTIME_INVALID_INPUT: {
    when: 'The body fails the request schema: a wrong type, a missing or unknown field, 0 rows or more than `maxInstances`, NaN or Infinity. `path` is a JSON Pointer to the field.',
    todo: 'Fix the field named in `message` and `path`.',
  },
  MS_RUNTIME_INVALID_CSV: {
    when: "A CSV row cannot be read, or the model's `fromCsvRow` threw.",
    todo: 'Fix the row named.',
  },
  MS_RUNTIME_NOT_FOUND: { when: 'No route for the method and path.', todo: 'See `/openapi.json` for the routes.' },
  MS_RUNTIME_BODY_TOO_LARGE: {
    when: "The body is above `maxBodyBytes` (`MS_MAX_BODY_BYTES`, default 6 MiB, SageMaker's real-time payload cap): refused from `Content-Length` before it is read, or as soon as a streamed body crosses it; the connection is closed.",
    todo: 'Send fewer rows per request.',
  },
  MS_RUNTIME_UNSUPPORTED_MEDIA_TYPE: {
    when: 'A Content-Type other than JSON (or CSV when the model has `fromCsvRow`); answered at once, and the connection is closed instead of reading the body.',
    todo: 'Send `application/json`.',
  },
  MS_RUNTIME_INVALID_OUTPUT: {
    when: "The model's answer failed its own prediction schema, or had the wrong number of predictions; the answer is withheld. The request was valid, so retrying it will not help (unlike a 5xx), and the bad answer is never sent.",
    todo: 'A model bug: find the request id in the log (it names the first bad field); `model_invalid_output_total` counts these, so alarm on it.',
  },
  MS_RUNTIME_PREDICT_FAILED: {
    when: '`predict` threw (details only in the log, under the request id).',
    todo: 'Report the request id; the log line carries the cause.',
  },
  MS_RUNTIME_INTERNAL: {
    when: 'Any other unexpected error, including from routes you added.',
    todo: 'Report the request id.',
  },
  MS_RUNTIME_NOT_READY: {
    when: 'The model is still loading, or the service is stopping; the answer carries `Retry-After: 5`.',
    todo: 'Retry.',
  },
  MS_RUNTIME_MODEL_UNAVAILABLE: {
    when: 'Load or warm-up failed and the model has no fallback; `Retry-After: 5`.',
    todo: 'Read the reason on `/ping`.',
  },
  MS_RUNTIME_OVERLOADED: {
    when: 'More than `maxInFlight` predictions are in flight (timed-out calls count until the model returns); `Retry-After: 1`.',
    todo: 'Retry with backoff, or scale out (instance count, autoscaling) or raise `MS_MAX_IN_FLIGHT`.',
  },
  MS_RUNTIME_PREDICT_TIMEOUT: {
    when: "`predict` took longer than `predictTimeoutMs` (default 9 s, below the Lambda proxy's 10 s per attempt; at most 55 s, below SageMaker's 60 s).",
    todo: "Retry, send fewer rows, make predict faster, or raise `MS_PREDICT_TIMEOUT_MS` (and the proxy's `MS_ATTEMPT_TIMEOUT_MS` above it).",
  },
  MS_RUNTIME_CONFIG_INVALID: {
    when: 'At start: an environment variable or option is invalid; the process exits 1 with one line naming it and its allowed values.',
    todo: 'Fix the variable.',
  },
  MS_RUNTIME_MODEL_DEFINITION_INVALID: {
    when: 'At start: the model object lacks `name`, `version`, `predict` or a schema, or the module cannot be imported.',
    todo: 'Fix the prediction module.',
  },
  MS_RUNTIME_SCHEMA_COMPILE_FAILED: {
    when: 'At start: the instance or prediction schema does not compile (the message names it).',
    todo: 'Fix that schema.',
  },
  MS_RUNTIME_MODEL_HASH_MISMATCH: {
    when: "At start: the model file's sha256 differs from the recorded one (`modelArtifact`, or `MS_MODEL_PATH` + `MS_MODEL_SHA256`); `serve` exits 1.",
    todo: 'Put the recorded file back, or record the new hash (`init --model`) and re-run the golden set.',
  },
  MS_RUNTIME_MODEL_FILE_UNREADABLE: {
    when: 'At start: the model file named by `modelArtifact.path` / `MS_MODEL_PATH` is missing or unreadable (errno named).',
    todo: 'Put the file there, or fix `MS_MODEL_PATH`.',
  },
  MS_RUNTIME_GOLDEN_SET_INVALID: {
    when: 'Reading a golden set (`tests/golden.jsonl`): a bad line (file and line named), no case, or an unreadable file.',
    todo: 'Fix that line; see [golden sets](runtime.md#golden-sets-replay-what-the-trained-model-answered).',
  },
  MS_RUNTIME_MODEL_LOAD_FAILED: {
    when: '`load()` threw: the state is `unhealthy`, with the reason on `/ping` (503, so SageMaker never routes to it).',
    todo: 'Check the weights and `src/model_loader.ts`; `npm start` shows the same error locally.',
  },
  MS_RUNTIME_WARMUP_FAILED: {
    when: 'A warm-up predict threw or answered outside the schema: the state is `unhealthy`.',
    todo: 'Fix the model or the warm-up rows.',
  },
  MS_RUNTIME_CACHE_FAULT: {
    when: 'Never answered: a cache operation failed and the request was served as a miss (`model_cache_errors_total`; logged at most every 10 s).',
    todo: 'Check Redis (`MS_REDIS_URL`, network, memory).',
  },
  MS_RUNTIME_CACHE_CONFIG_INVALID: {
    when: 'At start: a `cache.*` option is invalid (named).',
    todo: 'Fix the option.',
  },
  MS_RUNTIME_BATCH_RESULT_MISMATCH: {
    when: 'With batching on, `predict` returned a different number of predictions than instances; that batch is answered as `MS_RUNTIME_INVALID_OUTPUT` (422).',
    todo: 'Fix predict: one prediction per instance, in order.',
  },
  MS_RUNTIME_BATCHER_CLOSED: {
    when: 'A batched request arrived while the service was stopping; answered as 503 `MS_RUNTIME_NOT_READY`.',
    todo: 'Retry against another instance.',
  },

  MS_PROXY_EMPTY_BODY: { when: '`POST /predict` without a body.' },
  MS_PROXY_INVALID_JSON: { when: 'The body is not JSON.' },
  MS_PROXY_INVALID_INPUT: { when: 'The model answered 400; its reason is passed on.' },
  MS_PROXY_REJECTED: { when: 'SageMaker Runtime refused the request (a validation error, never retried).' },
  MS_PROXY_ROUTE_NOT_FOUND: { when: 'Neither `POST /predict` nor `GET /health`.' },
  MS_PROXY_METHOD_NOT_ALLOWED: { when: 'A known path with another method.' },
  MS_PROXY_PAYLOAD_TOO_LARGE: { when: "The body is over SageMaker's 6 MB." },
  MS_PROXY_THROTTLED: {
    when: 'Still throttled after the retries.',
    todo: "Retry after a short wait; raise the endpoint's capacity if it persists.",
  },
  MS_PROXY_INTERNAL: { when: 'A bug in the proxy.', todo: 'Report the request id.' },
  MS_PROXY_CONFIG: { when: "The function's settings (environment variables set by `up`) are wrong." },
  MS_PROXY_MODEL_ERROR: {
    when: 'The model failed on this request (a 5xx from the container).',
    todo: "Find the request id in the endpoint's log.",
  },
  MS_PROXY_ACCESS_DENIED: { when: 'The Lambda role may not invoke the endpoint.' },
  MS_PROXY_ENDPOINT_UNAVAILABLE: {
    when: 'The endpoint is down or not ready after the retries (the fallback rules answer instead, when configured).',
  },
  MS_PROXY_TIMEOUT: { when: 'No answer within the retry budget (API Gateway gives up at 29 s).' },

  MS_GEN_INVALID_FLAG: {
    when: 'A flag (or the name) has a value outside the allowed set or range; nothing is written.',
  },
  MS_GEN_UNKNOWN_FLAG: { when: '`model-service init` got a flag it does not know.' },
  MS_GEN_UNKNOWN_COMMAND: { when: '`model-service <command>` is not `init`.' },
  MS_GEN_PROD_NEEDS_TWO_INSTANCES: { when: 'Prod autoscaling with an instance count (or minimum) below 2.' },
  MS_GEN_CAPACITY_RANGE: { when: 'An autoscaling minimum above the maximum.' },
  MS_GEN_RUNTIME_SOURCE: { when: '`--runtime-source` is neither a `.tgz` nor a package folder.' },
  MS_GEN_MODEL_FILE: { when: '`--model` is not a readable, non-empty file with a plain file name.' },
  MS_GEN_MODEL_MISSING: { when: 'A re-run of a project that uses your own model, but `model/<file>` is gone.' },
  MS_GEN_MODEL_FORMAT: { when: '`--model` is not an ONNX file (the message says how to export yours to ONNX).' },
  MS_GEN_MODEL_OPSET: { when: 'The ONNX graph uses an opset older or newer than onnxruntime-node serves.' },
  MS_GEN_MODEL_TYPE: {
    when: 'An input or output of the ONNX graph has a tensor type the generic loader does not serve.',
  },
  MS_GEN_MODEL_ZIPMAP: {
    when: "The ONNX graph ends in a ZipMap (skl2onnx's default for classifiers), which onnxruntime-node cannot return.",
  },
  MS_GEN_MODEL_LOAD: { when: 'onnxruntime-node cannot load the `--model` file.' },
  MS_GEN_SAMPLE: { when: 'The `--sample` file cannot be read or its rows do not fit the model.' },
  MS_GEN_NOT_WRITABLE: {
    when: 'The folder the project goes in is not writable by the process, typically `yo` run as root (it switches to uid 1000).',
  },
  MS_GEN_CONFLICT: { when: 'Without a terminal, an existing file differs from what the generator would write.' },
  MS_GEN_NEEDS_TERMINAL: { when: 'Without a terminal, a question had no flag and there was no `--yes`.' },
  MS_GEN_VENDOR_PACK: {
    when: 'Run from a checkout, packing `@model-service/runtime` and `@model-service/deployer` into `vendor/` failed (their `tsc -b` or `npm pack`).',
  },
  MS_GEN_INSTALL_FAILED: { when: '`npm install` in the new project failed (the files are written).' },
  MS_GEN_TEMPLATES_MISSING: { when: 'The templates folder is missing (a packaging bug).' },
};
