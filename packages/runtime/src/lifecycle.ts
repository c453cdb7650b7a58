// Graceful shutdown. SIGTERM (SageMaker, ECS, Kubernetes) -> stop accepting, let every
// request already accepted finish, close keep-alive connections politely (busy ones after
// their answer with `Connection: close`, idle ones after a short grace), then close cache + model.
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/** How often idle keep-alive connections are swept while draining. */
const SWEEP_MS = 25;
/** How long idle keep-alive connections may still bring a request (answered with `Connection: close`). */
const IDLE_GRACE_MS = 250;

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
      clearTimeout(grace);
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve(drained);
    };
    // Not http's server.close(): since Node 19 it destroys every idle keep-alive connection at
    // once, and "idle" includes one whose client has just written its next request (not read
    // yet), which then dies with ECONNRESET under load. Only stop listening here; requests on
    // open connections get their answer with `Connection: close` (see the request handler).
    NetServer.prototype.close.call(server, () => finish(true));
    // Connections still idle after the grace (clients that sent nothing), or whose last answer
    // went out without `Connection: close` just before the drain, are swept until all closed.
    let sweep: NodeJS.Timeout | undefined;
    const grace = setTimeout(
      () => {
        server.closeIdleConnections();
        sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
      },
      Math.min(IDLE_GRACE_MS, timeoutMs),
    );
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
