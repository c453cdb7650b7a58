// Text and JSON forms of a plan: one line per resource (create / update / no
// change / delete) and, under changed ones, each differing field.
import type { PlannedChange } from '../resources/resource.js';

const SYMBOL: Record<PlannedChange['action'], string> = { create: '+', update: '~', 'no-change': '=', delete: '-' };
const LABEL: Record<PlannedChange['action'], string> = {
  create: 'create',
  update: 'update',
  'no-change': 'no change',
  delete: 'delete',
};

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export interface PlanSummary {
  create: number;
  update: number;
  noChange: number;
  delete: number;
}

export function summarize(changes: readonly PlannedChange[]): PlanSummary {
  const count = (a: PlannedChange['action']) => changes.filter((c) => c.action === a).length;
  return { create: count('create'), update: count('update'), noChange: count('no-change'), delete: count('delete') };
}

export function renderPlan(changes: readonly PlannedChange[]): string {
  const kindWidth = Math.max(...changes.map((c) => c.kind.length), 4);
  const lines = changes.map((c) => {
    const note = c.note ? `  (${c.note})` : '';
    const head = `  ${SYMBOL[c.action]} ${LABEL[c.action].padEnd(9)}  ${c.kind.padEnd(kindWidth)}  ${c.name}${note}`;
    if (c.action === 'no-change') return head;
    return [head, ...c.diffs.map((d) => `      ${d.field}: ${show(d.from)} -> ${show(d.to)}`)].join('\n');
  });
  const s = summarize(changes);
  const tail = `${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.noChange} unchanged.`;
  return `${lines.join('\n')}\n${tail}\n`;
}

/** JSON-safe copy: placeholders stay strings, undefined becomes null. */
export function planJson(changes: readonly PlannedChange[]): unknown[] {
  return changes.map((c) => ({
    kind: c.kind,
    name: c.name,
    action: c.action,
    diffs: c.diffs.map((d) => ({ field: d.field, from: d.from ?? null, to: d.to ?? null })),
    ...(c.note ? { note: c.note } : {}),
  }));
}
