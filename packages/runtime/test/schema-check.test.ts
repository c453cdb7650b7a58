// A model's schemas are checked against the JSON Schema meta-schema at start, by a validator
// compiled ahead of time (src/meta-schema-validator.generated.ts) instead of Ajv compiling the
// meta-schema at every start. It must reject what Ajv's own check rejects, and stay current.
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { RuntimeError } from '../src/errors.js';
import { isDraft07Schema } from '../src/meta-schema-validator.generated.js';
import type { JsonSchema } from '../src/types.js';
import { createValidators } from '../src/validation.js';
import { modelSum } from './fixtures/model-sum.js';
// @ts-expect-error the generator is a plain .mjs script without types
import { generate } from '../scripts/meta-schema-validator.mjs';
import { readFileSync } from 'node:fs';

const INVALID: JsonSchema[] = [
  { type: 'nubmer' },
  { minimum: 'x' },
  { required: 'a' },
  { items: 5 },
  { enum: 5 },
  { maxItems: -1 },
  { minItems: 1.5 },
  { type: 'object', additionalProperties: 'no' },
  { properties: 5 },
  { type: 'array', items: [{ type: 'number', multipleOf: 0 }] },
];
const VALID: JsonSchema[] = [
  {},
  { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
  { type: 'object', required: ['a'], properties: { a: { type: 'string', enum: ['x'] } }, additionalProperties: false },
  { type: ['number', 'null'], minimum: 0, 'x-unit': 'cm' },
  { oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^a' }], description: 'anything' },
];

describe('the precompiled meta-schema check', () => {
  const ajv = new Ajv({ strict: false });

  it.each(INVALID.map((s) => [JSON.stringify(s), s] as const))('rejects %s as Ajv does', (_, schema: JsonSchema) => {
    expect(ajv.validateSchema(schema)).toBe(false);
    expect(isDraft07Schema(schema)).toBe(false);
  });

  it.each(VALID.map((s) => [JSON.stringify(s), s] as const))('accepts %s as Ajv does', (_, schema: JsonSchema) => {
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(isDraft07Schema(schema)).toBe(true);
  });

  it('is what scripts/meta-schema-validator.mjs generates from the installed Ajv', () => {
    const committed = readFileSync(new URL('../src/meta-schema-validator.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generate());
  });
});

describe('a model whose schema breaks the meta-schema does not start', () => {
  // maxItems: -1 compiles in Ajv without the meta-schema check, and would refuse every request.
  it.each([
    ['instance', { instanceSchema: { type: 'array', maxItems: -1 } }],
    ['prediction', { predictionSchema: { type: 'object', required: 'label' } }],
  ])('names the %s schema and the problem', (which, patch) => {
    const model = { ...modelSum().model, ...patch };
    let error: unknown;
    try {
      createValidators(model, 2);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).code).toBe('MS_RUNTIME_SCHEMA_COMPILE_FAILED');
    expect((error as RuntimeError).message).toContain(`The ${which} schema of model "sum"`);
    expect((error as RuntimeError).message).toMatch(/must be|must match/);
  });
});
