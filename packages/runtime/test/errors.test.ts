// One error table: codes unique across the runtime (the cache and batcher tables
// included), every code with its heading in docs/errors.md, every HTTP code with a 4xx/5xx status.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_ERROR_CODES } from '../src/cache/cache-errors.js';
import { ERRORS, RuntimeError, errorBody } from '../src/errors.js';
import { MICRO_BATCHER_ERROR_CODES } from '../src/micro-batcher.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const docs = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');

describe('runtime error table', () => {
  const all = [...Object.keys(ERRORS), ...Object.keys(CACHE_ERROR_CODES), ...Object.keys(MICRO_BATCHER_ERROR_CODES)];

  it('codes are unique and all MS_RUNTIME_*', () => {
    expect(new Set(all).size).toBe(all.length);
    for (const code of all) expect(code).toMatch(/^MS_RUNTIME_[A-Z_]+$/);
  });

  it.each(all)('%s has its heading in docs/errors.md', (code) => {
    expect(docs).toContain(`\n### ${code}\n`);
  });

  it('statuses are client or server errors, and user-fault errors are 4xx', () => {
    for (const [code, spec] of Object.entries(ERRORS) as Array<[string, { status?: number; userFault: boolean }]>) {
      if (spec.status === undefined) continue;
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      if (spec.userFault) expect([code, spec.status < 500]).toEqual([code, true]);
    }
  });

  it('fills placeholders, keeps the cause, and renders a body with no stack', () => {
    const cause = new Error('deep detail');
    const err = new RuntimeError('MS_RUNTIME_PREDICT_TIMEOUT', { timeoutMs: 250 }, { cause });
    expect(err.message).toBe('The model did not answer within 250 ms; retry, or send fewer instances.');
    expect(err.cause).toBe(cause);
    expect(err.status).toBe(504);
    const body = JSON.parse(errorBody(new RuntimeError('MS_RUNTIME_PREDICT_FAILED'), 'req-1'));
    expect(body).toEqual({
      error: {
        code: 'MS_RUNTIME_PREDICT_FAILED',
        message: 'The model failed while predicting; report request id req-1 to the service owner.',
        requestId: 'req-1',
      },
    });
  });
});
