// The budget module against a stateful fake of AWS Budgets (SDK error classes):
// create, no change, each update path, no budget configured = no call, errors.
import * as budgets from '@aws-sdk/client-budgets';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { DeployContext } from '../../src/context.js';
import { DeployerError } from '../../src/errors.js';
import { budget, costFilter } from '../../src/resources/budget.js';
import { withGitSha } from '../../src/tags.js';
import { mockAll, RELEASE_YAML, restoreAll, testContext, type Mocks } from '../helpers/aws-context.js';
import { FakeOpsAws } from '../helpers/fake-ops-aws.js';

const NAME = 'ms-iris-dev-monthly';
const withBudget = (budgetYaml: string, yaml = RELEASE_YAML) =>
  yaml.replace('environments:', `budget: ${budgetYaml}\nenvironments:`);
const YAML = withBudget('{ monthlyUsd: 50, alertEmails: [ops@example.com] }');

let mocks: Mocks & { budgets: AwsStub<any, any, any> };
let ops: FakeOpsAws;
beforeEach(() => {
  mocks = { ...mockAll(), budgets: mockClient(budgets.BudgetsClient) };
  ops = new FakeOpsAws().install(mocks);
});
afterEach(() => restoreAll(mocks));

const ctxOf = (yaml = YAML, env = 'dev') => withGitSha(testContext({ yaml, env }), 'abc1234');
const calls = () => mocks.budgets.calls().map((c) => (c.args[0] as object).constructor.name);
const mutating = () => calls().filter((n) => !/^(Describe|List)/.test(n));

async function run(ctx: DeployContext) {
  const d = budget.desired(ctx, {});
  const o = await budget.observe(ctx, d);
  const plan = budget.plan(d, o);
  const out = await budget.apply(ctx, plan, d, o);
  return { d, plan, out };
}

describe('budget resource', () => {
  it('creates a monthly COST budget filtered by the model and env tags, with alerts and the cost allocation tags', async () => {
    const { plan, out } = await run(ctxOf());
    expect(plan.action).toBe('create');
    expect(out).toEqual({ budgetName: NAME });
    expect(mutating()).toEqual(['CreateBudgetCommand']);
    const input = mocks.budgets.commandCalls(budgets.CreateBudgetCommand)[0]!.args[0].input;
    expect(input).toEqual({
      AccountId: '123456789012',
      Budget: {
        BudgetName: NAME,
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '50.00', Unit: 'USD' },
        FilterExpression: {
          And: [
            { Tags: { Key: 'model-service:model', Values: ['iris'], MatchOptions: ['EQUALS'] } },
            { Tags: { Key: 'model-service:env', Values: ['dev'], MatchOptions: ['EQUALS'] } },
          ],
        },
      },
      NotificationsWithSubscribers: [80, 100].map((Threshold) => ({
        Notification: {
          NotificationType: 'ACTUAL',
          ComparisonOperator: 'GREATER_THAN',
          Threshold,
          ThresholdType: 'PERCENTAGE',
        },
        Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'ops@example.com' }],
      })),
      ResourceTags: expect.arrayContaining([
        { Key: 'model-service:model', Value: 'iris' },
        { Key: 'model-service:team', Value: 'data-science' },
        { Key: 'model-service:env', Value: 'dev' },
        { Key: 'model-service:owner', Value: 'someone@example.com' },
        { Key: 'model-service:git-sha', Value: 'abc1234' },
      ]),
    });
  });

  it('a second run plans no change and makes no mutating call (AWS echoes the limit as "50.0")', async () => {
    await run(ctxOf());
    mocks.budgets.resetHistory();
    const { plan } = await run(ctxOf());
    expect(plan).toMatchObject({ action: 'no-change', diffs: [] });
    expect(mutating()).toEqual([]);
    expect(calls()).toEqual(
      expect.arrayContaining([
        'DescribeBudgetCommand',
        'DescribeNotificationsForBudgetCommand',
        'ListTagsForResourceCommand',
      ]),
    );
  });

  it('without a budget in release.yaml it makes no Budgets call at all, and destroy deletes nothing', async () => {
    const ctx = ctxOf(RELEASE_YAML);
    const { plan, out } = await run(ctx);
    expect(plan.action).toBe('no-change');
    expect(out).toEqual({});
    await budget.destroy!(ctx, budget.desired(ctx, {}));
    expect(calls()).toEqual([]);
  });

  it('a new limit is one UpdateBudget; notifications are left alone', async () => {
    await run(ctxOf());
    mocks.budgets.resetHistory();
    const { plan } = await run(ctxOf(withBudget('{ monthlyUsd: 75.5, alertEmails: [ops@example.com] }')));
    expect(plan.diffs).toEqual([{ field: 'limitUsd', from: 50, to: 75.5 }]);
    expect(mutating()).toEqual(['UpdateBudgetCommand']);
    expect(ops.budgets.get(NAME)!.budget.BudgetLimit).toEqual({ Amount: '75.50', Unit: 'USD' });
  });

  it('limits compare in cents, the precision Budgets keeps: 50.001 is no change', async () => {
    await run(ctxOf());
    mocks.budgets.resetHistory();
    const { plan } = await run(ctxOf(withBudget('{ monthlyUsd: 50.001, alertEmails: [ops@example.com] }')));
    expect(plan.action).toBe('no-change');
    expect(mutating()).toEqual([]);
  });

  it('changed thresholds delete the old notification and create the new one; changed emails swap subscribers', async () => {
    await run(ctxOf());
    mocks.budgets.resetHistory();
    await run(ctxOf(withBudget('{ monthlyUsd: 50, alertEmails: [ops@example.com], alertAtPercent: [50, 100] }')));
    expect(mutating()).toEqual(['DeleteNotificationCommand', 'CreateNotificationCommand']);
    expect(
      ops.budgets
        .get(NAME)!
        .notifications.map((n) => n.n.Threshold)
        .sort(),
    ).toEqual([100, 50]);
    mocks.budgets.resetHistory();
    await run(ctxOf(withBudget('{ monthlyUsd: 50, alertEmails: [oncall@example.com], alertAtPercent: [50, 100] }')));
    expect(mutating()).toEqual([
      'CreateSubscriberCommand',
      'DeleteSubscriberCommand',
      'CreateSubscriberCommand',
      'DeleteSubscriberCommand',
    ]);
    for (const n of ops.budgets.get(NAME)!.notifications)
      expect(n.subscribers).toEqual([{ SubscriptionType: 'EMAIL', Address: 'oncall@example.com' }]);
  });

  it('tags that drifted (a new commit) are written back with TagResource', async () => {
    await run(ctxOf());
    mocks.budgets.resetHistory();
    const { plan } = await run(withGitSha(testContext({ yaml: YAML }), 'def5678'));
    expect(plan.diffs.map((d) => d.field)).toEqual(['tags']);
    expect(mutating()).toEqual(['TagResourceCommand']);
    expect(ops.budgets.get(NAME)!.tags['model-service:git-sha']).toBe('def5678');
  });

  it('emails go to model.owner when alertEmails is not set; environments.<env>.budget overrides the top level', async () => {
    const yaml = withBudget('{ monthlyUsd: 50 }').replace(
      '    instanceType: ml.m5.large',
      '    instanceType: ml.m5.large\n    budget: { monthlyUsd: 900, alertAtPercent: [90] }',
    );
    const dev = budget.desired(ctxOf(yaml), {});
    expect(dev.spec).toEqual({
      limitUsd: 50,
      filter: costFilter(ctxOf(yaml)),
      alerts: [80, 100].map((percent) => ({ percent, emails: ['someone@example.com'] })),
    });
    const prod = budget.desired(ctxOf(yaml, 'prod'), {});
    expect(prod.name).toBe('ms-iris-prod-monthly');
    expect(prod.spec).toMatchObject({ limitUsd: 900, alerts: [{ percent: 90, emails: ['someone@example.com'] }] });
    expect(JSON.stringify(prod.spec!.filter)).toContain('"Values":["prod"]');
  });

  it('an owner that is not an email gives a budget without notifications (it still tracks spend)', async () => {
    const yaml = withBudget('{ monthlyUsd: 50 }').replace('owner: someone@example.com', 'owner: "team data science"');
    await run(ctxOf(yaml));
    expect(
      mocks.budgets.commandCalls(budgets.CreateBudgetCommand)[0]!.args[0].input.NotificationsWithSubscribers,
    ).toEqual([]);
  });

  it('AccessDenied is wrapped with a deployer code that says what failed', async () => {
    mocks.budgets.on(budgets.DescribeBudgetCommand).rejects(
      new budgets.AccessDeniedException({
        message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: budgets:ViewBudget',
        $metadata: { httpStatusCode: 400, requestId: 'r1' },
      }),
    );
    const ctx = ctxOf();
    const err = await budget.observe(ctx, budget.desired(ctx, {})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployerError);
    expect(err).toMatchObject({
      code: 'MS_DEPLOY_AWS_ACCESS_DENIED',
      message: expect.stringContaining(`DescribeBudget on ${NAME}`),
    });
  });

  it('ThrottlingException is retried, then the create goes through', async () => {
    let throttled = 0;
    mocks.budgets.on(budgets.CreateBudgetCommand).callsFake(async () => {
      throttled += 1;
      if (throttled < 3)
        throw new budgets.ThrottlingException({
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400, requestId: 'r2' },
        });
      return {};
    });
    const { plan } = await run(ctxOf());
    expect(plan.action).toBe('create');
    expect(throttled).toBe(3);
  });

  it('destroy deletes the budget; a budget already gone is not an error', async () => {
    const ctx = ctxOf();
    await run(ctx);
    await budget.destroy!(ctx, budget.desired(ctx, {}));
    expect(ops.budgets.size).toBe(0);
    await expect(budget.destroy!(ctx, budget.desired(ctx, {}))).resolves.toBeUndefined();
    expect(calls().filter((n) => n === 'DeleteBudgetCommand')).toHaveLength(2);
  });
});
