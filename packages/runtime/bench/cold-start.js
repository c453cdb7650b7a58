// The cold-start row: spawn a server process, then ask GET /ping every few milliseconds until it
// answers 200 (for the runtime: model loaded and warmed up). What a scale-out, a replaced
// instance and serverless inference pay before the first answer. Median of `runs` spawns.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function pingOnce(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
  });
}

async function once(command, env) {
  const port = await freePort();
  const [cmd, argv] = command(port);
  const file = argv[0];
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: 'ignore', env: { ...process.env, ...env } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${file} exited with ${child.exitCode} before answering /ping`);
      if ((await pingOnce(port)) === 200) return performance.now() - t0;
      if (performance.now() - t0 > 20_000) throw new Error(`${file} did not answer /ping 200 within 20 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Median and all samples (ms) of `runs` cold starts; `command(port)` gives [executable, argv]
 * (default: a Node bench server file taking its port as argv[2]).
 */
export async function coldStart(fileOrCommand, runs = 5, env = {}) {
  const command =
    typeof fileOrCommand === 'function' ? fileOrCommand : (port) => [process.execPath, [fileOrCommand, String(port)]];
  const samples = [];
  for (let i = 0; i < runs; i += 1) samples.push(await once(command, env));
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], samples };
}
