import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { ecrRepository, lifecyclePolicy } from '../../src/resources/ecr.js';
import { mockAll, mutatingCommands, REPO_URI, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { observeStatus } from '../../src/resource-status.js';

const meta = { httpStatusCode: 400, requestId: 'r', attempts: 1, totalRetryDelay: 0 };
const ARN = 'arn:aws:ecr:eu-west-1:123456789012:repository/model-service/iris';
const TAGS = [
  { Key: 'model-service:model', Value: 'iris' },
  { Key: 'model-service:env', Value: 'dev' },
  { Key: 'model-service:team', Value: 'data-science' },
  { Key: 'model-service:managed-by', Value: 'model-deploy' },
  { Key: 'model-service:owner', Value: 'someone@example.com' },
  { Key: 'cost-center', Value: 'added-by-someone-else' },
];

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
});
afterEach(() => restoreAll(mocks));

async function run(ctx = testContext()) {
  const desired = ecrRepository.desired(ctx, {});
  const observed = await ecrRepository.observe(ctx, desired);
  const plan = ecrRepository.plan(desired, observed);
  const outputs = await ecrRepository.apply(ctx, plan, desired, observed);
  return { plan, outputs };
}

function existing(scanOnPush = true, keepLast = 10) {
  mocks.ecr.on(DescribeRepositoriesCommand).resolves({
    repositories: [
      {
        repositoryName: 'model-service/iris',
        repositoryArn: ARN,
        repositoryUri: REPO_URI,
        imageScanningConfiguration: { scanOnPush },
      },
    ],
  });
  // AWS returns the policy re-serialised with its own key order.
  mocks.ecr
    .on(GetLifecyclePolicyCommand)
    .resolves({ lifecyclePolicyText: JSON.stringify(JSON.parse(lifecyclePolicy(keepLast)), null, 2) });
  mocks.ecr.on(ListTagsForResourceCommand).resolves({ tags: TAGS });
}

describe('ecr-repository', () => {
  test('create: repository with scan on push, mutable tags, our tags, then the keep-last-N lifecycle policy', async () => {
    mocks.ecr
      .on(DescribeRepositoriesCommand)
      .rejects(new RepositoryNotFoundException({ $metadata: meta, message: 'not found' }));
    mocks.ecr
      .on(CreateRepositoryCommand)
      .resolves({ repository: { repositoryArn: ARN, repositoryUri: REPO_URI, repositoryName: 'model-service/iris' } });
    mocks.ecr.on(PutLifecyclePolicyCommand).resolves({});
    const { plan, outputs } = await run();
    expect(plan.action).toBe('create');
    expect(outputs).toEqual({ ecrRepositoryUri: REPO_URI, ecrRepositoryArn: ARN });
    const create = mocks.ecr.commandCalls(CreateRepositoryCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      repositoryName: 'model-service/iris',
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'MUTABLE',
    });
    expect(create.tags).toEqual(
      expect.arrayContaining([
        { Key: 'model-service:managed-by', Value: 'model-deploy' },
        { Key: 'model-service:env', Value: 'dev' },
      ]),
    );
    const policy = JSON.parse(mocks.ecr.commandCalls(PutLifecyclePolicyCommand)[0]!.args[0].input.lifecyclePolicyText!);
    expect(policy.rules[0]).toMatchObject({
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
      action: { type: 'expire' },
    });
    expect(mutatingCommands(mocks)).toEqual(['CreateRepositoryCommand', 'PutLifecyclePolicyCommand']);
  });

  test('no change: zero mutating calls, outputs from what exists (foreign tags ignored)', async () => {
    existing();
    const { plan, outputs } = await run();
    expect(plan).toEqual({ kind: 'ecr-repository', name: 'model-service/iris', action: 'no-change', diffs: [] });
    expect(outputs.ecrRepositoryUri).toBe(REPO_URI);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('update: only what differs (scan off, lifecycle missing)', async () => {
    existing(false);
    mocks.ecr
      .on(GetLifecyclePolicyCommand)
      .rejects(new LifecyclePolicyNotFoundException({ $metadata: meta, message: 'none' }));
    const { plan } = await run();
    expect(plan.action).toBe('update');
    expect(plan.diffs.map((d) => d.field)).toEqual(['scanOnPush', 'lifecyclePolicy']);
    expect(mutatingCommands(mocks)).toEqual(['PutImageScanningConfigurationCommand', 'PutLifecyclePolicyCommand']);
    expect(
      mocks.ecr.commandCalls(PutImageScanningConfigurationCommand)[0]!.args[0].input.imageScanningConfiguration,
    ).toEqual({ scanOnPush: true });
  });

  test('keepLast from release.yaml changes the policy', async () => {
    existing(true, 10);
    const ctx = testContext({
      yaml: (await import('../helpers/aws-context.js')).RELEASE_YAML.replace('keepLast: 10', 'keepLast: 3'),
    });
    const { plan } = await run(ctx);
    expect(plan.diffs).toHaveLength(1);
    expect(
      JSON.parse(mocks.ecr.commandCalls(PutLifecyclePolicyCommand)[0]!.args[0].input.lifecyclePolicyText!).rules[0]
        .selection.countNumber,
    ).toBe(3);
  });

  test('a repository created by an interrupted run (AlreadyExists) converges instead of failing', async () => {
    const { RepositoryAlreadyExistsException } = await import('@aws-sdk/client-ecr');
    mocks.ecr
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(new RepositoryNotFoundException({ $metadata: meta, message: 'not found' }))
      .resolves({
        repositories: [{ repositoryName: 'model-service/iris', repositoryArn: ARN, repositoryUri: REPO_URI }],
      });
    mocks.ecr
      .on(CreateRepositoryCommand)
      .rejects(new RepositoryAlreadyExistsException({ $metadata: meta, message: 'exists' }));
    const { outputs } = await run();
    expect(outputs.ecrRepositoryArn).toBe(ARN);
    expect(mocks.ecr.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(1);
  });
});

describe('ecr-repository status', () => {
  test('an existing repository shows its push URI, with no mutating call', async () => {
    existing();
    expect(await observeStatus(testContext(), ecrRepository)).toEqual({
      name: 'model-service/iris',
      exists: true,
      uri: REPO_URI,
    });
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('a missing repository shows its name and exists: false', async () => {
    mocks.ecr
      .on(DescribeRepositoriesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'not found', $metadata: meta }));
    expect(await observeStatus(testContext(), ecrRepository)).toEqual({ name: 'model-service/iris', exists: false });
  });
});
