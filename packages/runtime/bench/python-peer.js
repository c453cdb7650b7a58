// The Python peer users would otherwise run: FastAPI + uvicorn from Debian's packages
// (python3-fastapi, python3-uvicorn, and python3-uvloop + python3-httptools for the fast variant).
// Installed with apt-get when missing and possible; otherwise the rows are skipped with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';

const PYTHON = '/usr/bin/python3'; // Debian's interpreter: its dist-packages hold the apt-installed modules
const PACKAGES = ['python3-fastapi', 'python3-uvicorn', 'python3-uvloop', 'python3-httptools'];
export const SCRIPT = new URL('./servers/fastapi_server.py', import.meta.url).pathname;

function importable() {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, uvloop, httptools'], { stdio: 'ignore' }).status === 0;
}

/** undefined when FastAPI + uvicorn + uvloop + httptools can run, else why not. */
export function pythonPeerProblem() {
  if (importable()) return undefined;
  if (!existsSync('/usr/bin/apt-get') || process.getuid?.() !== 0)
    return `${PACKAGES.join(', ')} are not installed and apt-get is not usable here (needs Debian and root)`;
  console.log(`installing ${PACKAGES.join(' ')} with apt-get...`);
  const r = spawnSync('apt-get', ['install', '-y', '-q', ...PACKAGES], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 300_000,
  });
  if (r.status !== 0)
    return `apt-get install ${PACKAGES.join(' ')} failed (exit ${r.status}); run \`apt-get update\` first or install them by hand`;
  return importable() ? undefined : `${PACKAGES.join(', ')} installed but ${PYTHON} cannot import them`;
}

/** The command line of a peer server on `port`. */
export function pythonCommand(variant, port) {
  return [PYTHON, [SCRIPT, String(port), variant]];
}

function pingStatus(port) {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: '/ping', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on('error', () => resolve(0));
  });
}

/** Spawns the peer and resolves once /ping answers 200. */
export async function startPythonPeer(variant, port) {
  const [cmd, argv] = pythonCommand(variant, port);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    if (child.exitCode !== null)
      throw new Error(`FastAPI (${variant}) exited with ${child.exitCode} before it was ready`);
    if ((await pingStatus(port)) === 200) return { child, url: `http://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`FastAPI (${variant}) did not answer /ping within 20 s`);
}
