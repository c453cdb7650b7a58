// Local data capture (MS_CAPTURE_DIR): a sample of the requests and answers written as
// JSON lines in SageMaker's data capture record shape, one file per hour, so the records
// read the same locally as from the endpoint's S3 capture. Payloads go only to this folder.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface DataCaptureOptions {
  /** Folder the `<yyyy>-<mm>-<dd>-<hh>.jsonl` files are written to (created when missing). */
  dir: string;
  /** Percentage of answered requests captured, 1..100. */
  samplingPercent: number;
  /** Seam for tests: a number in [0, 1). */
  random?: () => number;
  /** Seam for tests. */
  now?: () => Date;
}

export interface DataCapture {
  /** Records one answered request when the sample picks it; never throws, never waits. */
  record(eventId: string, input: Buffer | string | object, csv: boolean, output: string): void;
  /** Flushes and closes the open file. */
  close(): Promise<void>;
}

function hourFile(at: Date): string {
  return `${at.toISOString().slice(0, 13).replace('T', '-')}.jsonl`;
}

function captured(data: Buffer | string | object, contentType: string, mode: 'INPUT' | 'OUTPUT') {
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : JSON.stringify(data);
  return { observedContentType: contentType, mode, data: text, encoding: contentType === 'text/csv' ? 'CSV' : 'JSON' };
}

export function createDataCapture(options: DataCaptureOptions): DataCapture {
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  const threshold = options.samplingPercent / 100;
  mkdirSync(options.dir, { recursive: true });
  let file: string | undefined;
  let stream: WriteStream | undefined;

  function streamFor(at: Date): WriteStream {
    const name = hourFile(at);
    if (stream === undefined || name !== file) {
      stream?.end();
      file = name;
      stream = createWriteStream(join(options.dir, name), { flags: 'a' });
      // A full disk must not take the service down: capture is best effort.
      stream.on('error', () => undefined);
    }
    return stream;
  }

  return {
    record(eventId, input, csv, output) {
      if (random() >= threshold) return;
      const at = now();
      const line = JSON.stringify({
        captureData: {
          endpointInput: captured(input, csv ? 'text/csv' : 'application/json', 'INPUT'),
          endpointOutput: captured(output, 'application/json', 'OUTPUT'),
        },
        eventMetadata: { eventId, inferenceTime: at.toISOString() },
        eventVersion: '0',
      });
      streamFor(at).write(`${line}\n`);
    },
    close() {
      const open = stream;
      stream = undefined;
      if (open === undefined) return Promise.resolve();
      return new Promise((resolve) => open.end(resolve));
    },
  };
}
