// Turns SageMaker's terse FailureReason plus the container's last log lines into
// the likely cause in plain words. Ordered by specificity: a log line that names
// the cause (out of memory, model load error, wrong port) beats the generic
// "did not pass the ping health check" that SageMaker reports for most of them.

/** The SageMaker container contract: the port and how long one /ping may take. */
export const SAGEMAKER_PORT = 8080;
export const SAGEMAKER_PING_LIMIT_MS = 2000;

export type CauseId =
  'image-pull' | 'out-of-memory' | 'model-load' | 'port' | 'ping-slow' | 'ping-health-check' | 'unknown';

export interface LikelyCause {
  id: CauseId;
  /** One sentence a person can act on. */
  summary: string;
  /** What to change. */
  fix: string;
  /** The reason or log line that gave it away (trimmed). */
  evidence?: string;
}

const IMAGE_PULL = [
  /CannotPullContainer/i,
  /(image|repository)\b.*\b(does not exist|not found|not exist)/i,
  /(does not have|no) permission to access/i,
  /failed to (pull|download)\b.*\bimage/i,
  /image pull (failed|error)/i,
  /ecr:(BatchGetImage|GetDownloadUrlForLayer|BatchCheckLayerAvailability)/i,
];
const OUT_OF_MEMORY = [
  /out of memory/i,
  /OutOfMemory/,
  /OOM[- ]?kill/i,
  /reached heap limit/i,
  /Cannot allocate memory|\bENOMEM\b/i,
  /\bMemoryError\b|std::bad_alloc/,
  /memory allocation failed/i,
  /exit(ed)? (with )?(code|status) 137\b/i,
];
const MODEL_LOAD = [
  /MS_RUNTIME_(MODEL_LOAD|WARMUP)_FAILED/,
  /failed to load\b.*\bmodel|model\b.*\bfailed to load/i,
  /(could not|cannot|unable to) load (the )?model/i,
  /error (while )?loading (the )?model/i,
  /no such file or directory\b.*(\/opt\/ml\/model|model\/|\.onnx|\.json|\.bin)/i,
  /protobuf parsing failed|load model from .* failed/i,
];
// `{"port":9090,"msg":"listening"}` (pino), `listening on port 9090`, `Listening at http://0.0.0.0:9090`.
const LISTEN_JSON_PORT = /"port"\s*:\s*(\d{2,5})/;
const LISTEN_TEXT_PORT = /listen(?:ing)?\b[^\n]*?(?:port\b\W*|:)(\d{2,5})\b/i;
const PING_LINE = /\/ping\b/;
// pino-http's `"responseTime":3150.2`, or text like `GET /ping 200 3150 ms`.
const DURATION_JSON = /"(?:responseTime|duration|durationMs|elapsed|ms)"\s*:\s*(\d+(?:\.\d+)?)/i;
const DURATION_TEXT = /\b(\d+(?:\.\d+)?)\s*ms\b/i;
const PING_TIMEOUT_REASON = /ping\b.*\btim(ed|e)[ -]?out|health check\b.*\btim(ed|e)[ -]?out/i;
const PING_REASON = /ping health check|health ?check/i;
const REFUSED = /connection refused|ECONNREFUSED/i;

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function firstMatch(texts: readonly string[], patterns: readonly RegExp[]): string | undefined {
  for (const text of texts) if (patterns.some((p) => p.test(text))) return text;
  return undefined;
}

/** Ports the logs say the server listens on (in order seen). */
export function listeningPorts(lines: readonly string[]): number[] {
  const ports: number[] = [];
  for (const line of lines) {
    if (!/listen/i.test(line)) continue;
    const m = LISTEN_JSON_PORT.exec(line) ?? LISTEN_TEXT_PORT.exec(line);
    const port = m ? Number(m[1]) : NaN;
    if (Number.isInteger(port) && port > 0 && port < 65536 && !ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** The slowest /ping the logs report, in ms (undefined when none has a duration). */
export function slowestPingMs(lines: readonly string[]): { ms: number; line: string } | undefined {
  let worst: { ms: number; line: string } | undefined;
  for (const line of lines) {
    if (!PING_LINE.test(line)) continue;
    const m = DURATION_JSON.exec(line) ?? DURATION_TEXT.exec(line);
    const ms = m ? Number(m[1]) : NaN;
    if (Number.isFinite(ms) && (!worst || ms > worst.ms)) worst = { ms, line };
  }
  return worst;
}

export function classifyFailure(failureReason: string | undefined, logLines: readonly string[]): LikelyCause {
  const reason = failureReason ?? '';
  const everything = [reason, ...logLines].filter(Boolean);

  const pull = firstMatch([reason], IMAGE_PULL);
  if (pull) {
    return {
      id: 'image-pull',
      summary:
        "SageMaker could not pull the image: it is not in ECR under that name/digest, or the model's execution role may not read it.",
      fix: "Check the image exists (`aws ecr describe-images`), is in the endpoint's region, and that the SageMaker execution role allows ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository (plus ecr:GetAuthorizationToken).",
      evidence: clip(pull),
    };
  }
  const oom = firstMatch(everything, OUT_OF_MEMORY);
  if (oom) {
    return {
      id: 'out-of-memory',
      summary: 'The container ran out of memory: the model (or a batch) does not fit the instance type.',
      fix: "Pick an instance type with more memory in release.yaml, shrink the model or the batch size, or raise Node's heap (NODE_OPTIONS=--max-old-space-size).",
      evidence: clip(oom),
    };
  }
  const load = firstMatch(logLines, MODEL_LOAD) ?? firstMatch([reason], MODEL_LOAD);
  if (load) {
    return {
      id: 'model-load',
      summary: 'The model failed to load, so the container never became healthy.',
      fix: 'Read the load error above: the model file must be in the image (or in model data from S3 under /opt/ml/model) and match what the loader expects; run the image locally to see it fail the same way.',
      evidence: clip(load),
    };
  }
  const ports = listeningPorts(logLines);
  if (ports.length > 0 && !ports.includes(SAGEMAKER_PORT)) {
    const line = logLines.find((l) => /listen/i.test(l) && l.includes(String(ports[0])));
    return {
      id: 'port',
      summary: `The server listens on port ${ports.join(', ')}, but SageMaker sends /ping and /invocations to port ${SAGEMAKER_PORT}.`,
      fix: `Listen on ${SAGEMAKER_PORT}: do not set PORT in the image or model environment (or set PORT=${SAGEMAKER_PORT}).`,
      evidence: line && clip(line),
    };
  }
  const slow = slowestPingMs(logLines);
  if (slow && slow.ms > SAGEMAKER_PING_LIMIT_MS) {
    return {
      id: 'ping-slow',
      summary: `GET /ping took ${Math.round(slow.ms)} ms; SageMaker gives it ${SAGEMAKER_PING_LIMIT_MS / 1000} s.`,
      fix: '/ping must answer from memory: load and warm the model at start, not inside /ping, and keep the event loop free (no synchronous work on the request path).',
      evidence: clip(slow.line),
    };
  }
  if (PING_TIMEOUT_REASON.test(reason)) {
    return {
      id: 'ping-slow',
      summary: `GET /ping did not answer within SageMaker's limit (${SAGEMAKER_PING_LIMIT_MS / 1000} s per ping).`,
      fix: '/ping must answer from memory: load and warm the model at start, not inside /ping; if start-up itself is slow, raise ContainerStartupHealthCheckTimeoutInSeconds.',
      evidence: clip(reason),
    };
  }
  if (PING_REASON.test(reason) || REFUSED.test(reason)) {
    return {
      id: 'ping-health-check',
      summary: `The container did not answer GET /ping on port ${SAGEMAKER_PORT} with 200 in time: it crashed at start, listens elsewhere, is still loading, or /ping reports unhealthy.`,
      fix: 'Run the same image locally with the command below: it starts the container, checks port 8080, /ping within 2 s and /invocations with the sample request, and says which one fails.',
      evidence: clip(reason),
    };
  }
  return {
    id: 'unknown',
    summary: 'No known cause matched the failure reason or the log lines.',
    fix: 'Read the failure reason and the log lines above; run the image locally with the command below to see whether the container contract holds.',
    ...(reason ? { evidence: clip(reason) } : {}),
  };
}
