// Rule-based answers for when the endpoint is down (503/504). Rules come from the
// MS_FALLBACK_RULES env var as JSON, checked once at cold start:
//   {"rules":[{"field":"petal_length","op":"lt","value":2.5,"prediction":"setosa"}],
//    "default":"versicolor"}
// Each instance gets the prediction of the first matching rule, else the default.
export type FallbackOp = 'lt' | 'lte' | 'gt' | 'gte' | 'eq' | 'neq';

export interface FallbackRule {
  field: string;
  op: FallbackOp;
  value: unknown;
  prediction: unknown;
}

export interface FallbackRules {
  rules: FallbackRule[];
  default: unknown;
}

const OPS: Record<FallbackOp, (a: unknown, b: unknown) => boolean> = {
  lt: (a, b) => typeof a === 'number' && typeof b === 'number' && a < b,
  lte: (a, b) => typeof a === 'number' && typeof b === 'number' && a <= b,
  gt: (a, b) => typeof a === 'number' && typeof b === 'number' && a > b,
  gte: (a, b) => typeof a === 'number' && typeof b === 'number' && a >= b,
  eq: (a, b) => a === b,
  neq: (a, b) => a !== b,
};

/** Throws a message naming the bad part; the handler turns it into MS_PROXY_CONFIG. */
export function parseFallbackRules(json: string | undefined): FallbackRules | undefined {
  if (json === undefined || json.trim() === '') return undefined;
  const parsed = JSON.parse(json) as Partial<FallbackRules>;
  if (typeof parsed !== 'object' || parsed === null || !('default' in parsed)) {
    throw new Error('MS_FALLBACK_RULES needs a "default" prediction');
  }
  const rules = parsed.rules ?? [];
  if (!Array.isArray(rules)) throw new Error('MS_FALLBACK_RULES.rules must be an array');
  rules.forEach((rule, i) => {
    if (typeof rule?.field !== 'string' || !(rule.op in OPS) || !('prediction' in rule)) {
      throw new Error(
        `MS_FALLBACK_RULES.rules[${i}] needs field (string), op (${Object.keys(OPS).join('|')}) and prediction`,
      );
    }
  });
  return { rules, default: parsed.default };
}

function fieldOf(instance: unknown, field: string): unknown {
  if (typeof instance === 'object' && instance !== null) return (instance as Record<string, unknown>)[field];
  return undefined;
}

/** Predictions for the request's instances, or undefined when the body has none. */
export function fallbackPredictions(rules: FallbackRules, body: unknown): unknown[] | undefined {
  const instances = (body as { instances?: unknown })?.instances;
  if (!Array.isArray(instances)) return undefined;
  return instances.map((instance) => {
    const hit = rules.rules.find((rule) => OPS[rule.op](fieldOf(instance, rule.field), rule.value));
    return hit ? hit.prediction : rules.default;
  });
}
