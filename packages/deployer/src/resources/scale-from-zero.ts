// Scale from zero for an async endpoint whose autoscaling.minCapacity is 0. Target
// tracking on the backlog per instance cannot act at zero instances (there is no
// instance to divide by), so queued requests would wait until the backlog passed
// the target. AWS's pattern for async endpoints: a step-scaling policy that adds one
// instance, fired by a CloudWatch alarm on HasBacklogWithoutCapacity (1 while
// requests are queued and no instance runs). The policy must exist first: the
// alarm names it by the ARN PutScalingPolicy returns.
import {
  DeleteScalingPolicyCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  type StepScalingPolicyConfiguration,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import { tagList, type TagMap } from '../tags.js';
import { comparable, type AlarmSpec } from './alarms.js';
import { change, sameValue } from './diff.js';
import type { FieldDiff, ResourceModule, StatusReport } from './resource.js';
import { SCALABLE_DIMENSION } from './sagemaker-endpoint.js';

const KIND = 'scale-from-zero';

export interface ScaleFromZeroDesired {
  /** Async, autoscaling enabled and minCapacity 0; otherwise whatever exists is removed. */
  enabled: boolean;
  resourceId: string;
  policyName: string;
  policy: StepScalingPolicyConfiguration;
  /** Without AlarmActions: those are the policy's ARN, known once it exists. */
  alarm: AlarmSpec;
  tags: TagMap;
}

export interface ScaleFromZeroObserved {
  policyArn?: string;
  policy?: StepScalingPolicyConfiguration;
  alarm?: MetricAlarm;
}

/** One instance at a time; the cooldown covers an instance's start, so a slow start does not add a second. */
export function stepPolicy(): StepScalingPolicyConfiguration {
  return {
    AdjustmentType: 'ChangeInCapacity',
    MetricAggregationType: 'Average',
    Cooldown: 300,
    StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
  };
}

export function backlogWithoutCapacityAlarm(ctx: DeployContext): AlarmSpec {
  return {
    AlarmName: ctx.names.backlogWithoutCapacityAlarm,
    AlarmDescription: `model-service: requests are queued for ${ctx.names.endpoint} and no instance runs; starts one (async scale from zero)`,
    ActionsEnabled: true,
    Namespace: 'AWS/SageMaker',
    MetricName: 'HasBacklogWithoutCapacity',
    Dimensions: [{ Name: 'EndpointName', Value: ctx.names.endpoint }],
    Statistic: 'Average',
    Period: 60,
    EvaluationPeriods: 2,
    DatapointsToAlarm: 2,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    // SageMaker publishes nothing while nothing is queued: that is not a reason to scale.
    TreatMissingData: 'missing',
  };
}

export function needsScaleFromZero(ctx: DeployContext): boolean {
  const a = ctx.env.autoscaling;
  return ctx.env.async !== undefined && a.enabled && a.minCapacity === 0;
}

function target(d: ScaleFromZeroDesired) {
  return { ServiceNamespace: 'sagemaker' as const, ResourceId: d.resourceId, ScalableDimension: SCALABLE_DIMENSION };
}

/** The fields we set, as AWS describes them (it adds nothing here, but keep the comparison to these). */
function comparablePolicy(p: StepScalingPolicyConfiguration | undefined) {
  return (
    p && {
      AdjustmentType: p.AdjustmentType,
      MetricAggregationType: p.MetricAggregationType,
      Cooldown: p.Cooldown,
      StepAdjustments: p.StepAdjustments?.map((s) => ({
        MetricIntervalLowerBound: s.MetricIntervalLowerBound,
        MetricIntervalUpperBound: s.MetricIntervalUpperBound,
        ScalingAdjustment: s.ScalingAdjustment,
      })),
    }
  );
}

function policyDiffs(d: ScaleFromZeroDesired, o: ScaleFromZeroObserved | undefined): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  if (!sameValue(comparablePolicy(d.policy), comparablePolicy(o?.policy)))
    diffs.push({ field: 'policy', from: o?.policy ? 'step +1' : undefined, to: 'step +1' });
  const alarmMatches =
    o?.alarm !== undefined &&
    sameValue(comparable(d.alarm), comparable(o.alarm)) &&
    o.policyArn !== undefined &&
    sameValue(o.alarm.AlarmActions ?? [], [o.policyArn]);
  if (!alarmMatches)
    diffs.push({ field: 'alarm', from: o?.alarm?.MetricName, to: `${d.alarm.MetricName} >= ${d.alarm.Threshold}` });
  return diffs;
}

async function deleteBoth(ctx: DeployContext, d: ScaleFromZeroDesired): Promise<void> {
  // The alarm first: it never points at a policy that is gone.
  await ctx.clients.cloudWatch
    .send(new DeleteAlarmsCommand({ AlarmNames: [d.alarm.AlarmName!] }))
    .catch(ifMissing(undefined));
  await ctx.clients.autoScaling
    .send(new DeleteScalingPolicyCommand({ ...target(d), PolicyName: d.policyName }))
    .catch(ifMissing(undefined));
}

/** What `status` shows: the alarm that starts an instance at zero, and whether its policy is there. */
export interface ScaleFromZeroStatus {
  /** release.yaml asks for it (async, autoscaling enabled, minCapacity 0). */
  configured: boolean;
  name: string;
  /** Policy and alarm both exist, the alarm acting on the policy. */
  exists: boolean;
  /** OK | ALARM | INSUFFICIENT_DATA (ALARM: requests wait and an instance is being started). */
  alarmState?: string;
}

export const scaleFromZero: ResourceModule<ScaleFromZeroDesired, ScaleFromZeroObserved> &
  StatusReport<ScaleFromZeroDesired, ScaleFromZeroObserved, ScaleFromZeroStatus> = {
  kind: KIND,

  status(d, observed) {
    return {
      configured: d.enabled,
      name: d.alarm.AlarmName!,
      exists: observed !== undefined && policyDiffs(d, observed).length === 0,
      ...(observed?.alarm?.StateValue ? { alarmState: observed.alarm.StateValue } : {}),
    };
  },

  desired(ctx) {
    return {
      enabled: needsScaleFromZero(ctx),
      resourceId: ctx.names.scalableResourceId,
      policyName: ctx.names.scaleFromZeroPolicy,
      policy: stepPolicy(),
      alarm: backlogWithoutCapacityAlarm(ctx),
      tags: ctx.tags,
    };
  },

  async observe(ctx, d) {
    const policies = await ctx.clients.autoScaling.send(
      new DescribeScalingPoliciesCommand({ ...target(d), PolicyNames: [d.policyName] }),
    );
    const policy = policies.ScalingPolicies?.find((p) => p.PolicyName === d.policyName);
    const alarms = await ctx.clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [d.alarm.AlarmName!], AlarmTypes: ['MetricAlarm'] }),
    );
    const alarm = alarms.MetricAlarms?.find((a) => a.AlarmName === d.alarm.AlarmName);
    if (!policy && !alarm) return undefined;
    return {
      ...(policy ? { policyArn: policy.PolicyARN, policy: policy.StepScalingPolicyConfiguration } : {}),
      ...(alarm ? { alarm } : {}),
    };
  },

  plan(d, observed) {
    const name = `${d.policyName}, ${d.alarm.AlarmName}`;
    if (!d.enabled) {
      return observed
        ? change(KIND, name, 'delete', [{ field: 'enabled', from: true, to: false }])
        : change(KIND, name, 'no-change');
    }
    const diffs = policyDiffs(d, observed);
    if (!observed) return change(KIND, name, 'create', diffs);
    return change(KIND, name, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d): Promise<Record<string, string>> {
    if (plan.action === 'delete') await deleteBoth(ctx, d);
    if (plan.action === 'create' || plan.action === 'update') {
      // Put again even when only the alarm differs: it returns the ARN the alarm must name.
      const { PolicyARN } = await ctx.clients.autoScaling.send(
        new PutScalingPolicyCommand({
          ...target(d),
          PolicyName: d.policyName,
          PolicyType: 'StepScaling',
          StepScalingPolicyConfiguration: d.policy,
        }),
      );
      await ctx.clients.cloudWatch.send(
        new PutMetricAlarmCommand({ ...d.alarm, AlarmActions: [PolicyARN!], Tags: tagList(d.tags) }),
      );
    }
    return d.enabled ? { scaleFromZeroPolicy: d.policyName, backlogWithoutCapacityAlarm: d.alarm.AlarmName! } : {};
  },

  async destroy(ctx, d) {
    await deleteBoth(ctx, d);
  },
};
