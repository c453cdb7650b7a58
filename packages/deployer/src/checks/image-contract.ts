// The SageMaker container contract, checked over HTTP against a running
// container (or any server): something listens on 8080, GET /ping answers 200
// within SageMaker's 2 s per ping (after a bounded start-up), and POST
// /invocations answers the sample request with 2xx. Pure HTTP: the container
// plumbing (docker / podman / buildah) lives in image-container.ts.
import { request } from 'node:http';
import { SAGEMAKER_PING_LIMIT_MS, SAGEMAKER_PORT } from '../diagnosis/likely-cause.js';

/** Where the container's port 8080 is reachable from here. */
export type HttpTarget = { host: string; port: number } | { socketPath: string };

export interface HttpAnswer {
  /** 0 = no answer. */
  status: number;
  ms: number;
  body: string;
  /** refused | timeout | reset | the socket error code */
  error?: string;
}

export interface ContractOptions {
  /** The sample request body (sample-request.json). */
  sample: string;
  contentType?: string;
  /** How long the container may take to answer /ping 200 the first time (default 120 s). */
  startupTimeoutMs?: number;
  /** Per /ping (default SageMaker's 2 s). */
  pingLimitMs?: number;
  /** Per /invocations (default 60 s, SageMaker's invocation timeout). */
  invokeTimeoutMs?: number;
  /** Between /ping polls during start-up (default 500 ms). */
  pollMs?: number;
  /** Ports the container's processes listen on, when the runner can tell. */
  listeningPorts?(): Promise<number[] | undefined>;
  /** Set once the container process ended. */
  exited?(): { code: number | null; output: string } | undefined;
  /** Called just before POST /invocations (the logs check reads output from here). */
  beforeInvoke?(): void;
}

export type ContractStep = 'port' | 'exited' | 'ping' | 'ping-slow' | 'invocations';

export interface ContractResult {
  ok: boolean;
  port: number;
  startupMs?: number;
  /** Steady-state /ping times after start-up. */
  pingMs: number[];
  invocation?: { status: number; ms: number; bodyPreview: string };
  failure?: { step: ContractStep; message: string; fix: string };
}

const MAX_BODY = 64 * 1024;
const STEADY_PINGS = 3;
/** A process that listens elsewhere (and not on 8080) for this long is on the wrong port. */
const WRONG_PORT_GRACE_MS = 2000;

export function httpCall(
  target: HttpTarget,
  method: 'GET' | 'POST',
  path: string,
  timeoutMs: number,
  body?: string,
  contentType = 'application/json',
): Promise<HttpAnswer> {
  const started = performance.now();
  return new Promise((done) => {
    let settled = false;
    const finish = (a: Omit<HttpAnswer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done({ ...a, ms: performance.now() - started });
    };
    const headers: Record<string, string | number> = { Accept: 'application/json', Connection: 'close' };
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = request({ ...target, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (text.length < MAX_BODY) text += c;
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => finish({ status: res.statusCode ?? 0, body: text, error: 'reset' }));
    });
    const timer = setTimeout(() => {
      finish({ status: 0, body: '', error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code =
        err.code === 'ECONNREFUSED' || err.code === 'ENOENT'
          ? 'refused'
          : err.code === 'ECONNRESET'
            ? 'reset'
            : (err.code ?? err.message);
      finish({ status: 0, body: '', error: code });
    });
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const preview = (s: string) => (s.length > 200 ? `${s.slice(0, 199)}…` : s).replace(/\s+/g, ' ').trim();

function tail(output: string, lines = 5): string {
  return output.trim().split('\n').slice(-lines).join(' | ');
}

export async function checkContract(target: HttpTarget, options: ContractOptions): Promise<ContractResult> {
  const startupTimeoutMs = options.startupTimeoutMs ?? 120_000;
  const pingLimitMs = options.pingLimitMs ?? SAGEMAKER_PING_LIMIT_MS;
  const invokeTimeoutMs = options.invokeTimeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 500;
  const result: ContractResult = { ok: false, port: SAGEMAKER_PORT, pingMs: [] };
  const fail = (step: ContractStep, message: string, fix: string): ContractResult => ({
    ...result,
    ok: false,
    failure: { step, message, fix },
  });
  const limitS = `${pingLimitMs / 1000} s`;

  // 1. Start-up: poll /ping until 200, the process exits, it listens elsewhere, or time is up.
  const started = performance.now();
  let last: HttpAnswer | undefined;
  let wrongSince: number | undefined;
  let ports: number[] | undefined;
  for (;;) {
    const ended = options.exited?.();
    if (ended) {
      return fail(
        'exited',
        `the container exited (code ${ended.code ?? 'signal'}) before /ping answered 200${ended.output ? `: ${tail(ended.output)}` : ''}`,
        'Run the image by hand and read its output: the entry must be a server that keeps running (`serve`).',
      );
    }
    last = await httpCall(target, 'GET', '/ping', pingLimitMs);
    if (last.status === 200) break;
    const elapsed = performance.now() - started;
    ports = await options.listeningPorts?.();
    // Listening, but not on 8080, for a while: it will not move there by itself.
    if (ports && ports.length > 0 && !ports.includes(SAGEMAKER_PORT)) {
      wrongSince ??= elapsed;
      if (elapsed - wrongSince >= WRONG_PORT_GRACE_MS) break;
    } else wrongSince = undefined;
    if (elapsed >= startupTimeoutMs) break;
    await sleep(pollMs);
  }
  const startupS = `${Number((startupTimeoutMs / 1000).toFixed(1))} s`;
  if (last.status !== 200) {
    const otherPorts = (ports ?? []).filter((p) => p !== SAGEMAKER_PORT);
    const nothingOn8080 = ports ? !ports.includes(SAGEMAKER_PORT) : last.error === 'refused';
    if (nothingOn8080) {
      return fail(
        'port',
        otherPorts.length > 0
          ? `nothing listens on port ${SAGEMAKER_PORT}; the container listens on ${otherPorts.join(', ')}`
          : `nothing listens on port ${SAGEMAKER_PORT} after ${startupS}`,
        `SageMaker sends /ping and /invocations to port ${SAGEMAKER_PORT}: listen on 0.0.0.0:${SAGEMAKER_PORT} (do not set PORT to anything else in the image).`,
      );
    }
    if (last.error === 'timeout') {
      return fail(
        'ping-slow',
        `GET /ping did not answer within ${limitS} (SageMaker's limit per ping) for ${startupS}`,
        'Answer /ping from memory (a health flag), never by loading or calling the model; keep the event loop free.',
      );
    }
    return fail(
      'ping',
      `GET /ping answered ${last.status ? `HTTP ${last.status}` : `nothing (${last.error})`} instead of 200 for ${startupS}${last.body ? `: ${preview(last.body)}` : ''}`,
      '/ping must answer 200 once the model is loaded; if loading fails the container is unhealthy: read its output (`model-deploy doctor --image` prints it) and fix the load.',
    );
  }
  result.startupMs = Math.round(performance.now() - started);

  // 2. Steady state: SageMaker keeps pinging; each must be 200 within the limit.
  for (let i = 0; i < STEADY_PINGS; i++) {
    const ping = await httpCall(target, 'GET', '/ping', pingLimitMs);
    if (ping.status !== 200) {
      return fail(
        ping.error === 'timeout' ? 'ping-slow' : 'ping',
        ping.error === 'timeout'
          ? `GET /ping took longer than ${limitS} after start-up`
          : `GET /ping answered ${ping.status || ping.error} after it had answered 200`,
        'Answer /ping from memory (a health flag) so it stays fast and stable under load.',
      );
    }
    result.pingMs.push(Math.round(ping.ms));
  }

  // 3. The sample request.
  options.beforeInvoke?.();
  const inv = await httpCall(
    target,
    'POST',
    '/invocations',
    invokeTimeoutMs,
    options.sample,
    options.contentType ?? 'application/json',
  );
  result.invocation = { status: inv.status, ms: Math.round(inv.ms), bodyPreview: preview(inv.body) };
  if (inv.status < 200 || inv.status >= 300) {
    return fail(
      'invocations',
      `POST /invocations with the sample request answered ${inv.status ? `HTTP ${inv.status}` : `nothing (${inv.error})`}${inv.body ? `: ${preview(inv.body)}` : ''}`,
      'The sample request (sample-request.json) must be accepted: fix the input schema or the sample, and check the container output for the error.',
    );
  }
  return { ...result, ok: true };
}
