// Stops the redis-server that global-setup started.
import { readFileSync } from 'node:fs';

export default async function globalTeardown() {
  const pidfile = process.env.MS_TEST_REDIS_PIDFILE;
  if (!pidfile) return;
  try {
    process.kill(Number(readFileSync(pidfile, 'utf8')), 'SIGTERM');
  } catch {
    // already gone (a test may kill it on purpose)
  }
}
