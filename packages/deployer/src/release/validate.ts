// Step 3: JSON Schema validation with Ajv; fills defaults in place. The schema is
// compiled once per process (not per call).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { DeployerError } from '../errors.js';

const SCHEMA_URL = new URL('../../schema/release.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

export function releaseSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  // verbose: errors carry their schema, whose property names feed "did you mean".
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true }).compile(releaseSchema());
  return compiled;
}

/** `/environments/prod/instanceCount` -> `environments.prod.instanceCount`. */
export function toYamlPath(instancePath: string, property?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (property !== undefined) parts.push(property);
  return parts.length === 0
    ? '(top level)'
    : parts
        .map((p) => (/^\d+$/.test(p) ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
}

interface Problem {
  readonly yamlPath: string;
  readonly reason: string;
  /** An unknown key's likely intended name, if one is close. */
  readonly suggestion?: string;
}

function describe(e: ErrorObject): Problem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { yamlPath: toYamlPath(e.instancePath, String(p.missingProperty)), reason: 'is required' };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return unknownName(toYamlPath(e.instancePath, key), key, known, 'is not a known field');
    }
    case 'propertyNames':
      return { yamlPath: toYamlPath(e.instancePath, String(p.propertyName)), reason: 'is not an allowed name' };
    case 'enum':
      if (e.propertyName !== undefined) {
        // An environment name outside the allowed list (propertyNames' inner enum).
        const allowed = (p.allowedValues as unknown[]).map(String);
        return unknownName(
          toYamlPath(e.instancePath, e.propertyName),
          e.propertyName,
          allowed,
          'is not an allowed name',
        );
      }
      return {
        yamlPath: toYamlPath(e.instancePath),
        reason: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`,
      };
    case 'const':
      return { yamlPath: toYamlPath(e.instancePath), reason: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'false schema':
      // Only the serverless `then` forbids fields (schema: environment if/then).
      return {
        yamlPath: toYamlPath(e.instancePath),
        reason:
          'cannot be set on a serverless environment (SageMaker Serverless has no instances to size, scale or encrypt): remove it, or remove serverless',
      };
    case 'pattern':
      return { yamlPath: toYamlPath(e.instancePath), reason: `does not match ${String(p.pattern)}` };
    default:
      return { yamlPath: toYamlPath(e.instancePath), reason: e.message ?? e.keyword };
  }
}

function unknownName(yamlPath: string, key: string, known: string[], what: string): Problem {
  const suggestion = closest(key, known);
  if (suggestion) return { yamlPath, reason: `${what}: did you mean "${suggestion}"?`, suggestion };
  return { yamlPath, reason: known.length ? `${what}; known here: ${known.join(', ')}` : what };
}

/** The known name within a small edit distance (typos, case), if exactly one is closest. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The most useful first: a misspelt key explains the rest, so unknown names lead and
 * the "is required" its correct spelling would have satisfied is dropped.
 */
function byUsefulness(problems: Problem[]): Problem[] {
  const meant = new Set(
    problems
      .filter((p) => p.suggestion)
      .map((p) => `${p.yamlPath.slice(0, p.yamlPath.lastIndexOf('.') + 1)}${p.suggestion}`),
  );
  const rank = (p: Problem): number => (p.reason.startsWith('is not a') ? 0 : p.reason === 'is required' ? 1 : 2);
  return problems
    .filter((p) => !(p.reason === 'is required' && meant.has(p.yamlPath)))
    .sort((a, b) => rank(a) - rank(b));
}

// propertyNames reports the same bad key twice (the wrapper + the enum inside, which
// carries the allowed names); `if` only repeats that its then/else branch failed.
function meaningful(errors: ErrorObject[]): ErrorObject[] {
  const hasInner = errors.some((e) => e.keyword === 'enum' && e.propertyName !== undefined);
  const named = hasInner ? errors.filter((e) => e.keyword !== 'propertyNames') : errors;
  return named.filter((e) => e.keyword !== 'if');
}

/** Mutates `data` (fills defaults) and returns it typed as validated. */
export function validateRelease(data: unknown): unknown {
  const validate = validator();
  if (validate(data)) return data;
  const problems = byUsefulness(meaningful(validate.errors ?? []).map(describe));
  const [first, ...rest] = problems;
  const more = rest.length
    ? ` (and ${rest.length} more: ${rest.map((r) => `${r.yamlPath} ${r.reason}`).join('; ')})`
    : '';
  throw new DeployerError('MS_DEPLOY_RELEASE_INVALID', {
    yamlPath: first?.yamlPath ?? '(top level)',
    reason: `${first?.reason ?? 'is invalid'}${more}`,
  });
}
