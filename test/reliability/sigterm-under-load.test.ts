// SIGTERM while autocannon drives 50 keep-alive connections against examples/iris in a child
// process: every request the server took before the signal completes with its normal 200 answer,
// keep-alive connections are closed politely (FIN after `Connection: close`, never a reset), and
// the process exits 0 within the drain limit. The only client errors allowed are connection
// attempts refused after the listener closed: those requests were never accepted.
import { afterAll, describe, expect, test } from '@jest/globals';
import autocannon from 'autocannon';
import { startIris, type IrisProcess } from '../acceptance/support/iris-process.js';

const DRAIN_MS = 10_000;
const BODY = JSON.stringify({
  instances: [
    [5.1, 3.5, 1.4, 0.2],
    [6.0, 2.9, 4.5, 1.5],
    [6.7, 3.0, 5.2, 2.3],
  ],
});
const RESPONSES_BEFORE_SIGNAL = 2000;

let iris: IrisProcess | undefined;
afterAll(async () => {
  await iris?.stop(1000);
});

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('SIGTERM under load', () => {
  test('accepted requests finish with 200, no resets, exit 0 within the drain limit', async () => {
    iris = await startIris({ MS_DRAIN_TIMEOUT_MS: String(DRAIN_MS), LOG_LEVEL: 'warn' });
    const url = `${iris.url}/invocations`;
    const headers = { 'content-type': 'application/json' };
    const expected = await (await fetch(url, { method: 'POST', headers, body: BODY })).text();
    expect(JSON.parse(expected).predictions.map((p: { label: string }) => p.label)).toEqual([
      'setosa',
      'versicolor',
      'virginica',
    ]);

    let responses = 0;
    let afterSignal = 0;
    let signalled = false;
    const statuses: Record<string, number> = {};
    const errors: Record<string, number> = {};
    let sendSignal!: () => void;
    const signalSent = new Promise<void>((ok) => {
      sendSignal = ok;
    });
    let finished!: (result: autocannon.Result) => void;
    const done = new Promise<autocannon.Result>((ok) => {
      finished = ok;
    });
    // The callback form returns the running instance (events, stop()).
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers,
        body: BODY,
        // Every answer must be the normal prediction, byte for byte.
        expectBody: expected,
        connections: 50,
        duration: 40,
        timeout: 20,
      },
      (_err, result) => finished(result),
    );
    instance.on('response', (_client: unknown, status: number) => {
      responses += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (signalled) afterSignal += 1;
      if (responses === RESPONSES_BEFORE_SIGNAL) {
        signalled = true;
        iris!.child.kill('SIGTERM');
        sendSignal();
      }
    });
    instance.on('reqError', (err: NodeJS.ErrnoException) => {
      const key = `${signalled ? 'after' : 'before'} signal: ${err.code ?? err.message}`;
      errors[key] = (errors[key] ?? 0) + 1;
    });

    await within(30_000, `${RESPONSES_BEFORE_SIGNAL} responses before the signal`, signalSent);
    const exit = await within(DRAIN_MS + 5000, 'exit after SIGTERM', iris.exited);
    instance.stop();
    const result = await done;

    const report = {
      exit,
      responses,
      afterSignal,
      statuses,
      errors,
      mismatches: result.mismatches,
      timeouts: result.timeouts,
    };
    process.stdout.write(`SIGTERM under load: ${JSON.stringify(report)}\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    // Every answer, including those finished during the drain, is the normal 200 prediction.
    expect(Object.keys(statuses)).toEqual(['200']);
    expect(result.non2xx).toBe(0);
    expect(result.mismatches).toBe(0);
    expect(result.timeouts).toBe(0);
    // No reset, no hang-up: only refused connection attempts after the listener closed.
    expect(Object.keys(errors).filter((k) => k !== 'after signal: ECONNREFUSED')).toEqual([]);
    expect(iris.output()).not.toMatch(/"level":(50|60)/);
  }, 60_000);
});
