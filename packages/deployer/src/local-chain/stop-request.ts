// SIGINT / SIGTERM as a request to stop, listened for from the start of a long-running command so
// that a signal during start-up is noticed too (and Node does not exit on it, leaving children).
export interface StopRequest {
  requested(): boolean;
  /** Resolves on the first SIGINT or SIGTERM. */
  readonly stopped: Promise<void>;
  dispose(): void;
}

export function listenForStop(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): StopRequest {
  let requested = false;
  let done!: () => void;
  const stopped = new Promise<void>((resolve) => (done = resolve));
  const onSignal = () => {
    requested = true;
    done();
  };
  for (const signal of signals) process.on(signal, onSignal);
  return {
    requested: () => requested,
    stopped,
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
