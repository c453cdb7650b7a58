import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { codeSha256, type LambdaBundle } from '../../src/lambda-bundle.js';
import { createLambdaProxyResource } from '../../src/resources/lambda-proxy.js';
import { isDeployerError } from '../../src/errors.js';
import { ACCOUNT, mockAll, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { EDGE_MUTATING, FakeEdgeAws } from '../helpers/fake-edge-aws.js';

function bundleOf(bytes: number[]): LambdaBundle {
  const zip = Uint8Array.from(bytes);
  return { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
}

const UPSTREAM = { lambdaRoleArn: `arn:aws:iam::${ACCOUNT}:role/ms-iris-dev-lambda`, endpointName: 'ms-iris-dev' };

let mocks: Mocks;
let fake: FakeEdgeAws;
beforeEach(() => {
  mocks = mockAll();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  fake = new FakeEdgeAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

const mutating = () =>
  mocks.lambda
    .calls()
    .map((c) => (c.args[0] as object).constructor.name)
    .filter((n) => EDGE_MUTATING.has(n));

async function converge(bundle: LambdaBundle, yaml?: string) {
  const ctx = testContext({ yaml });
  const module = createLambdaProxyResource({ bundle, sleep: async () => {} });
  const desired = module.desired(ctx, UPSTREAM);
  const observed = await module.observe(ctx, desired);
  const change = module.plan(desired, observed);
  const outputs = await module.apply(ctx, change, desired, observed);
  return { change, outputs, desired };
}

describe('lambda-proxy resource', () => {
  it('creates the function with the role, the bundle and the handler env vars, then waits for Active', async () => {
    const { change, outputs } = await converge(bundleOf([1, 2, 3]));
    expect(change.action).toBe('create');
    expect(outputs).toEqual({
      lambdaFunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ms-iris-dev-proxy`,
      lambdaFunctionName: 'ms-iris-dev-proxy',
    });
    const create = mocks.lambda.commandCalls(CreateFunctionCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      FunctionName: 'ms-iris-dev-proxy',
      Role: UPSTREAM.lambdaRoleArn,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Environment: { Variables: { MS_ENDPOINT_NAME: 'ms-iris-dev' } },
      Tags: expect.objectContaining({ 'model-service:managed-by': 'model-deploy', 'model-service:env': 'dev' }),
    });
    expect(Array.from(create.Code!.ZipFile!)).toEqual([1, 2, 3]);
    // The waiter polled GetFunction after the create.
    const names = mocks.lambda.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(names.slice(names.indexOf('CreateFunctionCommand') + 1)).toContain('GetFunctionCommand');
  });

  it('makes no mutating call when code sha and configuration match', async () => {
    await converge(bundleOf([1, 2, 3]));
    mocks.lambda.resetHistory();
    const { change } = await converge(bundleOf([1, 2, 3]));
    expect(change).toEqual({ kind: 'lambda-function', name: 'ms-iris-dev-proxy', action: 'no-change', diffs: [] });
    expect(mutating()).toEqual([]);
  });

  it('uploads code only when the bundle sha changes', async () => {
    await converge(bundleOf([1, 2, 3]));
    mocks.lambda.resetHistory();
    const { change } = await converge(bundleOf([9, 9]));
    expect(change.action).toBe('update');
    expect(change.diffs.map((d) => d.field)).toEqual(['codeSha256']);
    expect(mutating()).toEqual(['UpdateFunctionCodeCommand']);
    expect(fake.functions.get('ms-iris-dev-proxy')!.config.CodeSha256).toBe(codeSha256(Uint8Array.from([9, 9])));
  });

  it('updates configuration (CORS origins) without re-uploading unchanged code', async () => {
    await converge(bundleOf([1]));
    mocks.lambda.resetHistory();
    const yaml = (await import('../helpers/aws-context.js')).RELEASE_YAML.replace(
      'region: eu-west-1',
      'region: eu-west-1\napi: { cors: { allowOrigins: ["https://app.example.com"] } }',
    );
    const { change } = await converge(bundleOf([1]), yaml);
    expect(change.diffs.map((d) => d.field)).toEqual(['environment']);
    expect(mutating()).toEqual(['UpdateFunctionConfigurationCommand']);
    expect(
      mocks.lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input.Environment!.Variables,
    ).toEqual({
      MS_ENDPOINT_NAME: 'ms-iris-dev',
      MS_CORS_ALLOW_ORIGINS: '["https://app.example.com"]',
    });
    expect(mocks.lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it("api.reservedConcurrency reserves the proxy's concurrency at create; a change is one Put, removing it one Delete", async () => {
    const { RELEASE_YAML } = await import('../helpers/aws-context.js');
    const reserved = (n: number) =>
      RELEASE_YAML.replace('region: eu-west-1', `region: eu-west-1\napi: { reservedConcurrency: ${n} }`);
    const { change } = await converge(bundleOf([1]), reserved(20));
    expect(change.action).toBe('create');
    expect(mutating()).toEqual(['CreateFunctionCommand', 'PutFunctionConcurrencyCommand']);
    expect(fake.functions.get('ms-iris-dev-proxy')!.reserved).toBe(20);

    mocks.lambda.resetHistory();
    expect((await converge(bundleOf([1]), reserved(20))).change.action).toBe('no-change');
    expect(mutating()).toEqual([]);

    const changed = await converge(bundleOf([1]), reserved(50));
    expect(changed.change.diffs).toEqual([{ field: 'reservedConcurrency', from: 20, to: 50 }]);
    expect(mutating()).toEqual(['PutFunctionConcurrencyCommand']);
    expect(fake.functions.get('ms-iris-dev-proxy')!.reserved).toBe(50);

    mocks.lambda.resetHistory();
    const removed = await converge(bundleOf([1]));
    expect(removed.change.diffs).toEqual([{ field: 'reservedConcurrency', from: 50, to: undefined }]);
    expect(mutating()).toEqual(['DeleteFunctionConcurrencyCommand']);
    expect(fake.functions.get('ms-iris-dev-proxy')!.reserved).toBeUndefined();
  });

  it('interrupted between CreateFunction and PutFunctionConcurrency, the next run reserves it', async () => {
    const { RELEASE_YAML } = await import('../helpers/aws-context.js');
    const yaml = RELEASE_YAML.replace('region: eu-west-1', 'region: eu-west-1\napi: { reservedConcurrency: 20 }');
    fake.crashAt = 2;
    await expect(converge(bundleOf([1]), yaml)).rejects.toThrow('simulated crash at mutating call 2');
    fake.crashAt = undefined;
    mocks.lambda.resetHistory();
    const { change } = await converge(bundleOf([1]), yaml);
    expect(change.diffs).toEqual([{ field: 'reservedConcurrency', from: undefined, to: 20 }]);
    expect(mutating()).toEqual(['PutFunctionConcurrencyCommand']);
    expect(fake.functions.get('ms-iris-dev-proxy')!.reserved).toBe(20);
  });

  it('retries CreateFunction while a fresh role is not yet assumable, then succeeds', async () => {
    let tries = 0;
    const real = mocks.lambda.commandCalls.bind(mocks.lambda);
    mocks.lambda.on(CreateFunctionCommand).callsFake(async (input: { FunctionName: string }) => {
      tries += 1;
      if (tries < 3) {
        throw new InvalidParameterValueException({
          message: 'The role defined for the function cannot be assumed by Lambda.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return fake
        .lambdaHandlers()
        .find(([C]) => C === CreateFunctionCommand)![1](input);
    });
    const { outputs } = await converge(bundleOf([1]));
    expect(tries).toBe(3);
    expect(outputs.lambdaFunctionName).toBe('ms-iris-dev-proxy');
    expect(real(GetFunctionCommand).length).toBeGreaterThan(0);
  });

  it('wraps other AWS errors with a deployer code and keeps the cause', async () => {
    mocks.lambda.on(CreateFunctionCommand).rejects(
      new InvalidParameterValueException({
        message: 'Unzipped size must be smaller than 262144000 bytes',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const err = await converge(bundleOf([1])).catch((e: unknown) => e);
    expect(isDeployerError(err, 'MS_DEPLOY_AWS_VALIDATION')).toBe(true);
    expect((err as Error).message).toMatch(/CreateFunction on ms-iris-dev-proxy.*Unzipped size/);
    expect((err as Error).cause).toBeInstanceOf(InvalidParameterValueException);
  });

  it('destroy deletes the function and tolerates it being gone already', async () => {
    await converge(bundleOf([1]));
    const ctx = testContext();
    const module = createLambdaProxyResource({ bundle: bundleOf([1]) });
    await module.destroy!(ctx, module.desired(ctx, UPSTREAM));
    expect(fake.functions.size).toBe(0);
    await expect(module.destroy!(ctx, module.desired(ctx, UPSTREAM))).resolves.toBeUndefined();
  });
});
