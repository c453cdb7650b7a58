// A client on a bare TCP socket, for what http clients hide: when the server answers
// relative to what was sent, and whether it closes the connection.
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closed (or reset) the connection. */
  closed: Promise<void>;
  /** Resolves with the received text once it contains `text`. */
  waitFor(text: string): Promise<string>;
}

export function openRaw(port: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const waiters: Array<{ text: string; resolve(t: string): void }> = [];
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      for (const w of waiters.splice(0)) {
        if (text.includes(w.text)) w.resolve(text);
        else waiters.push(w);
      }
    });
    // Writes after the server closed fail with EPIPE/ECONNRESET: that is the behaviour under test.
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => text,
        closed,
        waitFor: (wanted) =>
          new Promise((done, fail) => {
            if (text.includes(wanted)) return done(text);
            waiters.push({ text: wanted, resolve: done });
            closed.then(() =>
              text.includes(wanted)
                ? done(text)
                : fail(
                    new Error(
                      `connection closed before ${JSON.stringify(wanted)}; got ${JSON.stringify(text.slice(0, 300))}`,
                    ),
                  ),
            );
          }),
      }),
    );
    socket.once('error', reject);
  });
}

/** Writes and resolves once the bytes are handed to the kernel (false if the server already closed). */
export function write(socket: Socket, data: string | Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(false);
    socket.write(data, (err) => resolve(!err));
  });
}
