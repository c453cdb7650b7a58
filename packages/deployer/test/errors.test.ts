// The error table: codes are unique, well-formed and each one has its heading
// in docs/errors.md (`npm run docs` renders it from this table).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { DeployerError, ERRORS, type ErrorCode } from '../src/errors.js';

const SOURCE = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');
const DOC = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const CODES = Object.keys(ERRORS) as ErrorCode[];

describe('error table', () => {
  test('every code is MS_DEPLOY_* and defined exactly once in errors.ts', () => {
    for (const code of CODES) {
      expect(code).toMatch(/^MS_DEPLOY_[A-Z0-9_]+$/);
      const definitions = SOURCE.match(new RegExp(`^\\s+${code}: \\{`, 'gm')) ?? [];
      expect({ code, definitions: definitions.length }).toEqual({ code, definitions: 1 });
    }
    expect(new Set(CODES).size).toBe(CODES.length);
  });

  test('every code has its heading in docs/errors.md (run `npm run docs`)', () => {
    const undocumented = CODES.filter((code) => !DOC.includes(`\n### ${code}\n`));
    expect(undocumented).toEqual([]);
  });

  test('every entry says what is wrong and what to do, and who is at fault', () => {
    for (const code of CODES) {
      const spec = ERRORS[code];
      expect(['user', 'aws', 'bug']).toContain(spec.fault);
      expect(spec.message.trim()).not.toBe('');
      expect(spec.hint.length).toBeGreaterThan(10);
    }
  });

  test('placeholders are filled; unknown ones stay visible instead of printing "undefined"', () => {
    const err = new DeployerError('MS_DEPLOY_RELEASE_INVALID', { yamlPath: 'region', reason: 'is required' });
    expect(err.message).toBe('release.yaml: region is required');
    expect(err.toUserString()).toMatch(
      /^MS_DEPLOY_RELEASE_INVALID: release.yaml: region is required\n {2}-> Fix the value/,
    );
    expect(new DeployerError('MS_DEPLOY_RELEASE_NOT_FOUND').message).toBe('release.yaml not found at {path}');
  });

  test('the cause is kept', () => {
    const cause = new Error('root');
    expect(new DeployerError('MS_DEPLOY_INTERNAL', { reason: 'x' }, { cause }).cause).toBe(cause);
  });
});
