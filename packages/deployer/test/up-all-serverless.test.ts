// The whole environment graph for a serverless dev against the stateful AWS
// doubles: up makes a serverless endpoint with no scaling target and no canary
// alarms, plan and status say autoscaling does not apply, a rerun makes no call.
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { renderPlan } from '../src/commands/render-plan.js';
import { renderStatus } from '../src/commands/status.js';
import type { DeployContext } from '../src/context.js';
import { applyGraph, environmentResources, planGraph } from '../src/deploy-graph.js';
import { collectStatus } from '../src/environment-status.js';
import { codeSha256 } from '../src/lambda-bundle.js';
import { createProgress } from '../src/progress.js';
import { withGitSha } from '../src/tags.js';
import { ACCOUNT, RELEASE_YAML, mockAll, restoreAll, testContext, type Mocks } from './helpers/aws-context.js';
import { FakeCoreAws } from './helpers/fake-core-aws.js';
import { FakeEdgeAws } from './helpers/fake-edge-aws.js';
import { FakeOpsAws } from './helpers/fake-ops-aws.js';
import { FakeSageMaker } from './helpers/fake-sagemaker.js';

const zip = Uint8Array.from([4, 2]);
const bundle = { zip, sha256: codeSha256(zip), handler: 'index.handler', entry: 'test' };
const silent = createProgress('silent', { write: () => true });
const READ = /^(Describe|List|Get|Head)\w*Command$/;
const SHA = 'abc1234';
const SKIP = 'skip: serverless endpoint (no instances)';
const YAML = RELEASE_YAML.replace(
  '    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n',
  '    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n',
);

let mocks: Mocks & { budgets: AwsStub<any, any, any> };
let core: FakeCoreAws;
let sm: FakeSageMaker;
beforeEach(() => {
  mocks = { ...mockAll(), budgets: mockClient(BudgetsClient) };
  mocks.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/d/ci` });
  sm = new FakeSageMaker(mocks.sagemaker);
  new FakeOpsAws((name) => sm.endpoints.has(name)).install(mocks);
  new FakeEdgeAws().install(mocks);
  core = new FakeCoreAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

const context = (): DeployContext => withGitSha(testContext({ yaml: YAML, runner: core.runner(SHA) }), SHA);
const mutating = () =>
  Object.values(mocks)
    .flatMap((m) => m.calls().map((c: { args: unknown[] }) => (c.args[0] as object).constructor.name))
    .filter((n) => !READ.test(n));

describe('up and status of a serverless environment', () => {
  it('up: a serverless endpoint, no scaling target, SLO alarms without the canary ones; plan and status say why', async () => {
    const ctx = context();
    const planned = await planGraph(ctx, await environmentResources(ctx, { bundle }));
    const scalingLine = renderPlan(planned.steps.map((s) => s.change))
      .split('\n')
      .find((l) => l.includes(' autoscaling '));
    expect(scalingLine).toContain(`(${SKIP})`);
    const applied = await applyGraph(ctx, planned, silent);
    const config = sm.configs.get(applied.outputs.endpointConfigName!)![0]!;
    expect(config.ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 5 });
    expect(mutating()).not.toContain('RegisterScalableTargetCommand');
    expect([...core.targets.keys()]).toEqual([]);
    expect([...core.alarms.keys()].filter((n) => n.includes('canary'))).toEqual([]);
    expect([...core.alarms.keys()]).toEqual(
      expect.arrayContaining(['ms-iris-dev-error-rate', 'ms-iris-dev-p95-latency']),
    );

    const status = await collectStatus(context());
    expect(status.autoscaling).toEqual({ configured: false, enabled: false, skipped: SKIP });
    expect(renderStatus('iris', status)).toContain(`autoscaling      ${SKIP}`);
    expect(status.missing).toEqual([]);

    Object.values(mocks).forEach((m) => m.resetHistory());
    const again = await planGraph(context(), await environmentResources(context(), { bundle }));
    expect(again.steps.filter((s) => s.change.action !== 'no-change').map((s) => s.module.kind)).toEqual([]);
    expect(mutating()).toEqual([]);
  });
});
