// The generator's error table: unique stable codes, each with its heading in docs/errors.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ERRORS, GeneratorError } from '../../generators/lib/errors.js';
import { ROOT } from './helpers.js';

describe('generator errors', () => {
  const codes = Object.keys(ERRORS);

  test('codes are MS_GEN_* and unique', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^MS_GEN_[A-Z_]+$/);
  });

  test('every code has its heading in docs/errors.md (run `npm run docs`)', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    for (const code of codes) expect(doc).toContain(`\n### ${code}\n`);
  });

  test('messages fill their placeholders and carry the code', () => {
    const err = new GeneratorError('MS_GEN_INVALID_FLAG', {
      flag: 'cache',
      value: 'disk',
      problem: 'unknown value',
      allowed: 'off, memory, redis',
    });
    expect(err.message).toBe(
      'MS_GEN_INVALID_FLAG: --cache "disk" is not valid: unknown value. Allowed: off, memory, redis.',
    );
    expect(err.code).toBe('MS_GEN_INVALID_FLAG');
    expect(err.userFault).toBe(true);
    expect(new GeneratorError('MS_GEN_TEMPLATES_MISSING', { paths: '/x' }).userFault).toBe(false);
  });
});
