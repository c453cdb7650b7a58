// Stateful stand-ins for AWS Budgets, CloudWatch dashboards and SageMaker
// endpoint tags (the deployment record), behind aws-sdk-client-mock, with the
// error classes the SDK raises for missing things.
import * as budgets from '@aws-sdk/client-budgets';
import * as cw from '@aws-sdk/client-cloudwatch';
import { AddTagsCommand, ListTagsCommand, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import type { AwsStub } from 'aws-sdk-client-mock';

const meta = (status: number) => ({ httpStatusCode: status, requestId: 'req-fake', attempts: 1, totalRetryDelay: 0 });
type Stub = AwsStub<any, any, any>;

export const OPS_MUTATING = new Set([
  'CreateBudgetCommand',
  'UpdateBudgetCommand',
  'DeleteBudgetCommand',
  'CreateNotificationCommand',
  'DeleteNotificationCommand',
  'CreateSubscriberCommand',
  'DeleteSubscriberCommand',
  'TagResourceCommand',
  'PutDashboardCommand',
  'DeleteDashboardsCommand',
  'AddTagsCommand',
]);

export interface FakeBudget {
  budget: budgets.Budget;
  notifications: { n: budgets.Notification; subscribers: budgets.Subscriber[] }[];
  tags: Record<string, string>;
}

const key = (n: budgets.Notification) =>
  `${n.NotificationType}/${n.ComparisonOperator}/${n.Threshold}/${n.ThresholdType ?? 'PERCENTAGE'}`;

export class FakeOpsAws {
  budgets = new Map<string, FakeBudget>();
  dashboards = new Map<string, string>();
  /** SageMaker tags by endpoint name (the endpoint must exist in `endpointExists`). */
  endpointTags = new Map<string, Record<string, string>>();

  constructor(private readonly endpointExists: (name: string) => boolean = () => true) {}

  private budget(name: string): FakeBudget {
    const b = this.budgets.get(name);
    if (!b)
      throw new budgets.NotFoundException({
        message: `[Exception=NotFoundException] Failed to call DescribeBudget for [accountId: 123456789012] - Unable to get budget: ${name} - the budget doesn't exist.`,
        $metadata: meta(400),
      });
    return b;
  }

  private notification(b: FakeBudget, n: budgets.Notification) {
    const found = b.notifications.find((x) => key(x.n) === key(n));
    if (!found) throw new budgets.NotFoundException({ message: 'Unable to find notification', $metadata: meta(400) });
    return found;
  }

  private endpointName(arn: string): string {
    const name = arn.split('/').pop()!;
    if (!this.endpointExists(name)) {
      throw new SageMakerServiceException({
        name: 'ValidationException',
        $fault: 'client',
        message: `Could not find endpoint "${arn}".`,
        $metadata: meta(400),
      });
    }
    return name;
  }

  install(mocks: { budgets: Stub; cloudWatch: Stub; sagemaker: Stub }): this {
    const b = mocks.budgets;
    b.on(budgets.DescribeBudgetCommand).callsFake(async (i) => ({
      Budget: {
        ...this.budget(i.BudgetName).budget,
        BudgetLimit: {
          Amount: `${Number(this.budget(i.BudgetName).budget.BudgetLimit!.Amount).toFixed(1)}`,
          Unit: 'USD',
        },
        CalculatedSpend: { ActualSpend: { Amount: '0', Unit: 'USD' } },
      },
    }));
    b.on(budgets.CreateBudgetCommand).callsFake(async (i) => {
      if (this.budgets.has(i.Budget.BudgetName))
        throw new budgets.DuplicateRecordException({
          message: `Error creating budget: ${i.Budget.BudgetName} - the budget already exists.`,
          $metadata: meta(400),
        });
      this.budgets.set(i.Budget.BudgetName, {
        budget: i.Budget,
        notifications: (i.NotificationsWithSubscribers ?? []).map((x: budgets.NotificationWithSubscribers) => ({
          n: x.Notification!,
          subscribers: [...x.Subscribers!],
        })),
        tags: Object.fromEntries((i.ResourceTags ?? []).map((t: budgets.ResourceTag) => [t.Key, t.Value])),
      });
      return {};
    });
    b.on(budgets.UpdateBudgetCommand).callsFake(async (i) => {
      this.budget(i.NewBudget.BudgetName).budget = i.NewBudget;
      return {};
    });
    b.on(budgets.DeleteBudgetCommand).callsFake(async (i) => {
      this.budget(i.BudgetName);
      this.budgets.delete(i.BudgetName);
      return {};
    });
    b.on(budgets.DescribeNotificationsForBudgetCommand).callsFake(async (i) => ({
      Notifications: this.budget(i.BudgetName).notifications.map((x) => x.n),
    }));
    b.on(budgets.DescribeSubscribersForNotificationCommand).callsFake(async (i) => ({
      Subscribers: this.notification(this.budget(i.BudgetName), i.Notification).subscribers,
    }));
    b.on(budgets.CreateNotificationCommand).callsFake(async (i) => {
      this.budget(i.BudgetName).notifications.push({ n: i.Notification, subscribers: [...i.Subscribers] });
      return {};
    });
    b.on(budgets.DeleteNotificationCommand).callsFake(async (i) => {
      const bud = this.budget(i.BudgetName);
      this.notification(bud, i.Notification);
      bud.notifications = bud.notifications.filter((x) => key(x.n) !== key(i.Notification));
      return {};
    });
    b.on(budgets.CreateSubscriberCommand).callsFake(async (i) => {
      this.notification(this.budget(i.BudgetName), i.Notification).subscribers.push(i.Subscriber);
      return {};
    });
    b.on(budgets.DeleteSubscriberCommand).callsFake(async (i) => {
      const n = this.notification(this.budget(i.BudgetName), i.Notification);
      n.subscribers = n.subscribers.filter((s) => s.Address !== i.Subscriber.Address);
      return {};
    });
    const byArn = (arn: string) => this.budget(arn.split('/').pop()!);
    b.on(budgets.ListTagsForResourceCommand).callsFake(async (i) => ({
      ResourceTags: Object.entries(byArn(i.ResourceARN).tags).map(([Key, Value]) => ({ Key, Value })),
    }));
    b.on(budgets.TagResourceCommand).callsFake(async (i) => {
      Object.assign(
        byArn(i.ResourceARN).tags,
        Object.fromEntries(i.ResourceTags.map((t: budgets.ResourceTag) => [t.Key, t.Value])),
      );
      return {};
    });

    const c = mocks.cloudWatch;
    c.on(cw.GetDashboardCommand).callsFake(async (i) => {
      const body = this.dashboards.get(i.DashboardName);
      if (body === undefined)
        throw new cw.DashboardNotFoundError({
          message: `Dashboard ${i.DashboardName} does not exist`,
          $metadata: meta(404),
        });
      return {
        DashboardName: i.DashboardName,
        DashboardArn: `arn:aws:cloudwatch::123456789012:dashboard/${i.DashboardName}`,
        DashboardBody: body,
      };
    });
    c.on(cw.PutDashboardCommand).callsFake(async (i) => {
      this.dashboards.set(i.DashboardName, i.DashboardBody);
      return { DashboardValidationMessages: [] };
    });
    c.on(cw.DeleteDashboardsCommand).callsFake(async (i) => {
      for (const n of i.DashboardNames) {
        if (!this.dashboards.delete(n))
          throw new cw.DashboardNotFoundError({ message: `Dashboard ${n} does not exist`, $metadata: meta(404) });
      }
      return {};
    });

    const s = mocks.sagemaker;
    s.on(ListTagsCommand).callsFake(async (i) => ({
      Tags: Object.entries(this.endpointTags.get(this.endpointName(i.ResourceArn)) ?? {}).map(([Key, Value]) => ({
        Key,
        Value,
      })),
    }));
    s.on(AddTagsCommand).callsFake(async (i) => {
      const name = this.endpointName(i.ResourceArn);
      this.endpointTags.set(name, {
        ...this.endpointTags.get(name),
        ...Object.fromEntries(i.Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value])),
      });
      return { Tags: i.Tags };
    });
    return this;
  }

  /** State to compare between runs; the record's time and identity differ per run by design. */
  snapshot(): unknown {
    return {
      budgets: [...this.budgets.entries()].map(([name, x]) => ({
        name,
        limit: x.budget.BudgetLimit,
        filter: x.budget.FilterExpression,
        notifications: x.notifications,
        tags: x.tags,
      })),
      dashboards: [...this.dashboards.entries()],
      endpointTags: [...this.endpointTags.entries()]
        .filter(([name]) => this.endpointExists(name))
        .map(([name, tags]) => [
          name,
          Object.fromEntries(Object.entries(tags).filter(([k]) => !/deployed-(at|by)$/.test(k))),
        ]),
    };
  }
}
