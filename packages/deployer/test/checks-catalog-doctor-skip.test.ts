// `model-deploy doctor --skip <id...>` through the real program: a skipped check
// does not run and is printed as SKIP "skipped by --skip"; an unknown id is a
// usage error (exit 2) that names the known ids, before any check runs.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PREDEPLOY_CHECKS } from '../src/checks/registry.js';
import { SKIPPED_MESSAGE } from '../src/commands/doctor.js';
import type { CommandRunner } from '../src/context.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, type Mocks } from './helpers/aws-context.js';
import { cli, tempProject } from './helpers/cli-harness.js';

interface Report {
  id: string;
  status: string;
  message: string;
}

function recordingRunner(): CommandRunner & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async run(command, args) {
      seen.push(`${command} ${args.join(' ')}`);
      return { exitCode: 0, stdout: `${command} 1.0\n`, stderr: '' };
    },
  };
}

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
});
afterEach(() => restoreAll(mocks));

const project = () => tempProject({ 'release.yaml': RELEASE_YAML, Dockerfile: 'FROM node:20-slim\n' });

describe('model-deploy doctor --skip', () => {
  it('prints a skipped check as SKIP "skipped by --skip" and never runs it', async () => {
    const p = project();
    const runner = recordingRunner();
    const run = await cli(['doctor', '--dir', p.dir, '--skip', 'doctor.tests', 'doctor.docker'], { deps: { runner } });
    p.cleanup();
    expect(run.stdout).toMatch(/SKIP {2}doctor\.tests +project tests pass \(npm test\): skipped by --skip/);
    expect(run.stdout).toMatch(/SKIP {2}doctor\.docker +container CLI present: skipped by --skip/);
    expect(run.stdout).toMatch(/PASS {2}doctor\.release /);
    // Neither npm test nor docker --version ran.
    expect(runner.seen.filter((c) => c === 'npm test' || c === 'docker --version')).toEqual([]);
  });

  it('accepts comma-separated and repeated ids; --json reports them as skip', async () => {
    const p = project();
    const runner = recordingRunner();
    // doctor.capacity and doctor.iam resolve the identity themselves: skipped too, so no STS call is made.
    const run = await cli(
      [
        'doctor',
        '--dir',
        p.dir,
        '--json',
        '--skip',
        'doctor.tests,doctor.credentials',
        '--skip',
        'doctor.docker',
        '--skip',
        'doctor.capacity,doctor.iam',
      ],
      { deps: { runner } },
    );
    p.cleanup();
    const checks = run.json<{ checks: Report[] }>().checks;
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const id of ['doctor.tests', 'doctor.credentials', 'doctor.docker']) {
      expect(byId.get(id)).toMatchObject({ status: 'skip', message: SKIPPED_MESSAGE });
    }
    // Every doctor check is still listed: skipping never hides a check.
    expect(checks.map((c) => c.id)).toEqual(PREDEPLOY_CHECKS.map((c) => c.id));
    expect(mocks.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    expect(byId.get('doctor.release')!.status).toBe('pass');
  });

  it('without --skip the same check runs', async () => {
    const p = project();
    const runner = recordingRunner();
    const run = await cli(['doctor', '--dir', p.dir, '--json'], { deps: { runner } });
    p.cleanup();
    const tests = run.json<{ checks: Report[] }>().checks.find((c) => c.id === 'doctor.tests')!;
    expect(tests.status).toBe('pass');
    expect(runner.seen).toContain('npm test');
  });

  it('an unknown id is a usage error (exit 2) naming it and the known ids; nothing runs', async () => {
    const p = project();
    const runner = recordingRunner();
    const run = await cli(['doctor', '--dir', p.dir, '--skip', 'doctor.tets'], { deps: { runner } });
    p.cleanup();
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/--skip: unknown check id "doctor\.tets"/);
    for (const c of PREDEPLOY_CHECKS) expect(run.stderr).toContain(c.id);
    expect(runner.seen).toEqual([]);
    expect(mocks.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('a verify id is refused with the reason; --json gives MS_DEPLOY_USAGE', async () => {
    const p = project();
    const run = await cli(['doctor', '--dir', p.dir, '--json', '--skip', 'verify.slo.latency'], {
      deps: { runner: recordingRunner() },
    });
    p.cleanup();
    expect(run.code).toBe(2);
    const out = run.json<{ ok: boolean; error: { code: string; message: string } }>();
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('MS_DEPLOY_USAGE');
    expect(out.error.message).toMatch(/verify\.slo\.latency is not a doctor check/);
    expect(out.error.message).toMatch(/Known ids: doctor\.release, /);
  });
});

describe('model-deploy doctor --skip and --image', () => {
  it('an image check named without --image is refused with the mode that runs it', async () => {
    const p = project();
    const run = await cli(['doctor', '--dir', p.dir, '--skip', 'doctor.secrets'], {
      deps: { runner: recordingRunner() },
    });
    p.cleanup();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown check id "doctor\.secrets" \(doctor\.secrets runs only with --image\)/);
  });

  it('with --image, a default-run check is refused the same way, before the image is touched', async () => {
    const p = project();
    const runner = recordingRunner();
    const run = await cli(['doctor', '--dir', p.dir, '--image', 'iris:local', '--skip', 'doctor.tests'], {
      deps: { runner },
    });
    p.cleanup();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/doctor\.tests does not run with --image/);
    expect(runner.seen).toEqual([]);
  });
});
