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
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(releaseSchema());
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

function describe(e: ErrorObject): { yamlPath: string; reason: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { yamlPath: toYamlPath(e.instancePath, String(p.missingProperty)), reason: 'is required' };
    case 'additionalProperties':
      return {
        yamlPath: toYamlPath(e.instancePath, String(p.additionalProperty)),
        reason: 'is not a known field (check the spelling)',
      };
    case 'propertyNames':
      return {
        yamlPath: toYamlPath(e.instancePath, String(p.propertyName)),
        reason: 'is not an allowed name (dev, qa, staging, prod)',
      };
    case 'enum':
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

// propertyNames reports the same bad key twice (the enum inside + the wrapper);
// `if` only repeats that its then/else branch failed.
function meaningful(errors: ErrorObject[]): ErrorObject[] {
  const hasNames = errors.some((e) => e.keyword === 'propertyNames');
  const named = hasNames ? errors.filter((e) => !(e.keyword === 'enum' && e.propertyName !== undefined)) : errors;
  return named.filter((e) => e.keyword !== 'if');
}

/** Mutates `data` (fills defaults) and returns it typed as validated. */
export function validateRelease(data: unknown): unknown {
  const validate = validator();
  if (validate(data)) return data;
  const problems = meaningful(validate.errors ?? []).map(describe);
  const [first, ...rest] = problems;
  const more = rest.length
    ? ` (and ${rest.length} more: ${rest.map((r) => `${r.yamlPath} ${r.reason}`).join('; ')})`
    : '';
  throw new DeployerError('MS_DEPLOY_RELEASE_INVALID', {
    yamlPath: first?.yamlPath ?? '(top level)',
    reason: `${first?.reason ?? 'is invalid'}${more}`,
  });
}
