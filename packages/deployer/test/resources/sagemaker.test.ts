import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { renderPlan } from '../../src/commands/render-plan.js';
import { isDeployerError } from '../../src/errors.js';
import { containerEnvironment, environmentDiffs } from '../../src/resources/container-environment.js';
import { sagemakerEndpoint } from '../../src/resources/sagemaker-endpoint.js';
import { sagemakerEndpointConfig } from '../../src/resources/sagemaker-endpoint-config.js';
import { sagemakerModel } from '../../src/resources/sagemaker-model.js';
import type { ResourceModule } from '../../src/resources/resource.js';
import { sagemakerEndpointConfigName } from '../../src/resources/sagemaker-names.js';
import {
  DIGEST,
  DIGEST2,
  mockAll,
  mutatingCommands,
  RELEASE_YAML,
  REPO_URI,
  restoreAll,
  sagemakerNotFound,
  sentCommands,
  testContext,
  throttling,
  type Mocks,
} from '../helpers/aws-context.js';
import { FakeSageMaker } from '../helpers/fake-sagemaker.js';
import { planChain, runChain } from '../helpers/run-chain.js';

// Not the union of the three: m.destroy!(ctx, m.desired(...)) below then type-checks.
const MODULES: ResourceModule<unknown, unknown>[] = [sagemakerModel, sagemakerEndpointConfig, sagemakerEndpoint];
const ROLE = 'arn:aws:iam::123456789012:role/ms-iris-dev-sagemaker';
const upstream = (digest = DIGEST) => ({ imageUri: `${REPO_URI}@${digest}`, sagemakerRoleArn: ROLE });

let mocks: Mocks;
let sm: FakeSageMaker;
beforeEach(() => {
  mocks = mockAll();
  sm = new FakeSageMaker(mocks.sagemaker);
});
afterEach(() => restoreAll(mocks));

async function failureOf(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDeployerError(err)) throw new Error(`expected a DeployerError, got ${String(err)}`);
  return err;
}

describe('release.yaml drives the container environment', () => {
  const withBlocks = (cache: string, runtime = '') => `${RELEASE_YAML}cache: ${cache}\n${runtime}`;

  test('cache and runtime settings become MS_* variables; a TTL change is a new model name and a plan diff', () => {
    const ctx = testContext({
      yaml: withBlocks(
        '{ kind: redis, ttlSeconds: 60, endpoint: "rediss://cache.example.internal:6379" }',
        'runtime: { logLevel: warn, predictTimeoutMs: 4000, batching: { enabled: true, maxBatchSize: 16, maxWaitMs: 3 } }\n',
      ),
    });
    const a = sagemakerModel.desired(ctx, upstream());
    expect(a.environment).toEqual({
      MODEL_SERVICE_ENV: 'dev',
      MODEL_SERVICE_MODEL: 'iris',
      MS_CACHE: 'redis',
      MS_CACHE_TTL: '60',
      MS_REDIS_URL: 'rediss://cache.example.internal:6379',
      LOG_LEVEL: 'warn',
      MS_PREDICT_TIMEOUT_MS: '4000',
      MS_BATCH: 'on',
      MS_BATCH_MAX_SIZE: '16',
      MS_BATCH_MAX_WAIT_MS: '3',
      MS_METRICS_EMF: 'true',
      MS_METRICS_NAMESPACE: 'ModelService',
      MS_METRICS_SERVICE: 'iris',
      MS_METRICS_VARIANT: 'AllTraffic',
    });
    const b = sagemakerModel.desired(
      testContext({
        yaml: withBlocks(
          '{ kind: redis, ttlSeconds: 120, endpoint: "rediss://cache.example.internal:6379" }',
          'runtime: { logLevel: warn, predictTimeoutMs: 4000, batching: { enabled: true, maxBatchSize: 16, maxWaitMs: 3 } }\n',
        ),
      }),
      upstream(),
    );
    expect(b.environment.MS_CACHE_TTL).toBe('120');
    expect(b.name).not.toBe(a.name);
    const plan = sagemakerModel.plan(b, undefined);
    expect(plan.diffs).toContainEqual({ field: 'environment', from: undefined, to: b.environment });
  });

  test('a cache endpoint must be rediss:// without a password, before any AWS call', () => {
    expect(() =>
      testContext({ yaml: withBlocks('{ kind: redis, endpoint: "redis://cache.example.internal:6379" }') }),
    ).toThrow(/cache\.endpoint/);
    expect(() =>
      testContext({
        yaml: withBlocks('{ kind: redis, endpoint: "rediss://user:secret@cache.example.internal:6379" }'),
      }),
    ).toThrow(/cache\.endpoint/);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('the model created in SageMaker carries that environment', async () => {
    await runChain(testContext({ yaml: withBlocks('{ kind: off }') }), MODULES, upstream());
    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input;
    expect(model.PrimaryContainer?.Environment).toEqual({
      MODEL_SERVICE_ENV: 'dev',
      MODEL_SERVICE_MODEL: 'iris',
      MS_CACHE: 'off',
      MS_METRICS_EMF: 'true',
      MS_METRICS_NAMESPACE: 'ModelService',
      MS_METRICS_SERVICE: 'iris',
      MS_METRICS_VARIANT: 'AllTraffic',
    });
  });

  test('plan against a running endpoint shows, on the model line, each variable that changes (from -> to)', async () => {
    await runChain(testContext({ yaml: withBlocks('{ kind: memory, ttlSeconds: 300 }') }), MODULES, upstream());
    const running = [...sm.models.keys()][0]!;
    const after = testContext({
      yaml: withBlocks('{ kind: memory, ttlSeconds: 600 }', 'runtime: { logLevel: debug }\n'),
    });
    const [model] = await planChain(after, MODULES, upstream());
    // Same image and role: only the new name and the two variables.
    expect(model).toEqual({
      kind: 'sagemaker-model',
      name: expect.not.stringMatching(running),
      action: 'create',
      diffs: [
        { field: 'replaces', from: running, to: model!.name },
        { field: 'environment.LOG_LEVEL', from: undefined, to: 'debug' },
        { field: 'environment.MS_CACHE_TTL', from: '300', to: '600' },
      ],
    });
    const text = renderPlan([model!]);
    expect(text).toContain('environment.MS_CACHE_TTL: 300 -> 600');
    expect(text).toContain('environment.LOG_LEVEL: (none) -> debug');
  });

  test('a new image shows beside the variables; a first deploy shows the whole environment', async () => {
    await runChain(testContext(), MODULES, upstream());
    const [model] = await planChain(testContext(), MODULES, upstream(DIGEST2));
    expect(model!.diffs.map((d) => d.field)).toEqual(['replaces', 'image']);
    restoreAll(mocks);
    mocks = mockAll();
    sm = new FakeSageMaker(mocks.sagemaker);
    const [first] = await planChain(testContext(), MODULES, upstream());
    expect(first!.diffs.map((d) => d.field)).toEqual(['image', 'executionRoleArn', 'environment']);
  });

  test('the environment holds settings only: no secret-looking name, no credentials in a URL, for any cache kind', () => {
    const provisioned = { endpoint: 'rediss://c.example:6379', cacheName: 'ms-iris-dev-cache', userId: 'u' };
    const vpc = 'vpc: { subnetIds: [subnet-1a2b3c4d], securityGroupIds: [sg-0123abcd] }\n';
    for (const [cache, extra] of [
      ['{ kind: off }', ''],
      ['{ kind: memory }', ''],
      ['{ kind: redis, endpoint: "rediss://cache.example.internal:6379" }', ''],
      ['{ kind: redis }', vpc],
    ] as const) {
      const release = testContext({ yaml: withBlocks(cache, extra) }).release;
      const env = containerEnvironment(release, 'dev', provisioned);
      expect(Object.keys(env).filter((k) => /PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE/i.test(k))).toEqual([]);
      expect(Object.values(env).filter((v) => /:\/\/[^/]*@/.test(v))).toEqual([]);
    }
  });

  test('a secret-looking variable set by hand shows by name only, in status and in plan', () => {
    const d = sagemakerModel.desired(testContext(), upstream());
    const status = sagemakerModel.status(d, {
      name: d.name,
      environment: { MS_CACHE: 'redis', MS_REDIS_PASSWORD: 'hunter2' },
    });
    expect(status.environment).toEqual({ MS_CACHE: 'redis', MS_REDIS_PASSWORD: '(hidden)' });
    expect(environmentDiffs({ API_TOKEN: 'old' }, { API_TOKEN: 'new' })).toEqual([
      { field: 'environment.API_TOKEN', from: '(hidden)', to: '(hidden)' },
    ]);
  });

  test('the SageMaker container writes its metrics as EMF; `model-deploy local` gets no EMF setting', () => {
    const ctx = testContext();
    expect(sagemakerModel.desired(ctx, upstream()).environment).toMatchObject({ MS_METRICS_EMF: 'true' });
    expect(containerEnvironment(ctx.release, 'dev')).not.toHaveProperty('MS_METRICS_EMF');
  });
});

describe('create path', () => {
  test('model pinned to the digest -> endpoint config -> endpoint, waited InService', async () => {
    const { plans, outputs } = await runChain(testContext(), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['create', 'create', 'create']);
    expect(mutatingCommands(mocks)).toEqual([
      'CreateModelCommand',
      'CreateEndpointConfigCommand',
      'CreateEndpointCommand',
    ]);

    const model = mocks.sagemaker.commandCalls(CreateModelCommand)[0]!.args[0].input;
    expect(model.ModelName).toMatch(/^ms-iris-dev-[0-9a-f]{8}$/);
    expect(model.PrimaryContainer).toEqual({
      Image: `${REPO_URI}@${DIGEST}`,
      Mode: 'SingleModel',
      Environment: {
        MODEL_SERVICE_ENV: 'dev',
        MODEL_SERVICE_MODEL: 'iris',
        MS_CACHE: 'memory',
        MS_CACHE_TTL: '300',
        MS_CACHE_MAX_ENTRIES: '10000',
        MS_METRICS_EMF: 'true',
        MS_METRICS_NAMESPACE: 'ModelService',
        MS_METRICS_SERVICE: 'iris',
        MS_METRICS_VARIANT: 'AllTraffic',
      },
    });
    expect(model.ExecutionRoleArn).toBe(ROLE);
    expect(model.Tags).toEqual(expect.arrayContaining([{ Key: 'model-service:env', Value: 'dev' }]));

    const config = mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;
    expect(config.EndpointConfigName).toMatch(/^ms-iris-dev-[0-9a-f]{8}$/);
    expect(config.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: model.ModelName,
        InstanceType: 'ml.t2.medium',
        InitialInstanceCount: 1,
        InitialVariantWeight: 1,
        VolumeSizeInGB: 10,
      },
    ]);
    expect(mocks.sagemaker.commandCalls(CreateEndpointCommand)[0]!.args[0].input).toMatchObject({
      EndpointName: 'ms-iris-dev',
      EndpointConfigName: config.EndpointConfigName,
    });
    expect(outputs).toMatchObject({
      modelName: model.ModelName,
      endpointConfigName: config.EndpointConfigName,
      endpointName: 'ms-iris-dev',
    });
    expect(outputs.endpointArn).toBe('arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ms-iris-dev');
  });

  test('prod gets its own instance type and count; no volume when not given', async () => {
    await runChain(testContext({ env: 'prod' }), MODULES, upstream());
    const config = mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;
    expect(config.EndpointConfigName).toMatch(/^ms-iris-prod-/);
    expect(config.ProductionVariants![0]).toEqual(
      expect.objectContaining({ InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }),
    );
    expect(config.ProductionVariants![0]).not.toHaveProperty('VolumeSizeInGB');
  });
});

describe('no-change path', () => {
  test('a second run makes zero mutating calls', async () => {
    await runChain(testContext(), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('names are deterministic: same content, same names', () => {
    const ctx = testContext();
    expect(sagemakerModel.desired(ctx, upstream()).name).toBe(sagemakerModel.desired(testContext(), upstream()).name);
    expect(sagemakerModel.desired(ctx, upstream()).name).not.toBe(sagemakerModel.desired(ctx, upstream(DIGEST2)).name);
  });
});

describe('update path', () => {
  test('new image -> new model + new config, endpoint updated, old model and config kept for rollback', async () => {
    const first = await runChain(testContext(), MODULES, upstream(DIGEST));
    mocks.sagemaker.resetHistory();
    const second = await runChain(testContext(), MODULES, upstream(DIGEST2));
    expect(second.plans.map((p) => p.action)).toEqual(['create', 'create', 'update']);
    expect(second.plans[2]!.diffs).toEqual([
      { field: 'endpointConfigName', from: first.outputs.endpointConfigName, to: second.outputs.endpointConfigName },
    ]);
    expect(mutatingCommands(mocks)).toEqual([
      'CreateModelCommand',
      'CreateEndpointConfigCommand',
      'UpdateEndpointCommand',
    ]);
    // `up` updates like `promote`: the canary and the auto-rollback alarms, never a plain replace.
    expect(mocks.sagemaker.commandCalls(UpdateEndpointCommand)[0]!.args[0].input).toEqual({
      EndpointName: 'ms-iris-dev',
      EndpointConfigName: second.outputs.endpointConfigName,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            WaitIntervalInSeconds: 300,
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          },
          TerminationWaitInSeconds: 300,
          MaximumExecutionTimeoutInSeconds: expect.any(Number),
        },
        AutoRollbackConfiguration: {
          Alarms: [
            { AlarmName: 'ms-iris-dev-error-rate' },
            { AlarmName: 'ms-iris-dev-p95-latency' },
            { AlarmName: 'ms-iris-dev-canary-error-rate' },
            { AlarmName: 'ms-iris-dev-canary-latency' },
          ],
        },
      },
    });
    expect(sm.configs.has(first.outputs.endpointConfigName!)).toBe(true);
    expect(sm.models.has(first.outputs.modelName!)).toBe(true);
    expect(sm.models.size).toBe(2);
  });

  test('instance count change only -> same model, new config, endpoint updated', async () => {
    const first = await runChain(testContext(), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const ctx = testContext({ yaml: RELEASE_YAML.replace('instanceCount: 1', 'instanceCount: 3') });
    const second = await runChain(ctx, MODULES, upstream());
    expect(second.plans.map((p) => p.action)).toEqual(['no-change', 'create', 'update']);
    expect(second.outputs.modelName).toBe(first.outputs.modelName);
    expect(sm.configs.get(second.outputs.endpointConfigName!)![0]!.InitialInstanceCount).toBe(3);
  });

  test('instance type change with autoscaling registered: target deregistered before the update', async () => {
    await runChain(testContext(), MODULES, upstream());
    mocks.autoScaling
      .on(DescribeScalableTargetsCommand)
      .resolves({ ScalableTargets: [{ ResourceId: 'endpoint/ms-iris-dev/variant/AllTraffic' } as never] });
    mocks.autoScaling.on(DeregisterScalableTargetCommand).resolves({});
    mocks.sagemaker.resetHistory();
    await runChain(
      testContext({ yaml: RELEASE_YAML.replace('instanceType: ml.t2.medium', 'instanceType: ml.c5.large') }),
      MODULES,
      upstream(),
    );
    expect(mocks.autoScaling.commandCalls(DeregisterScalableTargetCommand)[0]!.args[0].input).toEqual({
      ServiceNamespace: 'sagemaker',
      ResourceId: 'endpoint/ms-iris-dev/variant/AllTraffic',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    });
    // sinon numbers calls across all stubs: the deregistration came first.
    const dereg = mocks.autoScaling.commandCalls(DeregisterScalableTargetCommand)[0]!;
    const update = mocks.sagemaker.commandCalls(UpdateEndpointCommand)[0]!;
    expect(dereg.calledBefore(update)).toBe(true);
  });
});

describe('failures', () => {
  test('a Failed endpoint surfaces its FailureReason and where to look', async () => {
    sm.outcome = {
      status: 'Failed',
      failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
    };
    const err = await failureOf(runChain(testContext(), MODULES, upstream()));
    expect(err.code).toBe('MS_DEPLOY_ENDPOINT_FAILED');
    expect(err.message).toContain('did not pass the ping health check');
    expect(err.message).toContain('ms-iris-dev');
    expect(err.hint).toContain('/aws/sagemaker/Endpoints/ms-iris-dev');
  });

  test('rerun after a Failed endpoint: planned as update, deleted and created again', async () => {
    sm.outcome = { status: 'Failed', failureReason: 'bad image' };
    await failureOf(runChain(testContext(), MODULES, upstream()));
    sm.outcome = { status: 'InService' };
    mocks.sagemaker.resetHistory();
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(plans[2]).toMatchObject({ action: 'update', diffs: [{ field: 'status', from: 'Failed', to: 'InService' }] });
    expect(mutatingCommands(mocks)).toEqual(['DeleteEndpointCommand', 'CreateEndpointCommand']);
    expect(sm.endpoints.get('ms-iris-dev')!.status).toBe('InService');
  });

  test('an update SageMaker rolled back is reported with its reason, not as success', async () => {
    await runChain(testContext(), MODULES, upstream(DIGEST));
    sm.updateRollsBack = 'Model container failed health checks; rolled back to the previous configuration.';
    const err = await failureOf(runChain(testContext(), MODULES, upstream(DIGEST2)));
    expect(err.code).toBe('MS_DEPLOY_ENDPOINT_FAILED');
    expect(err.message).toContain('rolled back');
  });

  test('waiting longer than the max wait -> MS_DEPLOY_WAIT_TIMEOUT', async () => {
    sm.outcome = { status: 'Creating' } as never;
    const ctx = testContext();
    const err = await failureOf(
      runChain(
        { ...ctx, wait: { maxWaitSeconds: 0.05, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 } },
        MODULES,
        upstream(),
      ),
    );
    expect(err.code).toBe('MS_DEPLOY_WAIT_TIMEOUT');
    expect(err.message).toContain('InService');
  });

  test('throttled DescribeEndpoint is retried and the deploy completes', async () => {
    let throttles = 2;
    mocks.sagemaker.on(DescribeEndpointCommand).callsFake(({ EndpointName }) => {
      if (throttles-- > 0) throw throttling();
      const e = sm.endpoints.get(EndpointName);
      if (!e) throw sagemakerNotFound(`endpoint "${EndpointName}"`);
      return { EndpointName, EndpointArn: 'arn', EndpointConfigName: e.config, EndpointStatus: e.status };
    });
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(plans[2]!.action).toBe('create');
    // 2 throttled + the model's look for what runs now + the observe that found nothing + the waiter's InService poll
    expect(mocks.sagemaker.commandCalls(DescribeEndpointCommand)).toHaveLength(5);
    expect(sm.endpoints.get('ms-iris-dev')!.status).toBe('InService');
  });

  test('throttling that never stops -> MS_DEPLOY_AWS_THROTTLED naming the call, no endpoint created', async () => {
    mocks.sagemaker.on(DescribeEndpointCommand).rejects(throttling());
    const err = await failureOf(runChain(testContext(), MODULES, upstream()));
    expect(err.code).toBe('MS_DEPLOY_AWS_THROTTLED');
    expect(err.message).toContain('DescribeEndpoint on ms-iris-dev');
    expect(err.message).toContain('after 3 attempts');
    expect(mocks.sagemaker.commandCalls(CreateEndpointCommand)).toHaveLength(0);
  });
});

describe('interruption and rerun', () => {
  test.each([
    ['after the model', 1],
    ['after the endpoint config', 2],
  ])('stopped %s: the rerun creates only what is missing', async (_label, applied) => {
    await runChain(testContext(), MODULES.slice(0, applied), upstream());
    mocks.sagemaker.resetHistory();
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(plans.slice(0, applied).every((p) => p.action === 'no-change')).toBe(true);
    expect(mutatingCommands(mocks)).toEqual(
      ['CreateModelCommand', 'CreateEndpointConfigCommand', 'CreateEndpointCommand'].slice(applied),
    );
    expect(sm.endpoints.get('ms-iris-dev')!.status).toBe('InService');
  });

  test('stopped while the endpoint was Creating: the rerun waits, creates nothing', async () => {
    sm.outcome = { status: 'Creating' } as never;
    const ctx = testContext();
    await failureOf(
      runChain(
        { ...ctx, wait: { maxWaitSeconds: 0.05, minDelaySeconds: 0.01, maxDelaySeconds: 0.02 } },
        MODULES,
        upstream(),
      ),
    );
    sm.endpoints.get('ms-iris-dev')!.status = 'InService'; // SageMaker finished meanwhile
    mocks.sagemaker.resetHistory();
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('a create racing an interrupted one ("already existing") converges', async () => {
    const ctx = testContext();
    const desired = sagemakerModel.desired(ctx, upstream());
    const plan = sagemakerModel.plan(desired, undefined); // planned before the other run created it
    sm.models.set(desired.name, { image: desired.image, role: ROLE });
    await expect(sagemakerModel.apply(ctx, plan, desired, undefined)).resolves.toEqual({ modelName: desired.name });
  });
});

describe('plan', () => {
  test('plan of a fresh environment makes only read calls', async () => {
    const plans = await planChain(testContext({ dryRun: true }), MODULES, upstream());
    expect(plans.map((p) => p.action)).toEqual(['create', 'create', 'create']);
    expect(mutatingCommands(mocks)).toEqual([]);
    expect(sentCommands(mocks)).toEqual([
      'DescribeModelCommand',
      // A new model: what the endpoint serves now (nothing yet), for the environment diff.
      'DescribeEndpointCommand',
      'DescribeEndpointConfigCommand',
      'DescribeEndpointCommand',
    ]);
  });

  test('plan of an update shows the config change and writes nothing', async () => {
    await runChain(testContext(), MODULES, upstream(DIGEST));
    mocks.sagemaker.resetHistory();
    const plans = await planChain(testContext({ dryRun: true }), MODULES, upstream(DIGEST2));
    expect(plans.map((p) => p.action)).toEqual(['create', 'create', 'update']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});

describe('destroy', () => {
  test('endpoint first (waits until deleted), then every config and model of this env only', async () => {
    await runChain(testContext(), MODULES, upstream(DIGEST));
    await runChain(testContext(), MODULES, upstream(DIGEST2));
    sm.models.set('ms-iris-dev2-0123abcd', { image: 'x', role: 'y' }); // another env's look-alike
    sm.configs.set('ms-iris-dev-notahash', []);
    mocks.sagemaker.resetHistory();
    const ctx = testContext();
    for (const m of [...MODULES].reverse()) await m.destroy!(ctx, m.desired(ctx, upstream()));
    expect(mutatingCommands(mocks)).toEqual([
      'DeleteEndpointCommand',
      'DeleteEndpointConfigCommand',
      'DeleteEndpointConfigCommand',
      'DeleteModelCommand',
      'DeleteModelCommand',
    ]);
    expect(sm.endpoints.size).toBe(0);
    expect([...sm.models.keys()]).toEqual(['ms-iris-dev2-0123abcd']);
    expect([...sm.configs.keys()]).toEqual(['ms-iris-dev-notahash']);
  });

  test('destroying what is already gone is fine', async () => {
    const ctx = testContext();
    for (const m of [...MODULES].reverse()) await m.destroy!(ctx, m.desired(ctx, upstream()));
    expect(mutatingCommands(mocks)).toEqual(['DeleteEndpointCommand']);
  });
});

test('volumeSizeGb applies to EBS-backed types only (SageMaker rejects it for instance-storage types)', async () => {
  const yaml = RELEASE_YAML.replace('instanceType: ml.t2.medium', 'instanceType: ml.g4dn.xlarge');
  await runChain(testContext({ yaml }), MODULES, upstream());
  const variant = mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input.ProductionVariants![0]!;
  expect(variant.InstanceType).toBe('ml.g4dn.xlarge');
  expect(variant).not.toHaveProperty('VolumeSizeInGB');
});

describe('kmsKeyId: the endpoint volume encrypted with your KMS key', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const WITH_KEY = `${RELEASE_YAML}kmsKeyId: ${KEY}\n`;
  const configInput = () => mocks.sagemaker.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input;

  test('CreateEndpointConfig gets KmsKeyId; the plan shows it; it is read back, so a second run changes nothing', async () => {
    const first = await runChain(testContext({ yaml: WITH_KEY }), MODULES, upstream());
    expect(configInput().KmsKeyId).toBe(KEY);
    expect(first.plans[1]!.diffs).toContainEqual({ field: 'kmsKeyId', from: undefined, to: KEY });
    const ctx = testContext({ yaml: WITH_KEY });
    const desired = sagemakerEndpointConfig.desired(ctx, { modelName: first.outputs.modelName });
    expect(await sagemakerEndpointConfig.observe(ctx, desired)).toEqual({
      name: first.outputs.endpointConfigName,
      kmsKeyId: KEY,
      instanceType: 'ml.t2.medium',
      instanceCount: 1,
      modelName: first.outputs.modelName,
    });
    mocks.sagemaker.resetHistory();
    const again = await runChain(testContext({ yaml: WITH_KEY }), MODULES, upstream());
    expect(again.plans.map((p) => p.action)).toEqual(['no-change', 'no-change', 'no-change']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });

  test('without kmsKeyId: no KmsKeyId sent, no kmsKeyId line in the plan, and the config name is the one from before the option', async () => {
    const { plans } = await runChain(testContext(), MODULES, upstream());
    expect(configInput()).not.toHaveProperty('KmsKeyId');
    expect(plans[1]!.diffs.map((d) => d.field)).not.toContain('kmsKeyId');
    const ctx = testContext();
    const content = { modelName: 'm', instanceType: 'ml.t2.medium', instanceCount: 1, volumeSizeGb: 10 };
    expect(sagemakerEndpointConfig.desired(ctx, { modelName: 'm' }).name).toBe(
      sagemakerEndpointConfigName(ctx.names, content),
    );
  });

  test('adding a key is new content: a new config (name hashes the key) and an endpoint update', async () => {
    const first = await runChain(testContext(), MODULES, upstream());
    mocks.sagemaker.resetHistory();
    const second = await runChain(testContext({ yaml: WITH_KEY }), MODULES, upstream());
    expect(second.plans.map((p) => p.action)).toEqual(['no-change', 'create', 'update']);
    expect(second.outputs.endpointConfigName).not.toBe(first.outputs.endpointConfigName);
    expect(sm.configKeys.get(second.outputs.endpointConfigName!)).toBe(KEY);
  });

  test("the environment's own kmsKeyId replaces the top-level one", async () => {
    const prodKey = 'arn:aws:kms:eu-west-1:123456789012:alias/ms-iris-prod';
    const yaml = WITH_KEY.replace(
      '    instanceType: ml.m5.large\n',
      `    instanceType: ml.m5.large\n    kmsKeyId: ${prodKey}\n`,
    );
    await runChain(testContext({ yaml, env: 'prod' }), MODULES, upstream());
    expect(configInput().KmsKeyId).toBe(prodKey);
  });

  test('not for instance-storage types (SageMaker refuses KmsKeyId; the hardware encrypts them)', async () => {
    const yaml = WITH_KEY.replace('instanceType: ml.t2.medium', 'instanceType: ml.g4dn.xlarge');
    const { plans } = await runChain(testContext({ yaml }), MODULES, upstream());
    expect(configInput()).not.toHaveProperty('KmsKeyId');
    expect(plans[1]!.diffs.map((d) => d.field)).not.toContain('kmsKeyId');
  });
});
