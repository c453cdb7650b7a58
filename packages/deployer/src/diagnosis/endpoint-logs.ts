// The last lines an endpoint's containers wrote to CloudWatch Logs
// (/aws/sagemaker/Endpoints/<name>, one stream per variant instance): the newest
// streams by LastEventTime, the tail of each, merged by time. Bounded in streams,
// lines and wall time, and it never throws: a diagnosis must not hide the
// failure it explains.
import {
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';

export interface LogLine {
  stream: string;
  /** ISO time of the event. */
  timestamp?: string;
  message: string;
}

export interface LogTail {
  logGroup: string;
  streams: string[];
  lines: LogLine[];
  /** The log group does not exist (the container never wrote a line). */
  missing?: boolean;
  /** Why the logs could not be read (access denied, timeout...). */
  error?: string;
}

export interface LogTailOptions {
  /** Newest streams to read (default 3). */
  maxStreams?: number;
  /** Lines kept in total, the newest (default 40). */
  maxLines?: number;
  /** Per call (default 10 s). */
  timeoutMs?: number;
}

const MAX_LINE_CHARS = 2000;

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
}

export async function fetchLogTail(
  logs: CloudWatchLogsClient,
  logGroup: string,
  options: LogTailOptions = {},
): Promise<LogTail> {
  const maxStreams = Math.min(Math.max(options.maxStreams ?? 3, 1), 10);
  const maxLines = Math.min(Math.max(options.maxLines ?? 40, 1), 500);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const tail: LogTail = { logGroup, streams: [], lines: [] };
  try {
    const found = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: logGroup,
        orderBy: 'LastEventTime',
        descending: true,
        limit: maxStreams,
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    tail.streams = (found?.logStreams ?? [])
      .map((s) => s.logStreamName)
      .filter((n): n is string => Boolean(n))
      .slice(0, maxStreams);
    const events: Array<LogLine & { ms: number }> = [];
    for (const stream of tail.streams) {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupName: logGroup,
          logStreamName: stream,
          startFromHead: false,
          limit: maxLines,
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      for (const e of out?.events ?? []) {
        const message = (e.message ?? '').replace(/\s+$/, '').slice(0, MAX_LINE_CHARS);
        if (!message) continue;
        const ms = e.timestamp ?? 0;
        events.push({
          stream,
          ms,
          message,
          ...(e.timestamp ? { timestamp: new Date(e.timestamp).toISOString() } : {}),
        });
      }
    }
    // Stable sort: lines of one stream keep their order at equal timestamps.
    events.sort((a, b) => a.ms - b.ms);
    tail.lines = events.slice(-maxLines).map(({ ms: _ms, ...line }) => line);
  } catch (err) {
    if ((err as { name?: string })?.name === 'ResourceNotFoundException') tail.missing = true;
    else tail.error = describe(err);
  }
  return tail;
}
