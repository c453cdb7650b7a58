// pino JSON logs. The default destination writes asynchronously and in batches (one write per
// event-loop turn) so a log line never blocks the hot path; request ids come from the caller or
// are made here.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { pino, type Logger } from 'pino';
import { createLogDestination, type LogDestination } from './log-destination.js';

export type { Logger } from 'pino';

export function createLogger(
  level = 'info',
  destination: Pick<LogDestination, 'write'> = createLogDestination({ fd: 1 }),
): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Never let a stray secret through if someone logs headers.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], remove: true },
    },
    destination,
  );
}

/** One access-log line's fields (the `request` line of every answered request). */
export interface AccessLine {
  reqId: string;
  method: string;
  route: string;
  status: number;
  ms: number;
}

export type AccessLineWriter = (level: 20 | 30, line: AccessLine) => void;

/**
 * Writes the access line straight to createLogger's destination, byte for byte what
 * createLogger's pino would write for `logger.info(line, 'request')` (a test holds the two
 * equal). pino's generic serializer costs several µs a line; this is on every request.
 * Only for the runtime's own logger: a user's logger may format lines its own way.
 */
export function accessLineWriter(
  destination: Pick<LogDestination, 'write'>,
  pid: number = process.pid,
): AccessLineWriter {
  const head = `,"pid":${pid},"reqId":`;
  return (level, l) => {
    destination.write(
      `{"level":${level},"time":${Date.now()}${head}${JSON.stringify(l.reqId)},"method":${JSON.stringify(l.method)},"route":${JSON.stringify(l.route)},"status":${l.status},"ms":${l.ms},"msg":"request"}\n`,
    );
  };
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
