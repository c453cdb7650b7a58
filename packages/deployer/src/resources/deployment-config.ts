// How every update of an existing endpoint reaches it: SageMaker's blue/green
// update (canary / linear / all-at-once from release.yaml promotion) with
// auto-rollback on the env's alarms. `up` and `promote` use it alike, so an
// update of prod cannot skip the canary or the alarms; `rollback` keeps the
// blue/green policy and drops the alarms (see commands/rollback.ts).
import type { DeploymentConfig } from '@aws-sdk/client-sagemaker';
import type { DeployContext } from '../context.js';
import type { ReleaseConfig } from '../release/types.js';

/** SageMaker's smallest LinearStepSize (10-50% of the variant's capacity). */
export const LINEAR_MIN_PERCENT = 10;

type Strategy = ReleaseConfig['promotion']['strategy'];

/** The share (percent) of traffic the new fleet takes in its first bake: what a canary alarm must see undiluted. */
export function firstStepPercent(release: ReleaseConfig, strategy: Strategy = release.promotion.strategy): number {
  const { canaryPercent } = release.promotion;
  if (strategy === 'all-at-once') return 100;
  // SageMaker takes linear steps of 10-50% only (a canary may be smaller).
  return strategy === 'linear' ? Math.max(LINEAR_MIN_PERCENT, canaryPercent) : canaryPercent;
}

/** The alarms SageMaker watches during the bake: the SLO alarms, plus the canary-scaled ones when a step is partial. */
export function rollbackAlarmNames(ctx: DeployContext, strategy: Strategy = ctx.release.promotion.strategy): string[] {
  const names = [ctx.names.errorRateAlarm, ctx.names.latencyAlarm];
  if (firstStepPercent(ctx.release, strategy) < 100)
    names.push(ctx.names.canaryErrorRateAlarm, ctx.names.canaryLatencyAlarm);
  return names;
}

/** Blue/green traffic shifting per release.yaml promotion, auto-rollback on the env's alarms. */
export function deploymentConfig(
  ctx: DeployContext,
  strategy: Strategy = ctx.release.promotion.strategy,
): DeploymentConfig {
  const { canaryPercent, waitMinutes } = ctx.release.promotion;
  const wait = Math.min(3600, Math.max(0, Math.round(waitMinutes * 60)));
  const percent = firstStepPercent(ctx.release, strategy);
  if (strategy === 'linear' && percent !== canaryPercent)
    ctx.log.warn(
      `promotion.canaryPercent ${canaryPercent} is below SageMaker's ${LINEAR_MIN_PERCENT}% minimum linear step; shifting ${LINEAR_MIN_PERCENT}% per step`,
    );
  const step = { Type: 'CAPACITY_PERCENT' as const, Value: percent };
  const routing =
    strategy === 'canary'
      ? { Type: 'CANARY' as const, WaitIntervalInSeconds: wait, CanarySize: step }
      : strategy === 'linear'
        ? { Type: 'LINEAR' as const, WaitIntervalInSeconds: wait, LinearStepSize: step }
        : { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: wait };
  const steps = strategy === 'linear' ? Math.ceil(100 / percent) : strategy === 'canary' ? 2 : 1;
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      // Keep the old fleet a while after the shift, so an alarm can still roll back.
      TerminationWaitInSeconds: Math.min(3600, wait),
      MaximumExecutionTimeoutInSeconds: Math.min(28800, Math.max(600, wait * (steps + 2) + 1800)),
    },
    AutoRollbackConfiguration: {
      Alarms: rollbackAlarmNames(ctx, strategy).map((AlarmName) => ({ AlarmName })),
    },
  };
}
