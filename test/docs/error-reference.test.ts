// docs/errors.md checked both ways against the error tables: every code of every package has
// its heading (its anchor), and the page has no heading, and the notes no entry, for a code
// that no table has.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ERROR_NOTES } from '../../scripts/docs/error-notes.js';
import { allErrorCodes, ERROR_GROUPS, renderErrorReference } from '../../scripts/docs/error-reference.js';
import { anchorsOf, slug } from '../../scripts/docs/markdown-links.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
const CODES = allErrorCodes();
const CODE = /^MS_[A-Z0-9_]+$/;

describe('docs/errors.md', () => {
  it('reads every table: runtime (with cache and batcher), proxy, deployer, generator', () => {
    for (const prefix of ['MS_RUNTIME_', 'MS_PROXY_', 'MS_DEPLOY_', 'MS_GEN_'])
      expect(CODES.some((c) => c.startsWith(prefix))).toBe(true);
    expect(CODES).toEqual(expect.arrayContaining(['MS_RUNTIME_CACHE_FAULT', 'MS_RUNTIME_BATCHER_CLOSED']));
    expect(ERROR_GROUPS).toHaveLength(4);
  });

  it('codes are unique across packages', () => {
    expect(CODES.filter((c, i) => CODES.indexOf(c) !== i)).toEqual([]);
  });

  it('every code has its anchor', () => {
    const anchors = anchorsOf(DOC);
    expect(CODES.filter((code) => !anchors.has(slug(code)))).toEqual([]);
  });

  it('no heading for a code that no table has', () => {
    const headings = DOC.split('\n')
      .map((l) => /^#{1,6}\s+`?(MS_[A-Z0-9_]+)`?\s*$/.exec(l)?.[1])
      .filter((c): c is string => c !== undefined);
    expect(headings.length).toBeGreaterThan(0);
    expect(headings.filter((code) => !CODES.includes(code))).toEqual([]);
  });

  it('no note for a code that no table has, and every note says when', () => {
    expect(Object.keys(ERROR_NOTES).filter((code) => !CODES.includes(code))).toEqual([]);
    for (const [code, note] of Object.entries(ERROR_NOTES))
      expect([code, CODE.test(code), note.when.length > 5]).toEqual([code, true, true]);
  });

  it('shows each code with its message, status, fault and what to do', () => {
    const md = renderErrorReference();
    expect(md).toContain(
      '### MS_RUNTIME_BODY_TOO_LARGE\n\nHTTP 413, fault: user. Message: `The request body is larger than {limit} bytes; send fewer instances per request.`',
    );
    expect(md).toContain(
      '### MS_DEPLOY_RELEASE_NOT_FOUND\n\nfault: user. Message: `release.yaml not found at {path}`\n\nWhat to do: Run the command in the generated project, or pass --dir &lt;project dir&gt;.',
    );
    expect(md).toContain('### MS_PROXY_THROTTLED\n\nHTTP 429. Message:');
    expect(md).toContain(
      '### MS_RUNTIME_CACHE_FAULT\n\nMessage: `The cache store failed ({detail}); the request was served as a cache miss.`',
    );
  });
});
