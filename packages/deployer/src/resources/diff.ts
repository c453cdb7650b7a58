// Field-by-field comparison shared by the resource modules' pure `plan`.
import { canonicalJson } from '../naming.js';
import type { ChangeAction, FieldDiff, PlannedChange } from './resource.js';

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Diffs of `fields` between desired and observed (observed values may be undefined). */
export function diffFields<T extends object>(
  desired: T,
  observed: { [K in keyof T]?: unknown },
  fields: readonly (keyof T & string)[],
): FieldDiff[] {
  return fields
    .filter((f) => !sameValue(desired[f], observed[f]))
    .map((field) => ({ field, from: observed[field], to: desired[field] }));
}

/** Every desired field as a diff from nothing (a create). */
export function creationDiffs<T extends object>(desired: T, fields: readonly (keyof T & string)[]): FieldDiff[] {
  return fields.map((field) => ({ field, from: undefined, to: desired[field] }));
}

export function change(kind: string, name: string, action: ChangeAction, diffs: FieldDiff[] = []): PlannedChange {
  return { kind, name, action, diffs };
}

/** create when missing, update when any field differs, else no-change. */
export function planFields<T extends object>(
  kind: string,
  name: string,
  desired: T,
  observed: { [K in keyof T]?: unknown } | undefined,
  fields: readonly (keyof T & string)[],
): PlannedChange {
  if (observed === undefined) return change(kind, name, 'create', creationDiffs(desired, fields));
  const diffs = diffFields(desired, observed, fields);
  return change(kind, name, diffs.length ? 'update' : 'no-change', diffs);
}

export function differs(plan: PlannedChange, field: string): boolean {
  return plan.action === 'create' || plan.diffs.some((d) => d.field === field);
}
