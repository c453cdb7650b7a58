// How fast the rollback alarms can fire: one datapoint a minute, ALARM when 2
// of the last 3 breach. The promotion bake time (promotion.waitMinutes) must be
// at least this long, or SageMaker shifts all traffic before an alarm can trip.
export const ALARM_PERIOD_SECONDS = 60;
// Alarm when 2 of the last 3 minutes breach: one slow minute is noise, two is a trend.
export const ALARM_WINDOW = { EvaluationPeriods: 3, DatapointsToAlarm: 2 } as const;
/** CloudWatch publishes SageMaker's per-minute metrics with a delay; the bake time covers it. */
export const METRIC_DELAY_SECONDS = 60;

/** The shortest bake time (minutes) in which a breach seen from its start can put an alarm in ALARM. */
export function minimumWaitMinutes(): number {
  return Math.ceil((ALARM_PERIOD_SECONDS * ALARM_WINDOW.EvaluationPeriods + METRIC_DELAY_SECONDS) / 60);
}
