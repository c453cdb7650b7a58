import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  NoSuchEntityException,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { lambdaRole, sagemakerRole } from '../../src/resources/iam.js';
import { roleBoundary } from '../../src/resources/iam-boundary.js';
import { lambdaPolicy, sagemakerPolicy, trustPolicy, type PolicyDocument } from '../../src/resources/iam-policies.js';
import {
  ACCOUNT,
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  restoreAll,
  sentCommands,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';

const meta = { httpStatusCode: 404, requestId: 'r', attempts: 1, totalRetryDelay: 0 };
const noSuchEntity = () => new NoSuchEntityException({ $metadata: meta, message: 'The role cannot be found.' });
const SM_ARN = 'arn:aws:iam::123456789012:role/ms-iris-dev-sagemaker';
const BOUNDARY = 'arn:aws:iam::123456789012:policy/model-service-role-boundary';

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  // The account's boundary policy exists (an earlier up made it).
  mocks.iam.on(GetPolicyCommand).resolves({ Policy: { Arn: BOUNDARY, PolicyName: 'model-service-role-boundary' } });
});
afterEach(() => restoreAll(mocks));

async function run(module = sagemakerRole, ctx = testContext()) {
  const desired = module.desired(ctx, {});
  const observed = await module.observe(ctx, desired);
  const plan = module.plan(desired, observed);
  const outputs = await module.apply(ctx, plan, desired, observed);
  return { plan, outputs, desired };
}

function existingRole(policy: PolicyDocument, boundary: string | null = BOUNDARY) {
  const tags = Object.entries(testContext().tags).map(([Key, Value]) => ({ Key, Value }));
  mocks.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'ms-iris-dev-sagemaker',
      Arn: SM_ARN,
      Path: '/',
      RoleId: 'AROA',
      CreateDate: new Date(),
      ...(boundary
        ? {
            PermissionsBoundary: {
              PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
              PermissionsBoundaryArn: boundary,
            },
          }
        : {}),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trustPolicy('sagemaker.amazonaws.com', ACCOUNT))),
      Tags: tags,
    },
  });
  mocks.iam.on(GetRolePolicyCommand).resolves({
    RoleName: 'ms-iris-dev-sagemaker',
    PolicyName: 'p',
    PolicyDocument: encodeURIComponent(JSON.stringify(policy)),
  });
}

describe('policies are least privilege', () => {
  const ctx = testContext();
  const docs = { sagemaker: sagemakerPolicy(ctx), lambda: lambdaPolicy(ctx) };

  test.each(Object.entries(docs))('%s policy: no "*" action, no service wildcard', (_name, doc) => {
    for (const s of doc.Statement) {
      for (const action of s.Action) {
        expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
        expect(action).not.toContain('*');
      }
    }
  });

  test.each(Object.entries(docs))('%s policy: "*" resource only for ecr:GetAuthorizationToken', (_name, doc) => {
    for (const s of doc.Statement) {
      if (s.Resource.includes('*')) expect(s.Action).toEqual(['ecr:GetAuthorizationToken']);
    }
  });

  test('SageMaker pulls from the one repository and writes the endpoint log group', () => {
    const pull = docs.sagemaker.Statement.find((s) => s.Sid === 'PullModelImage')!;
    expect(pull.Resource).toEqual(['arn:aws:ecr:eu-west-1:123456789012:repository/model-service/iris']);
    const logs = docs.sagemaker.Statement.find((s) => s.Sid === 'WriteOwnLogs')!;
    expect(logs.Resource).toEqual([
      'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/ms-iris-dev',
      'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/ms-iris-dev:*',
    ]);
  });

  test('Lambda may invoke exactly its endpoint and read its status (for /health)', () => {
    expect(docs.lambda.Statement.slice(0, 2)).toEqual([
      {
        Sid: 'InvokeModelEndpoint',
        Effect: 'Allow',
        Action: ['sagemaker:InvokeEndpoint'],
        Resource: ['arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev'],
      },
      {
        Sid: 'ReadEndpointStatus',
        Effect: 'Allow',
        Action: ['sagemaker:DescribeEndpoint'],
        Resource: ['arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev'],
      },
    ]);
  });
});

describe('iam roles', () => {
  test('create: role with trust policy and tags, inline policy, waits until visible', async () => {
    mocks.iam
      .on(GetRoleCommand)
      .rejectsOnce(noSuchEntity())
      .resolves({ Role: { Arn: SM_ARN, RoleName: 'x', Path: '/', RoleId: 'r', CreateDate: new Date() } });
    mocks.iam
      .on(CreateRoleCommand)
      .resolves({ Role: { Arn: SM_ARN, RoleName: 'x', Path: '/', RoleId: 'r', CreateDate: new Date() } });
    const { plan, outputs } = await run();
    expect(plan.action).toBe('create');
    expect(outputs).toEqual({ sagemakerRoleArn: SM_ARN });
    const create = mocks.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(create.RoleName).toBe('ms-iris-dev-sagemaker');
    expect(create.PermissionsBoundary).toBe(BOUNDARY);
    expect(JSON.parse(create.AssumeRolePolicyDocument!).Statement[0].Principal).toEqual({
      Service: 'sagemaker.amazonaws.com',
    });
    const put = mocks.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(put.PolicyName).toBe('ms-iris-dev-sagemaker-least-privilege');
    expect(JSON.parse(put.PolicyDocument!)).toEqual(sagemakerPolicy(testContext()));
    expect(mutatingCommands(mocks)).toEqual(['CreateRoleCommand', 'PutRolePolicyCommand']);
    expect(mocks.iam.commandCalls(GetRoleCommand).length).toBeGreaterThanOrEqual(2); // the waiter polled
  });

  test('create in an account without the boundary policy: creates it first, then the role bound by it', async () => {
    mocks.iam.on(GetPolicyCommand).rejects(noSuchEntity());
    mocks.iam
      .on(GetRoleCommand)
      .rejectsOnce(noSuchEntity())
      .resolves({ Role: { Arn: SM_ARN, RoleName: 'x', Path: '/', RoleId: 'r', CreateDate: new Date() } });
    mocks.iam.on(CreatePolicyCommand).resolves({ Policy: { Arn: BOUNDARY } });
    mocks.iam
      .on(CreateRoleCommand)
      .resolves({ Role: { Arn: SM_ARN, RoleName: 'x', Path: '/', RoleId: 'r', CreateDate: new Date() } });
    await run();
    expect(mutatingCommands(mocks)).toEqual(['CreatePolicyCommand', 'CreateRoleCommand', 'PutRolePolicyCommand']);
    const created = mocks.iam.commandCalls(CreatePolicyCommand)[0]!.args[0].input;
    expect(created.PolicyName).toBe('model-service-role-boundary');
    expect(JSON.parse(created.PolicyDocument!)).toEqual(roleBoundary('aws', ACCOUNT));
  });

  test('a role whose boundary was removed gets it back, nothing else touched', async () => {
    existingRole(sagemakerPolicy(testContext()), null);
    const { plan } = await run();
    expect(plan.diffs.map((d) => d.field)).toEqual(['boundary']);
    expect(mutatingCommands(mocks)).toEqual(['PutRolePermissionsBoundaryCommand']);
    expect(mocks.iam.commandCalls(PutRolePermissionsBoundaryCommand)[0]!.args[0].input).toEqual({
      RoleName: 'ms-iris-dev-sagemaker',
      PermissionsBoundary: BOUNDARY,
    });
  });

  test('no change: URL-encoded documents from IAM compare equal -> zero mutating calls', async () => {
    existingRole(sagemakerPolicy(testContext()));
    const { plan, outputs } = await run();
    expect(plan.action).toBe('no-change');
    expect(outputs.sagemakerRoleArn).toBe(SM_ARN);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('update: a drifted inline policy is put back, nothing else touched', async () => {
    const drifted = sagemakerPolicy(testContext());
    drifted.Statement[0]!.Resource = ['arn:aws:ecr:eu-west-1:123456789012:repository/other'];
    existingRole(drifted);
    const { plan } = await run();
    expect(plan.diffs.map((d) => d.field)).toEqual(['policy']);
    expect(mutatingCommands(mocks)).toEqual(['PutRolePolicyCommand']);
  });

  test('role ARNs from release.yaml are used as they are: no IAM call at all', async () => {
    const yaml = `${RELEASE_YAML}iam:\n  sagemakerRoleArn: arn:aws:iam::123456789012:role/team-sagemaker\n  lambdaRoleArn: arn:aws:iam::123456789012:role/team-lambda\n`;
    const ctx = testContext({ yaml });
    expect((await run(sagemakerRole, ctx)).outputs).toEqual({
      sagemakerRoleArn: 'arn:aws:iam::123456789012:role/team-sagemaker',
    });
    expect((await run(lambdaRole, ctx)).outputs).toEqual({
      lambdaRoleArn: 'arn:aws:iam::123456789012:role/team-lambda',
    });
    expect(sentCommands(mocks)).toEqual([]);
  });

  test('an interrupted run left the role without its policy: the rerun only adds the policy', async () => {
    existingRole(sagemakerPolicy(testContext()));
    mocks.iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    const { plan } = await run();
    expect(plan.action).toBe('update');
    expect(mutatingCommands(mocks)).toEqual(['PutRolePolicyCommand']);
  });

  test('EntityAlreadyExists on create (race) adopts the role and resets its trust policy', async () => {
    const { EntityAlreadyExistsException } = await import('@aws-sdk/client-iam');
    mocks.iam
      .on(GetRoleCommand)
      .rejectsOnce(noSuchEntity())
      .resolves({ Role: { Arn: SM_ARN, RoleName: 'x', Path: '/', RoleId: 'r', CreateDate: new Date() } });
    mocks.iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ $metadata: meta, message: 'exists' }));
    const { outputs } = await run();
    expect(outputs.sagemakerRoleArn).toBe(SM_ARN);
    expect(mutatingCommands(mocks)).toEqual([
      'CreateRoleCommand',
      'UpdateAssumeRolePolicyCommand',
      'PutRolePolicyCommand',
    ]);
    expect(mocks.iam.commandCalls(UpdateAssumeRolePolicyCommand)).toHaveLength(1);
  });

  test('destroy deletes the inline policy then the role; already gone is fine', async () => {
    mocks.iam.on(DeleteRolePolicyCommand).rejects(noSuchEntity());
    mocks.iam.on(DeleteRoleCommand).resolves({});
    const ctx = testContext();
    await lambdaRole.destroy!(ctx, lambdaRole.desired(ctx, {}));
    expect(mutatingCommands(mocks)).toEqual(['DeleteRolePolicyCommand', 'DeleteRoleCommand']);
    expect(mocks.iam.commandCalls(DeleteRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'ms-iris-dev-lambda' });
  });
});

describe('kmsKeyId: the SageMaker role may use exactly the configured key', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const ALIAS = 'arn:aws:kms:eu-west-1:123456789012:alias/ms-iris';
  const KMS_ACTIONS = ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
  const kmsOf = (yaml: string, env: 'dev' | 'prod' = 'dev') =>
    sagemakerPolicy(testContext({ yaml, env })).Statement.filter((s) => s.Action.some((a) => a.startsWith('kms:')));

  test('no kmsKeyId: no KMS permission at all', () => {
    expect(kmsOf(RELEASE_YAML)).toEqual([]);
    expect(
      lambdaPolicy(testContext({ yaml: `${RELEASE_YAML}kmsKeyId: ${KEY}\n` })).Statement.some((s) =>
        s.Action.some((a) => a.startsWith('kms:')),
      ),
    ).toBe(false);
  });

  const VIA = { StringEquals: { 'kms:ViaService': 'sagemaker.eu-west-1.amazonaws.com' } };
  const GRANT = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };

  test('a key ARN: the four actions on that key only, through SageMaker, grants only for an AWS resource', () => {
    expect(kmsOf(`${RELEASE_YAML}kmsKeyId: ${KEY}\n`)).toEqual([
      { Sid: 'EncryptEndpointVolume', Effect: 'Allow', Action: KMS_ACTIONS.slice(1), Resource: [KEY], Condition: VIA },
      {
        Sid: 'GrantForEndpointVolume',
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: [KEY],
        Condition: { ...VIA, ...GRANT },
      },
    ]);
  });

  test("an alias ARN: the keys of the alias's account and region that carry that alias (KMS authorizes on the key)", () => {
    const alias = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/ms-iris' } };
    const Resource = ['arn:aws:kms:eu-west-1:123456789012:key/*'];
    expect(kmsOf(`${RELEASE_YAML}kmsKeyId: ${ALIAS}\n`)).toEqual([
      {
        Sid: 'EncryptEndpointVolume',
        Effect: 'Allow',
        Action: KMS_ACTIONS.slice(1),
        Resource,
        Condition: { ...VIA, ...alias },
      },
      {
        Sid: 'GrantForEndpointVolume',
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource,
        Condition: { ...VIA, ...alias, ...GRANT },
      },
    ]);
  });

  test("per environment: prod's own key; none for an instance-storage type", () => {
    const yaml = RELEASE_YAML.replace(
      '    instanceType: ml.m5.large\n',
      `    instanceType: ml.m5.large\n    kmsKeyId: ${KEY}\n`,
    );
    expect(kmsOf(yaml, 'dev')).toEqual([]);
    expect(kmsOf(yaml, 'prod')[0]!.Resource).toEqual([KEY]);
    expect(
      kmsOf(
        `${RELEASE_YAML.replace('instanceType: ml.m5.large', 'instanceType: ml.g4dn.xlarge')}kmsKeyId: ${KEY}\n`,
        'prod',
      ),
    ).toEqual([]);
  });

  test('adding kmsKeyId to a deployed role updates only its inline policy', async () => {
    existingRole(sagemakerPolicy(testContext()));
    mocks.iam.on(PutRolePolicyCommand).resolves({});
    const ctx = testContext({ yaml: `${RELEASE_YAML}kmsKeyId: ${KEY}\n` });
    const { plan } = await run(sagemakerRole, ctx);
    expect(plan.action).toBe('update');
    expect(plan.diffs.map((d) => d.field)).toEqual(['policy']);
    expect(mutatingCommands(mocks)).toEqual(['PutRolePolicyCommand']);
    expect(JSON.parse(mocks.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!)).toEqual(
      sagemakerPolicy(ctx),
    );
  });

  test('a role given in release.yaml (iam.sagemakerRoleArn) is left alone', async () => {
    const given = 'arn:aws:iam::123456789012:role/team-sagemaker';
    const { plan, outputs } = await run(
      sagemakerRole,
      testContext({ yaml: `${RELEASE_YAML}kmsKeyId: ${KEY}\niam: { sagemakerRoleArn: '${given}' }\n` }),
    );
    expect(plan.action).toBe('no-change');
    expect(outputs.sagemakerRoleArn).toBe(given);
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});
