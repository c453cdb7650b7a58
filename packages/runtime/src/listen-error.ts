// A port the service cannot bind is the operator's PORT/HOST choice, not a bug: name the
// variable and what to do instead of printing the socket error's stack.
import { RuntimeError } from './errors.js';

export function listenError(err: unknown, port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const detail =
    code === 'EADDRINUSE'
      ? `PORT=${port} is already in use on ${host}; stop the process that holds it, or set PORT to a free port (PORT=0 picks one).`
      : code === 'EACCES'
        ? `PORT=${port} on ${host} needs privileges this process lacks; set PORT to 1024 or above.`
        : code === 'EADDRNOTAVAIL'
          ? `HOST=${host} is not an address of this machine; set HOST to 127.0.0.1 or 0.0.0.0.`
          : undefined;
  return detail === undefined ? err : new RuntimeError('MS_RUNTIME_CONFIG_INVALID', { detail }, { cause: err });
}
