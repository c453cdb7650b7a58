// JSON.parse of a large body, off the event loop. A 6 MiB body of small rows takes hundreds of
// milliseconds to parse; on the main thread every /ping behind it would wait that long. A worker
// thread parses it and sends back only what can pass validation: a body with more instances than
// allowed comes back as a refusal, never as 350,000 rows to copy across threads.
//
// The worker's source is inline (eval) rather than a file, so it runs the same from dist, from a
// bundle, and from TypeScript under a test runner. It is started on the first large body only.
import { Worker } from 'node:worker_threads';
import { RuntimeError } from './errors.js';
import { tooManyInstances } from './csv-rows.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, bytes, maxInstances }) => {
  let value;
  try {
    let text = Buffer.from(bytes).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    value = JSON.parse(text);
  } catch (err) {
    parentPort.postMessage({ id, fault: 'json', detail: String((err && err.message) || 'parse error').slice(0, 120) });
    return;
  }
  const instances = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? value.instances : undefined;
  if (Array.isArray(instances) && instances.length > maxInstances) {
    parentPort.postMessage({ id, fault: 'count' });
    return;
  }
  try {
    parentPort.postMessage({ id, value });
  } catch (err) {
    // Copying a value nested thousands deep overflows the stack: refuse it rather than lose the worker.
    parentPort.postMessage({ id, fault: 'json', detail: 'nested too deeply to read (' + String((err && err.message) || err).slice(0, 80) + ')' });
  }
});
`;

type Reply = { id: number; value?: unknown; fault?: 'json' | 'count'; detail?: string };

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export class JsonParseWorker {
  readonly #maxInstances: number;
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(maxInstances: number) {
    this.#maxInstances = maxInstances;
  }

  /**
   * Parses `body` in the worker. Rejects MS_RUNTIME_INVALID_JSON (not JSON) or
   * MS_RUNTIME_INVALID_INPUT (more instances than allowed) as the inline parse would.
   */
  parse(body: Buffer): Promise<unknown> {
    const worker = this.#start();
    const id = this.#nextId++;
    // An exact-size copy can be transferred, not cloned; the body's own memory may be shared with others.
    const bytes =
      body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
        ? body.buffer
        : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, bytes, maxInstances: this.#maxInstances }, [bytes as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    // Idle, the worker must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: Reply) => this.#settle(reply));
    const fail = (err: unknown) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        p.reject(new RuntimeError('MS_RUNTIME_INTERNAL', {}, { cause: err }));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the JSON parse worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: Reply): void {
    const p = this.#pending.get(reply.id);
    if (!p) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.fault === 'json')
      p.reject(new RuntimeError('MS_RUNTIME_INVALID_JSON', { detail: reply.detail ?? 'parse error' }, { path: '' }));
    else if (reply.fault === 'count') p.reject(tooManyInstances(this.#maxInstances));
    else p.resolve(reply.value);
  }
}
