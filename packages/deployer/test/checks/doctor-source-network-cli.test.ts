// The whole `model-deploy doctor` on a real git project (bare local remote) in a
// VPC, with every AWS read answered by aws-sdk-client-mock: all the source,
// network, capacity and IAM checks pass together; --skip-git prints SKIP with
// its reason; a dirty tree fails with the fix.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, ListServiceQuotasCommand } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SKIP_GIT_MESSAGE } from '../../src/commands/doctor.js';
import type { CommandRunner } from '../../src/context.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, type Mocks } from '../helpers/aws-context.js';
import { cli } from '../helpers/cli-harness.js';

interface Report {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

const MINE = [
  'doctor.git.clean',
  'doctor.git.pushed',
  'doctor.ci.config',
  'doctor.config.volume',
  'doctor.encryption',
  'doctor.capacity',
  'doctor.iam',
  'doctor.vpc.subnets',
  'doctor.vpc.security-groups',
  'doctor.vpc.egress',
];
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};
const VPC_YAML = `${RELEASE_YAML}vpc: { subnetIds: [subnet-0aaaaaaa, subnet-0bbbbbbb], securityGroupIds: [sg-0ccccccc] }\n`;

const runner: CommandRunner = {
  async run(command) {
    if (command === 'docker' || command === 'npm') return { exitCode: 0, stdout: 'ok 1.0\n', stderr: '' };
    throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
  },
};

let base: string;
let dir: string;
let mocks: Mocks;

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env: GIT_ENV, stdio: 'ignore' });
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ms-doctor-sn-'));
  dir = join(base, 'iris');
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'release.yaml'), VPC_YAML);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim\n');
  writeFileSync(join(dir, 'model', 'iris.json'), '{"w":[1]}');
  mkdirSync(join(dir, 'tests'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'tests', 'golden.jsonl'), '{"request":{"instances":[[1]]},"response":{"predictions":[1]}}\n');
  writeFileSync(
    join(dir, 'model', 'metrics.json'),
    '{"model":"iris","dataset":"30 held-out rows","evaluatedAt":"2026-11-25","metrics":{"accuracy":0.967}}\n',
  );
  writeFileSync(
    join(dir, 'dist', 'prediction.js'),
    "export const instanceSchema = { type: 'array', items: { type: 'number' } };\n",
  );
  writeFileSync(
    join(dir, '.github', 'workflows', 'ci.yml'),
    'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{ run: npm test }]\n',
  );
  git(base, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  git(dir, 'remote', 'add', 'origin', join(base, 'origin.git'));
  git(dir, 'push', '-q', 'origin', 'main');

  mocks = mockAll();
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci` });
  mocks.iam.on(GetRoleCommand).resolves({
    Role: {
      Arn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
      RoleName: 'deployer',
      Path: '/',
      RoleId: 'AROA1',
      CreateDate: new Date(0),
    },
  });
  mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    IsTruncated: false,
    EvaluationResults: input.ActionNames.map((a) => ({
      EvalActionName: a,
      EvalResourceName: '*',
      EvalDecision: 'allowed',
    })),
  }));
  mocks.serviceQuotas.on(ListServiceQuotasCommand).resolves({
    Quotas: [
      { QuotaName: 'ml.t2.medium for endpoint usage', QuotaCode: 'L-T2', Value: 2 },
      { QuotaName: 'ml.m5.large for endpoint usage', QuotaCode: 'L-M5', Value: 4 },
    ],
  });
  mocks.serviceQuotas.on(GetServiceQuotaCommand).callsFake((input: { QuotaCode: string }) => ({
    Quota: { QuotaCode: input.QuotaCode, Value: input.QuotaCode === 'L-T2' ? 2 : 4 },
  }));
  mocks.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-0aaaaaaa', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' },
      { SubnetId: 'subnet-0bbbbbbb', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1b' },
    ],
  });
  mocks.ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-1',
        VpcId: 'vpc-1',
        Associations: [{ SubnetId: 'subnet-0aaaaaaa' }, { SubnetId: 'subnet-0bbbbbbb' }],
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
          { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' },
        ],
      },
    ],
  });
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: 'sg-0ccccccc', VpcId: 'vpc-1', IpPermissionsEgress: [{ IpProtocol: '-1' }] }],
  });
});
afterEach(() => {
  restoreAll(mocks);
  rmSync(base, { recursive: true, force: true });
});

describe('model-deploy doctor: source, network, capacity and IAM together', () => {
  it('passes every one of them on a pushed, clean project in a private VPC with NAT; exit 0', async () => {
    const run = await cli(['doctor', '--dir', dir, '--json', '--skip-tests'], { deps: { runner } });
    const checks = run.json<{ ok: boolean; checks: Report[] }>().checks;
    const byId = new Map(checks.map((c) => [c.id, c]));
    expect(MINE.map((id) => [id, byId.get(id)?.status])).toEqual(MINE.map((id) => [id, 'pass']));
    expect(byId.get('doctor.ci.config')!.message).toBe('github: .github/workflows/ci.yml');
    expect(byId.get('doctor.vpc.egress')!.message).toBe('vpc of dev, prod: default route through nat-1');
    expect(run.code).toBe(0);
    // One identity lookup for all AWS-backed checks of this run, plus doctor.credentials' own.
    expect(mocks.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(2);
  });

  it('--skip-git prints the source checks as SKIP with the reason, never silently', async () => {
    writeFileSync(join(dir, 'scratch.txt'), 'not committed');
    const run = await cli(['doctor', '--dir', dir, '--skip-tests', '--skip-git'], { deps: { runner } });
    for (const id of ['doctor.git.clean', 'doctor.git.pushed', 'doctor.ci.config']) {
      expect(run.stdout).toMatch(
        new RegExp(`SKIP {2}${id.replace(/\./g, '\\.')} +.*: ${SKIP_GIT_MESSAGE.replace(/[()]/g, '\\$&')}`),
      );
    }
    expect(run.code).toBe(0);
  });

  it('a dirty tree fails doctor.git.clean with the file and the fix; exit 1', async () => {
    writeFileSync(join(dir, 'scratch.txt'), 'not committed');
    const run = await cli(['doctor', '--dir', dir, '--skip-tests'], { deps: { runner } });
    expect(run.stdout).toMatch(
      /FAIL {2}doctor\.git\.clean +.*: 1 uncommitted change on top of [0-9a-f]{7}: \?\? scratch\.txt\n {6}fix: Commit them/,
    );
    expect(run.stderr).toMatch(/MS_DEPLOY_CHECKS_FAILED: 1 of \d+ checks failed: doctor\.git\.clean/);
    expect(run.code).toBe(1);
  });
});
