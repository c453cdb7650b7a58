// doctor with the real SDK credential chain and no credentials anywhere (no
// keys, no profile files, instance metadata off): doctor.credentials FAILs with
// the fix and every AWS-backed check of this issue SKIPs with the reason,
// quickly; no mock, no network call gets as far as a request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RELEASE_YAML } from '../helpers/aws-context.js';
import { cli } from '../helpers/cli-harness.js';

interface Report {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

const CREDENTIAL_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_EC2_METADATA_DISABLED',
];
const saved: Record<string, string | undefined> = {};
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-doctor-offline-'));
  for (const k of CREDENTIAL_VARS) saved[k] = process.env[k];
  for (const k of CREDENTIAL_VARS) delete process.env[k];
  // The SDK reads these from process.env: no files, no instance metadata.
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-credentials');
  process.env.AWS_CONFIG_FILE = join(dir, 'no-config');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  writeFileSync(
    join(dir, 'release.yaml'),
    `${RELEASE_YAML}vpc: { subnetIds: [subnet-0aaaaaaa], securityGroupIds: [sg-0ccccccc] }\n`,
  );
  writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim\n');
});
afterAll(() => {
  for (const k of CREDENTIAL_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('doctor without AWS credentials', () => {
  it('fails doctor.credentials with the fix and skips the AWS checks with the reason, without hanging', async () => {
    const runner = { run: async () => ({ exitCode: 0, stdout: 'ok\n', stderr: '' }) };
    const run = await cli(['doctor', '--dir', dir, '--json', '--skip-tests', '--skip-git'], { deps: { runner } });
    const byId = new Map(run.json<{ checks: Report[] }>().checks.map((c) => [c.id, c]));
    expect(byId.get('doctor.credentials')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^MS_DEPLOY_AWS_CREDENTIALS: /),
      fix: expect.any(String),
    });
    for (const id of [
      'doctor.capacity',
      'doctor.iam',
      'doctor.vpc.subnets',
      'doctor.vpc.security-groups',
      'doctor.vpc.egress',
    ]) {
      expect([id, byId.get(id)]).toEqual([
        id,
        {
          id,
          title: expect.any(String),
          status: 'skip',
          message: 'cannot run without an AWS identity (MS_DEPLOY_AWS_CREDENTIALS; see doctor.credentials)',
        },
      ]);
    }
    // No AWS problem is hidden: doctor still exits 1 because credentials failed.
    expect(run.code).toBe(1);
  }, 30_000);
});
