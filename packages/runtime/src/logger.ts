// pino JSON logs. The default destination writes asynchronously (sonic-boom buffer) so a
// log line never blocks the hot path; request ids come from the caller or are made here.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level = 'info'): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Never let a stray secret through if someone logs headers.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], remove: true },
    },
    // sync: false -> sonic-boom writes in the background; no minLength so lines show up at once at low traffic.
    pino.destination({ dest: 1, sync: false }),
  );
}

// Visible ASCII only (what a header may carry), bounded in length.
const SAFE_ID = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/** X-Request-Id wins, then X-Amzn-Trace-Id (set by AWS load balancers / API Gateway), else a new UUID. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  if (typeof given === 'string' && SAFE_ID.test(given)) return given;
  const trace = headers['x-amzn-trace-id'];
  if (typeof trace === 'string' && SAFE_ID.test(trace)) return trace;
  return randomUUID();
}
