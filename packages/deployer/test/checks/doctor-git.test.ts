// The source checks against real git repositories in temp dirs; the "remote" is
// a local bare repository, so nothing touches the network.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ciConfigCheck, ciConfigProblem, gitCleanCheck, gitPushedCheck } from '../../src/checks/doctor-git.js';
import type { CheckContext } from '../../src/checks/check.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};
const WORKFLOW =
  'name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ms-git-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A committed project (release.yaml + a GitHub workflow) with a bare "origin" it was pushed to. */
function pushedProject(files: Record<string, string> = {}): { dir: string; origin: string; sha: string } {
  const origin = join(base, 'origin.git');
  const dir = join(base, 'project');
  mkdirSync(dir);
  sh(base, 'init', '-q', '--bare', '-b', 'main', origin);
  sh(dir, 'init', '-q', '-b', 'main');
  write(dir, { 'release.yaml': 'ci: { provider: github }\n', '.github/workflows/ci.yml': WORKFLOW, ...files });
  sh(dir, 'add', '.');
  sh(dir, 'commit', '-q', '-m', 'init');
  sh(dir, 'remote', 'add', 'origin', origin);
  sh(dir, 'push', '-q', 'origin', 'main');
  return { dir, origin, sha: sh(dir, 'rev-parse', 'HEAD') };
}

function ctxFor(dir: string, partial: Partial<CheckContext> = {}): CheckContext {
  return defaultCheckContext({ dir, env: {}, skipTests: true, builder: 'docker', ...partial });
}

describe('doctor.git.clean', () => {
  it('passes on a clean working tree and names the short sha', async () => {
    const p = pushedProject();
    expect(await gitCleanCheck.run(ctxFor(p.dir))).toEqual({
      status: 'pass',
      message: `clean at ${p.sha.slice(0, 7)}`,
    });
  });

  it('fails with the changed and untracked files, and says what to do', async () => {
    const p = pushedProject();
    write(p.dir, { 'release.yaml': 'ci: { provider: circleci }\n', 'notes.txt': 'draft' });
    const r = await gitCleanCheck.run(ctxFor(p.dir));
    expect(gitCleanCheck.id).toBe('doctor.git.clean');
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(new RegExp(`^2 uncommitted changes on top of ${p.sha.slice(0, 7)}: `));
    expect(r.message).toContain('M release.yaml');
    expect(r.message).toContain('?? notes.txt');
    expect(r.fix).toMatch(/Commit them .*--skip-git/);
  });

  it('only looks at the project directory inside a bigger repository', async () => {
    const p = pushedProject({ 'svc/release.yaml': 'x: 1\n' });
    write(p.dir, { 'other/scratch.txt': 'not part of the image' });
    expect((await gitCleanCheck.run(ctxFor(join(p.dir, 'svc')))).status).toBe('pass');
    expect((await gitCleanCheck.run(ctxFor(p.dir))).status).toBe('fail');
  });

  it('fails outside a repository and in a repository without commits', async () => {
    const plain = join(base, 'plain');
    mkdirSync(plain);
    const r = await gitCleanCheck.run(ctxFor(plain));
    expect(r).toMatchObject({
      status: 'fail',
      message: `${plain} is not in a git repository`,
      fix: expect.stringMatching(/git init/),
    });
    sh(plain, 'init', '-q');
    expect(await gitCleanCheck.run(ctxFor(plain))).toMatchObject({
      status: 'fail',
      message: 'the repository has no commit yet',
    });
  });
});

describe('doctor.git.clean: a repository of another user', () => {
  // Root can hand the directory to another uid; git then refuses it ("dubious ownership"), as in CI containers.
  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot('fails with the safe.directory fix', async () => {
    const p = pushedProject();
    execFileSync('chown', ['-R', '65534:65534', p.dir]);
    // No global/system safe.directory of this machine may hide the refusal.
    const saved = { global: process.env.GIT_CONFIG_GLOBAL, nosystem: process.env.GIT_CONFIG_NOSYSTEM };
    process.env.GIT_CONFIG_GLOBAL = '/dev/null';
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    const r = await gitCleanCheck.run(ctxFor(p.dir)).finally(() => {
      for (const [k, v] of [
        ['GIT_CONFIG_GLOBAL', saved.global],
        ['GIT_CONFIG_NOSYSTEM', saved.nosystem],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      execFileSync('chown', ['-R', `${process.getuid!()}:${process.getgid!()}`, p.dir]);
    });
    expect(r).toMatchObject({
      status: 'fail',
      message: `git refuses the repository at ${p.dir}: it is owned by another user`,
      fix: expect.stringContaining(`git config --global --add safe.directory ${p.dir}`),
    });
  });
});

describe('doctor.git.pushed', () => {
  it('passes when a remote-tracking branch contains HEAD (no network call needed)', async () => {
    const p = pushedProject();
    const r = await gitPushedCheck.run(ctxFor(p.dir));
    expect(r).toEqual({ status: 'pass', message: `${p.sha.slice(0, 7)} is on origin/main` });
  });

  it('fails for a local commit that was never pushed, with the fix', async () => {
    const p = pushedProject();
    write(p.dir, { 'src/new.ts': 'export {}\n' });
    sh(p.dir, 'add', '.');
    sh(p.dir, 'commit', '-q', '-m', 'local only');
    const head = sh(p.dir, 'rev-parse', '--short=7', 'HEAD');
    const r = await gitPushedCheck.run(ctxFor(p.dir));
    expect(gitPushedCheck.id).toBe('doctor.git.pushed');
    expect(r).toMatchObject({
      status: 'fail',
      message: `HEAD ${head} is not on any branch of origin`,
      fix: expect.stringMatching(/^Push it \(git push\).*--skip-git/),
    });
  });

  it('asks the remote with ls-remote when no tracking branch knows HEAD', async () => {
    const p = pushedProject();
    // Pushed by URL to a new branch: no remote-tracking ref is written for it.
    write(p.dir, { 'src/feature.ts': 'export {}\n' });
    sh(p.dir, 'add', '.');
    sh(p.dir, 'commit', '-q', '-m', 'feature');
    sh(p.dir, 'push', '-q', p.origin, 'HEAD:refs/heads/feature');
    const head = sh(p.dir, 'rev-parse', 'HEAD');
    expect(sh(p.dir, 'branch', '-r', '--contains', 'HEAD')).toBe('');
    const r = await gitPushedCheck.run(ctxFor(p.dir));
    expect(r).toEqual({
      status: 'pass',
      message: `${head.slice(0, 7)} is refs/heads/feature on origin (git ls-remote)`,
    });
  });

  it('fails with the reason when the remote cannot be reached, and without any remote', async () => {
    const p = pushedProject();
    sh(p.dir, 'commit', '-q', '--allow-empty', '-m', 'local only');
    sh(p.dir, 'remote', 'set-url', 'origin', join(base, 'gone.git'));
    const r = await gitPushedCheck.run(ctxFor(p.dir));
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/is not on any branch of origin; could not ask origin: .*gone\.git/);
    sh(p.dir, 'remote', 'remove', 'origin');
    expect(await gitPushedCheck.run(ctxFor(p.dir))).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^no git remote/),
      fix: expect.stringMatching(/git remote add origin/),
    });
  });
});

describe('doctor.ci.config', () => {
  const release = (provider: 'github' | 'circleci' | 'none') =>
    ({ ci: { provider } }) as unknown as CheckContext['release'];

  it('passes for a tracked workflow that parses', async () => {
    const p = pushedProject();
    expect(await ciConfigCheck.run(ctxFor(p.dir, { release: release('github') }))).toEqual({
      status: 'pass',
      message: 'github: .github/workflows/ci.yml',
    });
  });

  it('finds the workflow at the repository root when the project is a subdirectory', async () => {
    const p = pushedProject({ 'svc/release.yaml': 'x: 1\n' });
    expect(await ciConfigCheck.run(ctxFor(join(p.dir, 'svc'), { release: release('github') }))).toEqual({
      status: 'pass',
      message: 'github: .github/workflows/ci.yml',
    });
  });

  it('fails when the provider config is missing', async () => {
    const p = pushedProject();
    const r = await ciConfigCheck.run(ctxFor(p.dir, { release: release('circleci') }));
    expect(ciConfigCheck.id).toBe('doctor.ci.config');
    expect(r).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^no \.circleci\/config\.yml in .* \(release.yaml ci.provider: circleci\)$/),
      fix: expect.stringMatching(/--ci circleci.*ci.provider: none/),
    });
  });

  it('fails for an untracked config and for one that does not parse', async () => {
    const p = pushedProject();
    write(p.dir, { '.circleci/config.yml': 'version: 2.1\njobs: {}\n' });
    expect(await ciConfigCheck.run(ctxFor(p.dir, { release: release('circleci') }))).toMatchObject({
      status: 'fail',
      message: '.circleci/config.yml is not tracked by git',
      fix: expect.stringMatching(/git add and commit/),
    });
    write(p.dir, { '.github/workflows/ci.yml': 'on: [push\njobs:\n' });
    const r = await ciConfigCheck.run(ctxFor(p.dir, { release: release('github') }));
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^\.github\/workflows\/ci\.yml is not valid YAML \(line \d+\)/);
  });

  it('is skipped, with the reason, when release.yaml says ci.provider: none', async () => {
    const p = pushedProject();
    expect(await ciConfigCheck.run(ctxFor(p.dir, { release: release('none') }))).toEqual({
      status: 'skip',
      message: 'ci.provider is none in release.yaml: no CI config expected',
    });
  });

  it("ciConfigProblem: needs the provider's top-level keys", () => {
    expect(ciConfigProblem('github', WORKFLOW)).toBeUndefined();
    expect(ciConfigProblem('github', 'name: ci\njobs: {}\n')).toBe('has no "on:" at the top level');
    expect(ciConfigProblem('circleci', 'version: 2.1\nworkflows: {}\n')).toBe('has no "jobs:" at the top level');
    expect(ciConfigProblem('github', '- a\n- b\n')).toBe('is not a YAML mapping');
  });
});
