// Graceful shutdown. SIGTERM (SageMaker, ECS, Kubernetes) -> stop accepting, let every
// request already accepted finish, close keep-alive connections politely (idle ones at
// once, busy ones after their answer with `Connection: close`), then close cache + model.
import type { Server } from 'node:http';

/** How often idle keep-alive connections are swept while draining. */
const SWEEP_MS = 25;

/**
 * Stops `server` accepting and waits for its connections to end. Resolves true when it
 * drained in time, false when `timeoutMs` passed and the remaining connections were cut.
 */
export function drainServer(server: Server, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve(true);
      return;
    }
    let done = false;
    const finish = (drained: boolean) => {
      if (done) return;
      done = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(drained);
    };
    server.close(() => finish(true));
    server.closeIdleConnections();
    // A connection whose last answer went out without `Connection: close` (it was written
    // just before the drain began) turns idle later: sweep until everything is closed.
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      finish(false);
    }, timeoutMs);
  });
}

export interface SignalOptions {
  signals?: NodeJS.Signals[];
  /** Called with 0 after a clean drain, 1 when the drain timed out or close failed. */
  exit?: (code: number) => void;
  log?: (message: string) => void;
}

/** Installs SIGTERM/SIGINT handlers that close the service once and exit. Returns an uninstall function. */
export function handleSignals(service: { close(): Promise<boolean | void> }, options: SignalOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    options.log?.(`${signal} received: draining`);
    service.close().then(
      (drained) => exit(drained === false ? 1 : 0),
      () => exit(1),
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
