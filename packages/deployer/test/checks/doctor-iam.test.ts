// doctor.iam against the real IAM/STS clients stubbed by aws-sdk-client-mock:
// SimulatePrincipalPolicy answers per action (and per resource, as IAM does);
// errors are the SDK's own shapes (NoSuchEntityException, AccessDenied).
import { readFileSync } from 'node:fs';
import {
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  NoSuchEntityException,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  DEPLOYER_STATEMENTS,
  DOCTOR_STATEMENTS,
  KMS_DEPLOY_STATEMENTS,
  VPC_DEPLOY_STATEMENTS,
  policyDocument,
} from '../../src/aws/deployer-policy.js';
import { iamCheck, principalOf } from '../../src/checks/doctor-iam.js';
import type { CheckContext } from '../../src/checks/check.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { parseRelease } from '../../src/release/load-release.js';
import { RELEASE_YAML } from '../helpers/aws-context.js';

const ACCOUNT = '123456789012';
const ROLE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/gha-1234`;
const meta = (status: number) => ({ httpStatusCode: status, requestId: 'req-iam', attempts: 1, totalRetryDelay: 0 });

let iam: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;
/** action -> decision for actions that are not allowed. */
let decisions: Record<string, 'implicitDeny' | 'explicitDeny'>;

beforeEach(() => {
  iam = mockClient(IAMClient);
  sts = mockClient(STSClient);
  decisions = {};
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: ROLE_SESSION, UserId: 'AROAEXAMPLE:gha-1234' });
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'deployer',
      Path: '/ci/',
      Arn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer`,
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date(0),
    },
  });
  iam
    .on(SimulatePrincipalPolicyCommand)
    .callsFake(
      (input: {
        ActionNames: string[];
        ResourceArns?: string[];
      }): { EvaluationResults: EvaluationResult[]; IsTruncated: boolean } => ({
        IsTruncated: false,
        EvaluationResults: input.ActionNames.map((action) => {
          const decision = decisions[action] ?? 'allowed';
          return {
            EvalActionName: action,
            EvalResourceName: input.ResourceArns?.[0] ?? '*',
            EvalDecision: decision,
            ResourceSpecificResults: (input.ResourceArns ?? []).map((arn) => ({
              EvalResourceName: arn,
              EvalResourceDecision: decision,
            })),
          };
        }),
      }),
    );
});
afterEach(() => {
  iam.restore();
  sts.restore();
});

const ctxFor = (yaml = RELEASE_YAML): CheckContext =>
  defaultCheckContext({
    dir: '/nonexistent',
    env: {},
    skipTests: true,
    builder: 'docker',
    release: parseRelease(yaml),
  });
const simulated = () => iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);

describe('doctor.iam', () => {
  it('passes when every deployer action is allowed; simulates the role (with its path) behind the session', async () => {
    const r = await iamCheck.run(ctxFor());
    const actions = new Set(DEPLOYER_STATEMENTS.filter((s) => s.Effect !== 'Deny').flatMap((s) => s.Action));
    expect(r).toEqual({
      status: 'pass',
      message: `arn:aws:iam::${ACCOUNT}:role/ci/deployer (session ${ROLE_SESSION}) may make all ${actions.size} simulated actions (dev, prod)`,
    });
    const calls = simulated();
    expect(new Set(calls.map((c) => c.PolicySourceArn))).toEqual(new Set([`arn:aws:iam::${ACCOUNT}:role/ci/deployer`]));
    expect(new Set(calls.flatMap((c) => c.ActionNames))).toEqual(actions);
    // This project's concrete ARNs, per environment; conditions get their context keys.
    expect(
      calls.find(
        (c) =>
          c.ActionNames!.includes('sagemaker:CreateEndpoint') &&
          c.ResourceArns!.some((a: string) => a.endsWith(':endpoint/ms-iris-prod')),
      ),
    ).toBeDefined();
    expect(calls.find((c) => c.ActionNames!.includes('iam:PassRole'))!.ContextEntries).toEqual([
      {
        ContextKeyName: 'iam:PassedToService',
        ContextKeyValues: ['sagemaker.amazonaws.com'],
        ContextKeyType: 'string',
      },
    ]);
    expect(calls.find((c) => c.ActionNames!.includes('ecr:CreateRepository'))!.ResourceArns).toEqual([
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/model-service/iris`,
    ]);
  });

  it('fails listing the denied actions by name, with the fix', async () => {
    decisions = { 'sagemaker:CreateEndpoint': 'implicitDeny', 'iam:PassRole': 'explicitDeny' };
    const r = await iamCheck.run(ctxFor());
    expect(iamCheck.id).toBe('doctor.iam');
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(
      new RegExp(`^arn:aws:iam::${ACCOUNT}:role/ci/deployer \\(session .*\\) is denied 2 actions: `),
    );
    expect(r.message).toContain('iam:PassRole (explicitDeny on arn:aws:iam::123456789012:role/ms-iris-dev-sagemaker)');
    expect(r.message).toContain(
      'sagemaker:CreateEndpoint (implicitDeny on arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev)',
    );
    expect(r.fix).toMatch(
      /Attach the policy printed by `model-deploy policy` to arn:aws:iam::123456789012:role\/ci\/deployer/,
    );
  });

  it('simulates the VPC actions only when release.yaml has a vpc', async () => {
    await iamCheck.run(ctxFor());
    expect(simulated().flatMap((c) => c.ActionNames)).not.toContain('ec2:DescribeSubnets');
    iam.resetHistory();
    decisions = { 'ec2:DescribeVpcs': 'implicitDeny' };
    const r = await iamCheck.run(
      ctxFor(`${RELEASE_YAML}vpc: { subnetIds: [subnet-0aaaaaaa], securityGroupIds: [sg-0ccccccc] }\n`),
    );
    expect(r).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/is denied 1 action: ec2:DescribeVpcs \(implicitDeny\)$/),
    });
  });

  it('simulates the KMS actions only when an environment encrypts its volume with kmsKeyId', async () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    await iamCheck.run(ctxFor());
    expect(simulated().flatMap((c) => c.ActionNames)).not.toContain('kms:CreateGrant');
    iam.resetHistory();
    // Only an instance-storage type has the key: SageMaker gets no KmsKeyId, so no KMS call is made.
    await iamCheck.run(
      ctxFor(
        `${RELEASE_YAML.replace('instanceType: ml.t2.medium', 'instanceType: ml.g4dn.xlarge').replace('instanceType: ml.m5.large', 'instanceType: ml.g5.xlarge')}kmsKeyId: ${key}\n`,
      ),
    );
    expect(simulated().flatMap((c) => c.ActionNames)).not.toContain('kms:CreateGrant');
    iam.resetHistory();
    decisions = { 'kms:CreateGrant': 'implicitDeny' };
    const r = await iamCheck.run(ctxFor(`${RELEASE_YAML}kmsKeyId: ${key}\n`));
    expect(r).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /is denied 1 action: kms:CreateGrant \(implicitDeny on arn:aws:kms:eu-west-1:123456789012:key\/0000000000\)$/,
      ),
    });
    expect(simulated().find((c) => c.ActionNames!.includes('kms:DescribeKey'))!.ResourceArns).toEqual([
      `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0000000000`,
    ]);
  });

  it('fails when IAM has no such principal (NoSuchEntityException), and when simulation itself is denied (AccessDenied)', async () => {
    iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(
        new NoSuchEntityException({ message: 'The role with name deployer cannot be found.', $metadata: meta(404) }),
      );
    expect(await iamCheck.run(ctxFor())).toMatchObject({
      status: 'fail',
      message: `IAM has no principal arn:aws:iam::${ACCOUNT}:role/ci/deployer to simulate`,
      fix: expect.stringMatching(/credentials that will deploy/),
    });
    iam.on(SimulatePrincipalPolicyCommand).rejects(
      new IAMServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: `User: ${ROLE_SESSION} is not authorized to perform: iam:SimulatePrincipalPolicy`,
        $metadata: meta(403),
      }),
    );
    expect(await iamCheck.run(ctxFor())).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/may not call iam:SimulatePrincipalPolicy/),
      fix: expect.stringMatching(/--skip doctor\.iam/),
    });
  });

  it('uses the path-less role ARN when GetRole is not allowed, and the user ARN as is', async () => {
    iam.on(GetRoleCommand).rejects(
      new IAMServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: 'not authorized',
        $metadata: meta(403),
      }),
    );
    await iamCheck.run(ctxFor());
    expect(simulated()[0]!.PolicySourceArn).toBe(`arn:aws:iam::${ACCOUNT}:role/deployer`);
    iam.resetHistory();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
    const fresh = ctxFor();
    expect((await iamCheck.run(fresh)).status).toBe('pass');
    expect(simulated()[0]!.PolicySourceArn).toBe(`arn:aws:iam::${ACCOUNT}:user/ci`);
  });

  it('root passes with a warning; a federated session is skipped with the reason', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
    expect((await iamCheck.run(ctxFor())).message).toMatch(
      /root user: every action is allowed \(deploy with a least-privilege role instead\)/,
    );
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob` });
    expect(await iamCheck.run(ctxFor())).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/federated-user session, which IAM policy simulation does not support/),
    });
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(0);
  });

  it('simulates iam:PassRole on the role ARNs release.yaml gives, when it gives them', async () => {
    decisions = { 'iam:PassRole': 'implicitDeny' };
    const given = `arn:aws:iam::${ACCOUNT}:role/team/existing-sagemaker`;
    const r = await iamCheck.run(
      ctxFor(RELEASE_YAML.replace('region: eu-west-1', `region: eu-west-1\niam: { sagemakerRoleArn: "${given}" }`)),
    );
    expect(simulated().find((c) => c.ActionNames!.includes('iam:PassRole'))!.ResourceArns).toEqual([
      given,
      `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-lambda`,
    ]);
    expect(r.message).toContain(`iam:PassRole (implicitDeny on ${given})`);
  });

  it('principalOf maps caller ARNs (other partitions too)', () => {
    expect(principalOf('arn:aws-cn:sts::123456789012:assumed-role/r/s')).toEqual({
      kind: 'arn',
      arn: 'arn:aws-cn:iam::123456789012:role/r',
      roleName: 'r',
    });
    expect(principalOf('arn:aws:iam::123456789012:user/a/b')).toEqual({
      kind: 'arn',
      arn: 'arn:aws:iam::123456789012:user/a/b',
    });
    expect(principalOf('nonsense').kind).toBe('unsupported');
  });
});

describe('the deployer policy: one list for docs/iam.md and doctor.iam', () => {
  const iamDoc = readFileSync(new URL('../../../../docs/iam.md', import.meta.url), 'utf8');
  const jsonAfter = (text: string, heading: string) => {
    const at = text.indexOf(heading);
    expect(at).toBeGreaterThanOrEqual(0);
    const start = text.indexOf('```json', at) + '```json'.length;
    return JSON.parse(text.slice(start, text.indexOf('```', start))) as unknown;
  };

  it('the policy in docs/iam.md is exactly DEPLOYER_STATEMENTS', () => {
    expect(jsonAfter(iamDoc, '## IAM permissions the deployer itself needs')).toEqual(
      policyDocument(DEPLOYER_STATEMENTS),
    );
  });

  it('the doctor / VPC / KMS additions in docs/iam.md are exactly DOCTOR_STATEMENTS, VPC_DEPLOY_STATEMENTS and KMS_DEPLOY_STATEMENTS', () => {
    expect(jsonAfter(iamDoc, '## What doctor, VPC and KMS deploys add')).toEqual(
      policyDocument([...DOCTOR_STATEMENTS, ...VPC_DEPLOY_STATEMENTS, ...KMS_DEPLOY_STATEMENTS]),
    );
  });

  it('names every action; "*" only as a resource', () => {
    for (const s of [
      ...DEPLOYER_STATEMENTS,
      ...DOCTOR_STATEMENTS,
      ...VPC_DEPLOY_STATEMENTS,
      ...KMS_DEPLOY_STATEMENTS,
    ]) {
      for (const a of s.Action) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
  });
});
