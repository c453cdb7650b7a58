// Application Auto Scaling for the endpoint variant: a scalable target
// (min/max) and a target-tracking policy, or neither when release.yaml disables
// autoscaling (deregistered if present). A real-time endpoint tracks
// SageMakerVariantInvocationsPerInstance; an async one tracks the queue,
// ApproximateBacklogSizePerInstance (AWS's recommendation for async endpoints).
// Scaling an async endpoint out from zero instances is scale-from-zero.ts.
import {
  type CustomizedMetricSpecification,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { ifMissing } from '../aws/aws-error.js';
import type { DeployContext } from '../context.js';
import type { TagMap } from '../tags.js';
import { change, creationDiffs, diffFields } from './diff.js';
import type { ResourceModule, StatusReport } from './resource.js';
import { SCALABLE_DIMENSION } from './sagemaker-endpoint.js';
import { isServerless, SERVERLESS_SKIP } from './serverless.js';

export interface ScalingDesired {
  enabled: boolean;
  /** A serverless endpoint: SageMaker scales it; there is no instance count to track. */
  serverless: boolean;
  resourceId: string;
  policyName: string;
  /** The policy name of the other endpoint kind (real-time vs async): removed if AWS still has it. */
  otherPolicyName: string;
  /** What the policy tracks, as `metricLabel` renders it (compared with AWS's). */
  metric: string;
  /** Absent: the predefined invocations metric. */
  customMetric?: CustomizedMetricSpecification;
  minCapacity: number;
  maxCapacity: number;
  targetValue: number;
  /** Seconds; scale out fast, scale in slowly so a burst does not flap capacity. */
  scaleOutCooldown: number;
  scaleInCooldown: number;
  tags: TagMap;
}

export interface ScalingObserved {
  minCapacity?: number;
  maxCapacity?: number;
  metric?: string;
  /** The tracked metric's name alone (for status). */
  metricName?: string;
  /** `otherPolicyName`, when AWS has it (the environment changed kind). */
  stalePolicy?: string;
  targetValue?: number;
  scaleOutCooldown?: number;
  scaleInCooldown?: number;
  hasPolicy: boolean;
}

const KIND = 'autoscaling';
const FIELDS = ['minCapacity', 'maxCapacity', 'metric', 'targetValue', 'scaleOutCooldown', 'scaleInCooldown'] as const;
const METRIC = 'SageMakerVariantInvocationsPerInstance';

/** Queued requests per instance: SageMaker publishes it per endpoint (no variant dimension). */
export function backlogMetric(endpointName: string): CustomizedMetricSpecification {
  return {
    MetricName: 'ApproximateBacklogSizePerInstance',
    Namespace: 'AWS/SageMaker',
    Dimensions: [{ Name: 'EndpointName', Value: endpointName }],
    Statistic: 'Average',
  };
}

/** One string per tracked metric, the same for what we send and what AWS describes. */
function metricLabel(predefined: string | undefined, custom: CustomizedMetricSpecification | undefined) {
  if (predefined) return predefined;
  if (!custom) return undefined;
  const dims = (custom.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort();
  return `${custom.Namespace}/${custom.MetricName} ${dims.join(',')} ${custom.Statistic}`;
}

function target(d: ScalingDesired) {
  return { ServiceNamespace: 'sagemaker' as const, ResourceId: d.resourceId, ScalableDimension: SCALABLE_DIMENSION };
}

async function register(ctx: DeployContext, d: ScalingDesired): Promise<void> {
  await ctx.clients.autoScaling.send(
    new RegisterScalableTargetCommand({
      ...target(d),
      MinCapacity: d.minCapacity,
      MaxCapacity: d.maxCapacity,
      Tags: { ...d.tags },
    }),
  );
  await ctx.clients.autoScaling.send(
    new PutScalingPolicyCommand({
      ...target(d),
      PolicyName: d.policyName,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: d.targetValue,
        ...(d.customMetric
          ? { CustomizedMetricSpecification: d.customMetric }
          : { PredefinedMetricSpecification: { PredefinedMetricType: METRIC } }),
        ScaleOutCooldown: d.scaleOutCooldown,
        ScaleInCooldown: d.scaleInCooldown,
      },
    }),
  );
}

async function deletePolicy(ctx: DeployContext, d: ScalingDesired, policyName: string): Promise<void> {
  await ctx.clients.autoScaling
    .send(new DeleteScalingPolicyCommand({ ...target(d), PolicyName: policyName }))
    .catch(ifMissing(undefined));
}

async function deregister(ctx: DeployContext, d: ScalingDesired): Promise<void> {
  await deletePolicy(ctx, d, d.policyName);
  await ctx.clients.autoScaling.send(new DeregisterScalableTargetCommand(target(d))).catch(ifMissing(undefined));
}

/** What `status` shows: whether a scalable target is registered, and its bounds as AWS holds them. */
export interface ScalingStatus {
  /** release.yaml enables autoscaling for the env. */
  configured: boolean;
  /** A scalable target is registered (from AWS: one left after `enabled: false` still shows). */
  enabled: boolean;
  minCapacity?: number;
  maxCapacity?: number;
  /** The metric its target-tracking policy follows and the value it keeps, as AWS holds them. */
  metricName?: string;
  targetValue?: number;
  /** Why autoscaling does not apply (a serverless endpoint). */
  skipped?: string;
}

export const autoscaling: ResourceModule<ScalingDesired, ScalingObserved> &
  StatusReport<ScalingDesired, ScalingObserved, ScalingStatus> = {
  kind: KIND,

  // From AWS, not release.yaml: a target left registered after `enabled: false` still shows.
  status(desired, observed) {
    const configured = desired.enabled;
    if (!observed) return { configured, enabled: false, ...(desired.serverless ? { skipped: SERVERLESS_SKIP } : {}) };
    return {
      configured,
      enabled: true,
      minCapacity: observed.minCapacity,
      maxCapacity: observed.maxCapacity,
      ...(observed.metricName ? { metricName: observed.metricName, targetValue: observed.targetValue } : {}),
    };
  },

  desired(ctx) {
    const a = ctx.env.autoscaling;
    const async = ctx.env.async;
    const customMetric = async ? backlogMetric(ctx.names.endpoint) : undefined;
    return {
      enabled: a.enabled,
      serverless: isServerless(ctx.env),
      resourceId: ctx.names.scalableResourceId,
      policyName: async ? ctx.names.backlogScalingPolicy : ctx.names.scalingPolicy,
      otherPolicyName: async ? ctx.names.scalingPolicy : ctx.names.backlogScalingPolicy,
      metric: metricLabel(customMetric ? undefined : METRIC, customMetric)!,
      ...(customMetric ? { customMetric } : {}),
      minCapacity: a.minCapacity,
      maxCapacity: a.maxCapacity,
      targetValue: async ? async.targetBacklogPerInstance : a.targetInvocationsPerInstance,
      scaleOutCooldown: 60,
      scaleInCooldown: 300,
      tags: ctx.tags,
    };
  },

  async observe(ctx, d) {
    const targets = await ctx.clients.autoScaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'sagemaker',
        ResourceIds: [d.resourceId],
        ScalableDimension: SCALABLE_DIMENSION,
      }),
    );
    const t = targets.ScalableTargets?.[0];
    if (!t) return undefined;
    const policies = await ctx.clients.autoScaling.send(
      new DescribeScalingPoliciesCommand({ ...target(d), PolicyNames: [d.policyName, d.otherPolicyName] }),
    );
    const found = policies.ScalingPolicies ?? [];
    const p = found.find((x) => x.PolicyName === d.policyName)?.TargetTrackingScalingPolicyConfiguration;
    const stale = found.some((x) => x.PolicyName === d.otherPolicyName);
    return {
      minCapacity: t.MinCapacity,
      maxCapacity: t.MaxCapacity,
      metric: metricLabel(p?.PredefinedMetricSpecification?.PredefinedMetricType, p?.CustomizedMetricSpecification),
      metricName:
        p?.PredefinedMetricSpecification?.PredefinedMetricType ?? p?.CustomizedMetricSpecification?.MetricName,
      ...(stale ? { stalePolicy: d.otherPolicyName } : {}),
      targetValue: p?.TargetValue,
      scaleOutCooldown: p?.ScaleOutCooldown,
      scaleInCooldown: p?.ScaleInCooldown,
      hasPolicy: p !== undefined,
    };
  },

  plan(d, observed) {
    if (!d.enabled) {
      if (observed) return change(KIND, d.resourceId, 'delete', [{ field: 'enabled', from: true, to: false }]);
      const unchanged = change(KIND, d.resourceId, 'no-change');
      return d.serverless ? { ...unchanged, note: SERVERLESS_SKIP } : unchanged;
    }
    if (!observed)
      return change(KIND, d.resourceId, 'create', creationDiffs(d, ['minCapacity', 'maxCapacity', 'targetValue']));
    const diffs = diffFields(d, observed, FIELDS);
    if (observed.stalePolicy) diffs.push({ field: 'policyName', from: observed.stalePolicy, to: d.policyName });
    return change(KIND, d.resourceId, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d): Promise<Record<string, string>> {
    if (plan.action === 'create' || plan.action === 'update') await register(ctx, d);
    // After the new policy is in place, so the variant is never left without one.
    const stale = plan.diffs.find((x) => x.field === 'policyName')?.from;
    if (typeof stale === 'string') await deletePolicy(ctx, d, stale);
    if (plan.action === 'delete') await deregister(ctx, d);
    return d.enabled ? { scalableResourceId: d.resourceId, scalingPolicyName: d.policyName } : {};
  },

  async destroy(ctx, d) {
    await deregister(ctx, d);
  },
};
