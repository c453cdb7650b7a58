// `model-deploy policy`: the deployer identity's policy and the role boundary,
// for the user's account and release, through the real commander program.
import { describe, expect, it } from '@jest/globals';
import { RELEASE_YAML } from './helpers/aws-context.js';
import { cli, tempProject } from './helpers/cli-harness.js';

interface Printed {
  deployer: {
    Statement: {
      Sid: string;
      Effect: string;
      Action: string[];
      Resource: string | string[];
      Condition?: Record<string, Record<string, unknown>>;
    }[];
  };
  boundary: { Statement: { Action: string[] }[] };
  boundaryName: string;
}

describe('model-deploy policy', () => {
  it('prints the policy for the account and the release: no VPC or KMS statement when release.yaml has neither, the boundary required on roles', async () => {
    const project = tempProject({ 'release.yaml': RELEASE_YAML });
    try {
      const run = await cli(['policy', '--json', '--account-id', '210987654321', '--dir', project.dir]);
      expect(run.code).toBe(0);
      const { deployer, boundary, boundaryName } = run.json<Printed>();
      expect(JSON.stringify(deployer)).not.toContain('<account-id>');
      const sids = deployer.Statement.map((s) => s.Sid);
      expect(sids).not.toContain('VpcAttach');
      expect(sids).not.toContain('KmsEndpointVolumeKey');
      const create = deployer.Statement.find((s) => s.Action.includes('iam:CreateRole'))!;
      expect(create.Condition).toEqual({
        StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::210987654321:policy/${boundaryName}` },
      });
      expect(deployer.Statement.find((s) => s.Effect === 'Deny')!.Action).toContain(
        'iam:DeleteRolePermissionsBoundary',
      );
      for (const s of [...deployer.Statement, ...boundary.Statement])
        for (const a of s.Action) expect(a).not.toContain('*');
      expect(deployer.Statement.flatMap((s) => s.Action).filter((a) => /^cognito-idp:Admin/.test(a))).toEqual([]);
    } finally {
      project.cleanup();
    }
  });

  it('with a vpc and a kmsKeyId, adds their statements; the key grant only for an AWS resource via SageMaker', async () => {
    const project = tempProject({
      'release.yaml': `${RELEASE_YAML}vpc: { subnetIds: [subnet-0aaaaaaa], securityGroupIds: [sg-0ccccccc] }\nkmsKeyId: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\n`,
    });
    try {
      const { deployer } = (
        await cli(['policy', '--json', '--account-id', '123456789012', '--dir', project.dir])
      ).json<Printed>();
      expect(deployer.Statement.map((s) => s.Sid)).toEqual(
        expect.arrayContaining(['VpcAttach', 'KmsEndpointVolumeKey']),
      );
    } finally {
      project.cleanup();
    }
  });

  it('refuses an account id that is not 12 digits, saying which option', async () => {
    const run = await cli(['policy', '--account-id', '1234']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MS_DEPLOY_USAGE');
    expect(run.stderr).toContain('--account-id 1234 is not a 12-digit AWS account id');
  });
});
