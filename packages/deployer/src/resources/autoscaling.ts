// Application Auto Scaling for the endpoint variant: a scalable target
// (min/max) and a target-tracking policy on SageMakerVariantInvocationsPerInstance,
// or neither when release.yaml disables autoscaling (deregistered if present).
import {
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

export interface ScalingDesired {
  enabled: boolean;
  resourceId: string;
  policyName: string;
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
  targetValue?: number;
  scaleOutCooldown?: number;
  scaleInCooldown?: number;
  hasPolicy: boolean;
}

const KIND = 'autoscaling';
const FIELDS = ['minCapacity', 'maxCapacity', 'targetValue', 'scaleOutCooldown', 'scaleInCooldown'] as const;
const METRIC = 'SageMakerVariantInvocationsPerInstance';

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
        PredefinedMetricSpecification: { PredefinedMetricType: METRIC },
        ScaleOutCooldown: d.scaleOutCooldown,
        ScaleInCooldown: d.scaleInCooldown,
      },
    }),
  );
}

async function deregister(ctx: DeployContext, d: ScalingDesired): Promise<void> {
  await ctx.clients.autoScaling
    .send(new DeleteScalingPolicyCommand({ ...target(d), PolicyName: d.policyName }))
    .catch(ifMissing(undefined));
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
}

export const autoscaling: ResourceModule<ScalingDesired, ScalingObserved> &
  StatusReport<ScalingDesired, ScalingObserved, ScalingStatus> = {
  kind: KIND,

  // From AWS, not release.yaml: a target left registered after `enabled: false` still shows.
  status(desired, observed) {
    const configured = desired.enabled;
    return observed
      ? { configured, enabled: true, minCapacity: observed.minCapacity, maxCapacity: observed.maxCapacity }
      : { configured, enabled: false };
  },

  desired(ctx) {
    const a = ctx.env.autoscaling;
    return {
      enabled: a.enabled,
      resourceId: ctx.names.scalableResourceId,
      policyName: ctx.names.scalingPolicy,
      minCapacity: a.minCapacity,
      maxCapacity: a.maxCapacity,
      targetValue: a.targetInvocationsPerInstance,
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
      new DescribeScalingPoliciesCommand({ ...target(d), PolicyNames: [d.policyName] }),
    );
    const p = policies.ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration;
    return {
      minCapacity: t.MinCapacity,
      maxCapacity: t.MaxCapacity,
      targetValue: p?.TargetValue,
      scaleOutCooldown: p?.ScaleOutCooldown,
      scaleInCooldown: p?.ScaleInCooldown,
      hasPolicy: p !== undefined,
    };
  },

  plan(d, observed) {
    if (!d.enabled) {
      return observed
        ? change(KIND, d.resourceId, 'delete', [{ field: 'enabled', from: true, to: false }])
        : change(KIND, d.resourceId, 'no-change');
    }
    if (!observed)
      return change(KIND, d.resourceId, 'create', creationDiffs(d, ['minCapacity', 'maxCapacity', 'targetValue']));
    const diffs = diffFields(d, observed, FIELDS);
    return change(KIND, d.resourceId, diffs.length ? 'update' : 'no-change', diffs);
  },

  async apply(ctx, plan, d): Promise<Record<string, string>> {
    if (plan.action === 'create' || plan.action === 'update') await register(ctx, d);
    if (plan.action === 'delete') await deregister(ctx, d);
    return d.enabled ? { scalableResourceId: d.resourceId, scalingPolicyName: d.policyName } : {};
  },

  async destroy(ctx, d) {
    await deregister(ctx, d);
  },
};
