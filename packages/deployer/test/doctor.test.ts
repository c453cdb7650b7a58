// `model-deploy doctor` through the real program: stable check ids, pass/fail/skip,
// fixes, exit code, --json; the external commands go through a recording runner.
import { createHash } from 'node:crypto';
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PREDEPLOY_CHECKS } from '../src/checks/registry.js';
import type { CommandRunner } from '../src/context.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, type Mocks } from './helpers/aws-context.js';
import { cli, tempProject } from './helpers/cli-harness.js';

interface Report {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

function recordingRunner(
  results: Record<string, { exitCode: number; stdout?: string; stderr?: string } | 'ENOENT'>,
): CommandRunner & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async run(command, args, options) {
      seen.push(`${command} ${args.join(' ')}${options?.cwd ? ` @${options.cwd}` : ''}`);
      const r = results[`${command} ${args.join(' ')}`];
      if (r === undefined || r === 'ENOENT')
        throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
      return { exitCode: r.exitCode, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
  };
}

const MODEL = '{"weights":[1,2,3]}';
const SHA = createHash('sha256').update(MODEL).digest('hex');
const WITH_ARTIFACT = RELEASE_YAML.replace(
  'model: { name: iris, team: data-science, owner: someone@example.com }',
  `model: { name: iris, team: data-science, artifact: model/iris.json, sha256: ${SHA} }`,
);
// The source and AWS capacity/IAM checks have their own tests (test/checks/); here a temp dir
// that is no git repository and mocks without quotas or simulations would fail them.
const OFFLINE_SKIPS = ['--skip-git', '--skip', 'doctor.capacity', 'doctor.iam'];
// A golden set whose input validates against the compiled schema (doctor.golden), and a model card (doctor.model.metrics).
const GOLDEN = {
  'model/metrics.json':
    '{"model":"iris","dataset":"30 held-out rows","evaluatedAt":"2026-11-25","metrics":{"accuracy":0.967}}\n',
  'tests/golden.jsonl':
    '{"request":{"instances":[[1,2,3,4]]},"response":{"predictions":["setosa"]},"tolerance":1e-6}\n',
  'dist/prediction.js':
    "export const instanceSchema = { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 };\n",
};
const okRunner = () =>
  recordingRunner({
    'npm test': { exitCode: 0 },
    'docker --version': { exitCode: 0, stdout: 'Docker version 26.1.5\n' },
  });

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
});
afterEach(() => restoreAll(mocks));

describe('model-deploy doctor', () => {
  it('passes on a healthy project, runs npm test in the project, exit 0', async () => {
    const p = tempProject({
      'release.yaml': WITH_ARTIFACT,
      Dockerfile: 'FROM node:20-slim\nCMD ["serve"]\n',
      'model/iris.json': MODEL,
      ...GOLDEN,
    });
    const runner = okRunner();
    const run = await cli(['doctor', '--dir', p.dir, '--json', ...OFFLINE_SKIPS], { deps: { runner } });
    p.cleanup();
    expect(run.code).toBe(0);
    const out = run.json<{ ok: boolean; checks: Report[] }>();
    expect(out.ok).toBe(true);
    expect(out.checks.map((c) => [c.id, c.status])).toEqual([
      ['doctor.release', 'pass'],
      ['doctor.region', 'pass'],
      ['doctor.credentials', 'pass'],
      ['doctor.artifacts', 'pass'],
      ['doctor.golden', 'pass'],
      ['doctor.model.metrics', 'pass'],
      ['doctor.dockerfile', 'pass'],
      ['doctor.tests', 'pass'],
      ['doctor.docker', 'pass'],
      ['doctor.iam.arns', 'skip'],
      ['doctor.git.clean', 'skip'],
      ['doctor.git.pushed', 'skip'],
      ['doctor.ci.config', 'skip'],
      ['doctor.config.volume', 'pass'],
      ['doctor.config.serverless', 'skip'],
      ['doctor.encryption', 'pass'],
      ['doctor.capacity', 'skip'],
      ['doctor.iam', 'skip'],
      ['doctor.vpc.subnets', 'skip'],
      ['doctor.vpc.security-groups', 'skip'],
      ['doctor.vpc.egress', 'skip'],
    ]);
    expect(out.checks.find((c) => c.id === 'doctor.credentials')!.message).toBe(`account ${ACCOUNT} (aws)`);
    expect(out.checks.find((c) => c.id === 'doctor.artifacts')!.message).toMatch(/sha256 matches/);
    expect(runner.seen).toEqual([`npm test @${p.dir}`, 'docker --version']);
  });

  it('lists every failure with its fix and exits 1', async () => {
    const p = tempProject({ 'release.yaml': WITH_ARTIFACT, 'model/iris.json': '{"tampered":true}' });
    const runner = recordingRunner({ 'npm test': { exitCode: 1, stderr: 'FAIL tests/app.test.ts\n1 failed' } });
    mocks.sts.on(GetCallerIdentityCommand).rejects(
      // What the SDK raises for unknown keys: the service exception with the AWS error name.
      new STSServiceException({
        name: 'InvalidClientTokenId',
        $fault: 'client',
        message: 'The security token included in the request is invalid.',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const run = await cli(['doctor', '--dir', p.dir], { deps: { runner } });
    p.cleanup();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}doctor\.credentials .*MS_DEPLOY_AWS_CREDENTIALS/);
    expect(run.stdout).toMatch(/FAIL {2}doctor\.artifacts .*sha256 is [0-9a-f]{64}, release.yaml says/);
    expect(run.stdout).toMatch(/FAIL {2}doctor\.golden .*no golden set: .*tests\/golden\.jsonl cannot be read/);
    expect(run.stdout).toMatch(
      /FAIL {2}doctor\.model\.metrics .*no model metrics: model\/metrics\.json cannot be read[\s\S]*fix: Write model\/metrics\.json/,
    );
    expect(run.stdout).toMatch(/FAIL {2}doctor\.dockerfile .*no Dockerfile/);
    expect(run.stdout).toMatch(/FAIL {2}doctor\.tests .*npm test exited 1: FAIL tests\/app\.test\.ts \| 1 failed/);
    expect(run.stdout).toMatch(
      /FAIL {2}doctor\.docker .*docker CLI not found[\s\S]*fix: Install docker, or pick another builder/,
    );
    expect(run.stdout).toMatch(/SKIP {2}doctor\.iam\.arns .*no role ARNs given/);
    expect(run.stderr).toMatch(
      /MS_DEPLOY_CHECKS_FAILED: 10 of 21 checks failed: doctor\.credentials, doctor\.artifacts, doctor\.golden, doctor\.model\.metrics, doctor\.dockerfile, doctor\.tests, doctor\.docker, doctor\.git\.clean, doctor\.git\.pushed, doctor\.ci\.config/,
    );
  });

  it('a malformed role ARN fails doctor.iam.arns (and the schema check), well-formed ones pass', async () => {
    const bad = RELEASE_YAML.replace(
      'region: eu-west-1',
      'region: eu-west-1\niam: { lambdaRoleArn: "arn:aws:iam::123:role/x" }',
    );
    const p = tempProject({ 'release.yaml': bad, Dockerfile: 'FROM x\n' });
    const run = await cli(['doctor', '--dir', p.dir, '--skip-tests', '--json'], { deps: { runner: okRunner() } });
    const byId = Object.fromEntries(run.json<{ checks: Report[] }>().checks.map((c) => [c.id, c]));
    expect(byId['doctor.iam.arns']).toMatchObject({
      status: 'fail',
      message: 'iam.lambdaRoleArn "arn:aws:iam::123:role/x" is not an IAM role ARN',
    });
    expect(byId['doctor.release']!.status).toBe('fail');
    expect(byId['doctor.region']).toMatchObject({ status: 'pass', message: 'eu-west-1' });
    const good = RELEASE_YAML.replace(
      'region: eu-west-1',
      `region: eu-west-1\niam: { lambdaRoleArn: "arn:aws:iam::${ACCOUNT}:role/ms-lambda", sagemakerRoleArn: "arn:aws:iam::${ACCOUNT}:role/svc/ms-sm" }`,
    );
    const q = tempProject({ 'release.yaml': good, Dockerfile: 'FROM x\n', ...GOLDEN });
    const ok = await cli(['doctor', '--dir', q.dir, '--skip-tests', '--json', ...OFFLINE_SKIPS], {
      deps: { runner: okRunner() },
    });
    p.cleanup();
    q.cleanup();
    expect(ok.json<{ checks: Report[] }>().checks.find((c) => c.id === 'doctor.iam.arns')).toMatchObject({
      status: 'pass',
      message: 'iam.lambdaRoleArn, iam.sagemakerRoleArn',
    });
    expect(ok.code).toBe(0);
  });

  it('an invalid release.yaml fails doctor.release with its code and skips the checks that need it', async () => {
    const p = tempProject({
      'release.yaml': RELEASE_YAML.replace('region: eu-west-1', 'region: mars-1'),
      Dockerfile: 'FROM x\n',
    });
    const run = await cli(['doctor', '--dir', p.dir, '--skip-tests', '--json'], {
      deps: { runner: okRunner() },
      env: { AWS_REGION: 'eu-west-1' },
    });
    p.cleanup();
    expect(run.code).toBe(1);
    const checks = run.json<{ checks: Report[]; error: { code: string } }>();
    const byId = Object.fromEntries(checks.checks.map((c) => [c.id, c]));
    expect(byId['doctor.release']).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^MS_DEPLOY_RELEASE_INVALID: \S+\/release\.yaml:3:1: region does not match/),
    });
    expect(byId['doctor.region']).toMatchObject({ status: 'fail', message: '"mars-1" is not an AWS region name' });
    expect(byId['doctor.artifacts']!.status).toBe('skip');
    expect(byId['doctor.tests']).toMatchObject({ status: 'skip', message: '--skip-tests' });
    expect(checks.error.code).toBe('MS_DEPLOY_CHECKS_FAILED');
  });

  it('fails doctor.region for a well-formed region AWS does not have (zz-nowhere-9)', async () => {
    const p = tempProject({
      'release.yaml': RELEASE_YAML.replace('region: eu-west-1', 'region: zz-nowhere-9'),
      Dockerfile: 'FROM x\n',
    });
    const run = await cli(['doctor', '--dir', p.dir, '--skip-tests', '--json', ...OFFLINE_SKIPS], {
      deps: { runner: okRunner() },
    });
    p.cleanup();
    const byId = Object.fromEntries(run.json<{ checks: Report[] }>().checks.map((c) => [c.id, c]));
    expect(byId['doctor.region']).toMatchObject({
      status: 'fail',
      message: '"zz-nowhere-9" is not an AWS region (the AWS SDK\'s region table does not have it)',
    });
    expect(run.code).toBe(1);
  });

  it('fails an artifact of 500 MB or more (sparse file, no disk used)', async () => {
    const p = tempProject({
      'release.yaml': RELEASE_YAML.replace('owner: someone@example.com', 'artifact: model/big.onnx'),
      Dockerfile: 'FROM x\n',
      'model/big.onnx': '',
    });
    const fd = openSync(join(p.dir, 'model', 'big.onnx'), 'w', 0o644);
    ftruncateSync(fd, 501 * 1024 * 1024);
    closeSync(fd);
    const run = await cli(['doctor', '--dir', p.dir, '--skip-tests', '--json'], { deps: { runner: okRunner() } });
    p.cleanup();
    const artifacts = run.json<{ checks: Report[] }>().checks.find((c) => c.id === 'doctor.artifacts')!;
    expect(artifacts).toMatchObject({
      status: 'fail',
      message: 'model/big.onnx is 501.0 MB (limit 500 MB)',
      fix: expect.stringMatching(/Shrink the model/),
    });
    expect(run.code).toBe(1);
  });

  it('--builder buildah looks for buildah instead of docker', async () => {
    const p = tempProject({ 'release.yaml': RELEASE_YAML, Dockerfile: 'FROM x\n' });
    const runner = recordingRunner({ 'buildah --version': { exitCode: 0, stdout: 'buildah version 1.28.2\n' } });
    const run = await cli(['doctor', '--dir', p.dir, '--skip-tests', '--builder', 'buildah', '--json'], {
      deps: { runner },
    });
    p.cleanup();
    expect(run.json<{ checks: Report[] }>().checks.find((c) => c.id === 'doctor.docker')).toMatchObject({
      status: 'pass',
      message: 'buildah version 1.28.2',
    });
    expect(runner.seen).toEqual(['buildah --version']);
  });

  it('check ids are unique and stable', () => {
    const ids = PREDEPLOY_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      'doctor.release',
      'doctor.region',
      'doctor.credentials',
      'doctor.artifacts',
      'doctor.golden',
      'doctor.model.metrics',
      'doctor.dockerfile',
      'doctor.tests',
      'doctor.docker',
      'doctor.iam.arns',
      'doctor.git.clean',
      'doctor.git.pushed',
      'doctor.ci.config',
      'doctor.config.volume',
      'doctor.config.serverless',
      'doctor.encryption',
      'doctor.capacity',
      'doctor.iam',
      'doctor.vpc.subnets',
      'doctor.vpc.security-groups',
      'doctor.vpc.egress',
    ]);
  });
});
