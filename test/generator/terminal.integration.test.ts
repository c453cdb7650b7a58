// The generator in a real terminal (a pty from python3's pty module), through our bin and
// through `yo`: Ctrl-C at a prompt ends the run with 130 and nothing else on the screen; yo run
// as root (it switches to uid 1000, which cannot read root's home) writes the project, and a
// folder that uid cannot write is said before any question, with the exit code yo would give.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ensureGeneratorBuilt } from './build.js';
import { ROOT } from './helpers.js';
import { BIN } from './run-bin.js';

const YO = join(ROOT, 'node_modules', '.bin', 'yo');
const AS_ROOT = process.getuid?.() === 0;

// Runs argv on a pty; once `marker` is on the screen, types Ctrl-C (when asked to). Prints the
// screen, then the exit code on the last line.
const PTY = String.raw`
import os, pty, select, sys, time
marker, ctrl_c, argv = sys.argv[1].encode(), sys.argv[2] == '1', sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, sent, deadline = b'', False, time.time() + 90
while time.time() < deadline:
    if ctrl_c and not sent and marker in out:
        os.write(fd, b'\x03')
        sent = True
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
sys.stdout.write('\nEXIT %d\n' % os.waitstatus_to_exitcode(status))
`;

let dir: string;

function onPty(cwd: string, marker: string, ctrlC: boolean, ...argv: string[]) {
  const run = spawnSync('python3', ['-c', PTY, marker, ctrlC ? '1' : '0', ...argv], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    // No update check: yo's own notifier box is not what these tests look at.
    env: { ...process.env, NODE_OPTIONS: '', NO_UPDATE_NOTIFIER: '1', FORCE_COLOR: '0' },
  });
  const screen = run.stdout;
  const code = Number(/EXIT (-?\d+)\n$/.exec(screen)?.[1]);
  return { screen, code };
}

/** `yo model-service init churn <flags>`, no Ctrl-C. */
const yoInit = (cwd: string, ...flags: string[]) =>
  onPty(cwd, '', false, YO, 'model-service', 'init', 'churn', ...flags);

/** A fresh folder anyone can write: yo as root runs the generator as uid 1000. */
function openFolder(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  chmodSync(path, 0o777);
  return path;
}

beforeAll(() => {
  ensureGeneratorBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ms-terminal-'));
  chmodSync(dir, 0o755);
}, 180_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('Ctrl-C at a prompt', () => {
  test.each([
    ['model-service init', [process.execPath, BIN, 'init', 'churn']],
    ['yo model-service init', [YO, 'model-service', 'init', 'churn']],
  ])(
    '%s: exit 130, no error line, no stack, nothing written',
    (_name, argv) => {
      const cwd = openFolder(`ctrl-c-${_name.replace(/\W+/g, '-')}`);
      const { screen, code } = onPty(cwd, 'Team that owns it', true, ...argv);
      expect(screen).toContain('Team that owns it');
      expect(code).toBe(130);
      expect(screen).not.toMatch(/error occured|this is a bug|force closed|\bat .+\.js:\d+/i);
      expect(existsSync(join(cwd, 'churn', 'release.yaml'))).toBe(false);
    },
    120_000,
  );
});

describe('yo model-service', () => {
  test('writes the project (as root: as the uid yo switches to, without reading root home)', () => {
    const cwd = openFolder('yo-ok');
    const { screen, code } = yoInit(cwd, '--yes', '--skip-install', '--skip-git');
    expect(screen).not.toContain('EACCES');
    expect(code).toBe(0);
    expect(existsSync(join(cwd, 'churn', 'release.yaml'))).toBe(true);
  }, 120_000);

  test('a bad flag exits 2 with its MS_GEN_* paragraph (yo alone would crash on the string code)', () => {
    const cwd = openFolder('yo-bad-flag');
    const { screen, code } = yoInit(cwd, '--yes', '--region', 'zz-nowhere-9');
    expect(screen).toContain('MS_GEN_INVALID_FLAG: --region "zz-nowhere-9" is not valid');
    expect(screen).not.toMatch(/ERR_INVALID_ARG_TYPE|error occured/);
    expect(code).toBe(2);
  }, 120_000);

  (AS_ROOT ? test : test.skip)(
    'as root in a folder only root can write: MS_GEN_NOT_WRITABLE before any question',
    () => {
      const cwd = join(dir, 'root-only');
      mkdirSync(cwd, { mode: 0o755 });
      const { screen, code } = yoInit(cwd);
      expect(screen).toMatch(/MS_GEN_NOT_WRITABLE: .*root-only is not writable by this process \(uid \d+\)/);
      expect(screen).toContain('npx model-service init');
      expect(screen).not.toContain('Team that owns it');
      expect(code).toBe(2);
    },
    120_000,
  );
});
