// AWS Budgets: a monthly cost budget per environment, filtered by the cost
// allocation tags model-service:model and model-service:env, that emails when
// actual spend crosses release.yaml's thresholds. Optional: without `budget` in
// release.yaml this module makes no call at all (Budgets needs its own
// permissions, and not every account wants one). Budgets is a global service.
import {
  CreateBudgetCommand,
  CreateNotificationCommand,
  CreateSubscriberCommand,
  DeleteBudgetCommand,
  DeleteNotificationCommand,
  DeleteSubscriberCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateBudgetCommand,
  type Budget,
  type Expression,
  type Notification,
} from '@aws-sdk/client-budgets';
import { ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import type { BudgetConfig } from '../release/types.js';
import { hasTags, tagList, TAG_ENV, TAG_MODEL } from '../tags.js';
import { change, sameValue } from './diff.js';
import type { FieldDiff, ResourceModule, StatusReport } from './resource.js';

const KIND = 'budget';
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export interface BudgetAlert {
  /** Percent of the monthly limit (actual spend). */
  percent: number;
  emails: string[];
}

export interface BudgetDesired {
  name: string;
  accountId: string;
  arn: string;
  /** Undefined: release.yaml asks for no budget (no call is made). */
  spec?: {
    limitUsd: number;
    filter: Expression;
    alerts: BudgetAlert[];
  };
  tags: Record<string, string>;
}

export interface BudgetObserved {
  limitUsd: number;
  filter?: Expression;
  /** Our alerts (ACTUAL, GREATER_THAN, PERCENTAGE), by percent. */
  alerts: BudgetAlert[];
  tags: Record<string, string>;
  /** This period's spend as Budgets calculated it (status shows it; plan does not compare it). */
  actualUsd?: number;
  forecastUsd?: number;
}

/** What `status` shows: the limit and this month's spend, only when release.yaml has a budget. */
export interface BudgetStatus {
  name: string;
  /** release.yaml has a budget (without one, no Budgets call is made). */
  configured: boolean;
  exists?: boolean;
  limitUsd?: number;
  actualUsd?: number;
  forecastUsd?: number;
}

const amountUsd = (amount: string | undefined) => (amount === undefined ? undefined : Number(amount));

/** The env's budget: environments.<env>.budget, else the top-level one. */
export function budgetConfig(ctx: DeployContext): BudgetConfig | undefined {
  return ctx.env.budget ?? ctx.release.budget;
}

/** Who gets the alert: budget.alertEmails, else model.owner when it is an email. */
export function alertEmails(ctx: DeployContext, config: BudgetConfig): string[] {
  if (config.alertEmails) return [...config.alertEmails].sort();
  const owner = ctx.release.model.owner;
  return owner && EMAIL.test(owner) ? [owner] : [];
}

/** Costs of resources tagged with this model AND this env (the cost allocation tags). */
export function costFilter(ctx: DeployContext): Expression {
  const tag = (Key: string, value: string): Expression => ({
    Tags: { Key, Values: [value], MatchOptions: ['EQUALS'] },
  });
  return { And: [tag(TAG_MODEL, ctx.release.model.name), tag(TAG_ENV, ctx.envName)] };
}

export function budgetName(ctx: DeployContext): string {
  return `${ctx.names.prefix}-monthly`;
}

function notification(percent: number): Notification {
  return {
    NotificationType: 'ACTUAL',
    ComparisonOperator: 'GREATER_THAN',
    Threshold: percent,
    ThresholdType: 'PERCENTAGE',
  };
}

const emailSubscribers = (emails: readonly string[]) =>
  emails.map((Address) => ({ SubscriptionType: 'EMAIL' as const, Address }));

function budgetBody(d: BudgetDesired): Budget {
  return {
    BudgetName: d.name,
    BudgetType: 'COST',
    TimeUnit: 'MONTHLY',
    BudgetLimit: { Amount: d.spec!.limitUsd.toFixed(2), Unit: 'USD' },
    FilterExpression: d.spec!.filter,
  };
}

// Budgets keeps cents: compare in cents so 50.123 does not plan an update forever.
const sameUsd = (a: number, b: number) => Math.round(a * 100) === Math.round(b * 100);

const ours = (n: Notification) =>
  n.NotificationType === 'ACTUAL' &&
  n.ComparisonOperator === 'GREATER_THAN' &&
  (n.ThresholdType ?? 'PERCENTAGE') === 'PERCENTAGE';
const byPercent = (alerts: BudgetAlert[]) => new Map(alerts.map((a) => [a.percent, a]));

export const budget: ResourceModule<BudgetDesired, BudgetObserved> &
  StatusReport<BudgetDesired, BudgetObserved, BudgetStatus> = {
  kind: KIND,

  status(d, o) {
    if (!d.spec) return { name: d.name, configured: false };
    if (!o) return { name: d.name, configured: true, exists: false };
    const { limitUsd, actualUsd, forecastUsd } = o;
    return { name: d.name, configured: true, exists: true, limitUsd, actualUsd, forecastUsd };
  },

  desired(ctx) {
    const config = budgetConfig(ctx);
    const name = budgetName(ctx);
    const emails = config ? alertEmails(ctx, config) : [];
    return {
      name,
      accountId: ctx.account.accountId,
      arn: `arn:${ctx.account.partition}:budgets::${ctx.account.accountId}:budget/${name}`,
      spec: config && {
        limitUsd: config.monthlyUsd,
        filter: costFilter(ctx),
        // Without a recipient a notification cannot exist: the budget then only tracks spend.
        alerts: emails.length
          ? [...config.alertAtPercent].sort((a, b) => a - b).map((percent) => ({ percent, emails }))
          : [],
      },
      tags: { ...ctx.tags },
    };
  },

  async observe(ctx, d) {
    if (!d.spec) return undefined;
    const b = ctx.clients.budgets;
    const found = await b
      .send(new DescribeBudgetCommand({ AccountId: d.accountId, BudgetName: d.name }))
      .catch(ifMissing(undefined));
    if (!found?.Budget) return undefined;
    const listed = await b
      .send(new DescribeNotificationsForBudgetCommand({ AccountId: d.accountId, BudgetName: d.name, MaxResults: 100 }))
      .catch(ifMissing(undefined));
    const alerts: BudgetAlert[] = [];
    for (const n of (listed?.Notifications ?? []).filter(ours)) {
      const subs = await b
        .send(
          new DescribeSubscribersForNotificationCommand({
            AccountId: d.accountId,
            BudgetName: d.name,
            Notification: n,
            MaxResults: 100,
          }),
        )
        .catch(ifMissing(undefined));
      const emails = (subs?.Subscribers ?? [])
        .filter((s) => s.SubscriptionType === 'EMAIL')
        .map((s) => s.Address!)
        .sort();
      alerts.push({ percent: n.Threshold!, emails });
    }
    const tags = await b.send(new ListTagsForResourceCommand({ ResourceARN: d.arn }));
    return {
      limitUsd: Number(found.Budget.BudgetLimit?.Amount ?? NaN),
      filter: found.Budget.FilterExpression,
      alerts: alerts.sort((a, b2) => a.percent - b2.percent),
      tags: Object.fromEntries((tags.ResourceTags ?? []).map((t) => [t.Key!, t.Value!])),
      actualUsd: amountUsd(found.Budget.CalculatedSpend?.ActualSpend?.Amount),
      forecastUsd: amountUsd(found.Budget.CalculatedSpend?.ForecastedSpend?.Amount),
    };
  },

  plan(d, o) {
    if (!d.spec) return change(KIND, d.name, 'no-change');
    const want = { limitUsd: d.spec.limitUsd, filter: d.spec.filter, alerts: d.spec.alerts };
    if (!o)
      return change(
        KIND,
        d.name,
        'create',
        Object.entries(want).map(([field, to]) => ({ field, from: undefined, to })),
      );
    const diffs: FieldDiff[] = [];
    if (!sameUsd(o.limitUsd, d.spec.limitUsd)) diffs.push({ field: 'limitUsd', from: o.limitUsd, to: d.spec.limitUsd });
    if (!sameValue(o.filter, d.spec.filter)) diffs.push({ field: 'filter', from: o.filter, to: d.spec.filter });
    if (!sameValue(o.alerts, d.spec.alerts)) diffs.push({ field: 'alerts', from: o.alerts, to: d.spec.alerts });
    if (!hasTags(o.tags, d.tags)) diffs.push({ field: 'tags', from: o.tags, to: d.tags });
    return change(KIND, d.name, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d, o) {
    const out: Record<string, string> = d.spec ? { budgetName: d.name } : {};
    if (!d.spec || plan.action === 'no-change') return out;
    const b = ctx.clients.budgets;
    const base = { AccountId: d.accountId, BudgetName: d.name };
    if (plan.action === 'create' || !o) {
      await b.send(
        new CreateBudgetCommand({
          AccountId: d.accountId,
          Budget: budgetBody(d),
          NotificationsWithSubscribers: d.spec.alerts.map((a) => ({
            Notification: notification(a.percent),
            Subscribers: emailSubscribers(a.emails),
          })),
          ResourceTags: tagList(d.tags),
        }),
      );
      return out;
    }
    const changed = (field: string) => plan.diffs.some((x) => x.field === field);
    if (changed('limitUsd') || changed('filter')) {
      await b.send(new UpdateBudgetCommand({ AccountId: d.accountId, NewBudget: budgetBody(d) }));
    }
    if (changed('alerts')) {
      const want = byPercent(d.spec.alerts);
      const have = byPercent(o.alerts);
      for (const [percent] of have) {
        if (!want.has(percent))
          await b
            .send(new DeleteNotificationCommand({ ...base, Notification: notification(percent) }))
            .catch(ifMissing(undefined));
      }
      for (const [percent, alert] of want) {
        const current = have.get(percent);
        if (!current) {
          await b.send(
            new CreateNotificationCommand({
              ...base,
              Notification: notification(percent),
              Subscribers: emailSubscribers(alert.emails),
            }),
          );
          continue;
        }
        for (const email of alert.emails.filter((e) => !current.emails.includes(e))) {
          await b.send(
            new CreateSubscriberCommand({
              ...base,
              Notification: notification(percent),
              Subscriber: { SubscriptionType: 'EMAIL', Address: email },
            }),
          );
        }
        for (const email of current.emails.filter((e) => !alert.emails.includes(e))) {
          await b
            .send(
              new DeleteSubscriberCommand({
                ...base,
                Notification: notification(percent),
                Subscriber: { SubscriptionType: 'EMAIL', Address: email },
              }),
            )
            .catch(ifMissing(undefined));
        }
      }
    }
    if (changed('tags')) {
      await b.send(new TagResourceCommand({ ResourceARN: d.arn, ResourceTags: tagList(d.tags) }));
    }
    return out;
  },

  /** Deletes the budget (and its notifications) when release.yaml has one. */
  async destroy(ctx, d) {
    if (!d.spec) return;
    await ctx.clients.budgets
      .send(new DeleteBudgetCommand({ AccountId: d.accountId, BudgetName: d.name }))
      .catch(ifMissing(undefined));
  },
};
