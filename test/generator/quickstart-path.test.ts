// The path from a model to a secured API, run as a user runs it from a clone: the commands
// are read from docs/quickstart-path.sh and run verbatim in a temp dir outside the repo
// (1: init, 2: npm install && npm test, 3: model-deploy local, called with a real Cognito token).
// Slow (a real npm install of the vendored packages); the steps run in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { run } from '../support/container.js';
import { ensureGeneratorBuilt } from './build.js';
import { ROOT } from './helpers.js';
import { childEnv, http } from './project-support.js';

/** `<command>   # <n>. <what>` lines of the path file, by step number, with <checkout> filled in. */
function steps(): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of readFileSync(join(ROOT, 'docs', 'quickstart-path.sh'), 'utf8').split('\n')) {
    const m = /^([^#\s].*?)\s+# (\d+)\. /.exec(line);
    if (m) out.set(Number(m[2]), m[1]!.replaceAll('<checkout>', ROOT));
  }
  return out;
}

let work: string;
let local: ChildProcess | undefined;
const passed = new Set<number>();
const path = steps();

function bash(command: string, timeoutMs: number) {
  // npm's own prefer-offline: the packages are in the machine's cache after the repo's install.
  return run('bash', ['-euo', 'pipefail', '-c', command], {
    cwd: work,
    timeoutMs,
    env: childEnv({ npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }),
  });
}

beforeAll(() => {
  ensureGeneratorBuilt();
  work = mkdtempSync(join(tmpdir(), 'ms-quickstart-'));
}, 180_000);

afterAll(() => {
  if (local && local.exitCode === null && local.signalCode === null) {
    try {
      process.kill(-local.pid!, 'SIGTERM');
    } catch {
      // the group is already gone
    }
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docs/quickstart-path.sh, run from a clone', () => {
  test('has steps 1-3 as single commands', () => {
    expect(path.get(1)).toMatch(/model-service\.js init churn /);
    expect(path.get(2)).toContain('npm install');
    expect(path.get(3)).toBe('npx model-deploy local');
  });

  test('1: init outside the repo packs the runtime and the deployer into vendor/', async () => {
    const r = await bash(path.get(1)!, 300_000);
    expect(`${r.stdout}\n${r.stderr}`.slice(-3000)).toContain('into vendor/ (no registry needed)');
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(work, 'churn', 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(pkg.devDependencies!['@model-service/deployer']).toMatch(/^file:vendor\//);
    passed.add(1);
  }, 300_000);

  test('2: npm install and npm test pass, and the installed deployer runs (npx model-deploy --help)', async () => {
    expect(passed.has(1)).toBe(true);
    const r = await bash(path.get(2)!, 900_000);
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) throw new Error(`step 2 exited ${r.status}:\n${output.slice(-4000)}`);
    expect(output).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    const help = await bash('cd churn && npx --no-install model-deploy --help', 120_000);
    expect(help.stdout).toContain('Usage: model-deploy');
    passed.add(2);
  }, 900_000);

  test('3: model-deploy local serves the API behind Cognito: no token 401, a token gets a prediction', async () => {
    expect(passed.has(2)).toBe(true);
    // Its own process group, as a terminal's foreground job: Ctrl-C (SIGINT) goes to the whole group.
    local = spawn('bash', ['-c', `cd churn && exec ${path.get(3)!}`], {
      cwd: work,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    local.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    local.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const ready = await new Promise<boolean>((done) => {
      const timer = setInterval(() => {
        if (out.includes('Ctrl-C stops everything.')) finish(true);
      }, 250);
      const finish = (ok: boolean) => {
        clearInterval(timer);
        done(ok);
      };
      local!.once('exit', () => finish(out.includes('Ctrl-C stops everything.')));
    });
    if (!ready) throw new Error(`model-deploy local did not start:\n${out.slice(-4000)}`);
    const predict = /POST (http:\/\/127\.0\.0\.1:\d+\/\S+\/predict)/.exec(out)![1]!;
    // The token is not printed: the call sources a 0600 credentials file, as a user's shell would.
    const credentials = /^\s*\. (\S+)$/m.exec(out)![1]!;
    const token = /MODEL_DEPLOY_TOKEN='([^']+)'/.exec(readFileSync(credentials, 'utf8'))![1]!;
    expect(out).not.toContain(token);
    const sample = readFileSync(join(work, 'churn', 'sample-request.json'), 'utf8');
    expect((await http(predict, 'POST', sample)).status).toBe(401);
    const answer = await http(predict, 'POST', sample, { authorization: token });
    expect(answer.status).toBe(200);
    expect(answer.json().predictions.length).toBe((JSON.parse(sample) as { instances: unknown[] }).instances.length);
    // Ctrl-C reaches the whole process group (npx, model-deploy, npm start, node), as in a terminal.
    // npx itself ends by the signal, so the exit is 0 or SIGINT; what matters is that nothing is left.
    const exited = new Promise<string>((done) => local!.once('exit', (code, signal) => done(String(code ?? signal))));
    process.kill(-local.pid!, 'SIGINT');
    expect(['0', 'SIGINT']).toContain(await exited);
    // Everything it started is gone: the runtime's port no longer answers.
    const runtime = /runtime:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    await expect(http(`${runtime}/ping`)).rejects.toThrow();
  }, 400_000);
});
