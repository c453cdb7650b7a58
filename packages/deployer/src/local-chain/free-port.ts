// A free loopback port, for servers whose own config must name their port up
// front (cognito-local writes it into the token issuer).
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it resolves true; bounded by attempts. */
export async function waitUntil(probe: () => Promise<boolean>, attempts: number, delayMs: number): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await probe().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return false;
}
