// Every relative link in README.md and docs/*.md reaches a file that exists and, when it names
// one, a heading of that file (GitHub's anchors).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { anchorsOf, brokenLinks, relativeLinks, slug } from '../../scripts/docs/markdown-links.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('links in README.md and docs/', () => {
  it('covers the README and every docs page', () => {
    expect(PAGES).toEqual(
      expect.arrayContaining(['README.md', 'docs/errors.md', 'docs/runtime.md', 'docs/contributing.md']),
    );
  });

  it.each(PAGES)('%s: every relative link resolves (file and heading)', (page) => {
    expect(brokenLinks(ROOT, page)).toEqual([]);
  });
});

describe('anchors and links', () => {
  it('makes the anchors GitHub makes', () => {
    expect(slug('`model-deploy doctor --image <ref>`')).toBe('model-deploy-doctor---image-ref');
    expect(slug("The deployer's own permissions")).toBe('the-deployers-own-permissions');
    expect(slug('Serving runtime (`@model-service/runtime`)')).toBe('serving-runtime-model-serviceruntime');
    expect(slug('MS_DEPLOY_RELEASE_INVALID')).toBe('ms_deploy_release_invalid');
  });

  it('numbers repeated headings and ignores headings in code blocks', () => {
    const md = ['# Intro', '## Tests', '```sh', '# not a heading', '```', '## Tests', '<a id="custom"></a>'].join('\n');
    expect([...anchorsOf(md)]).toEqual(['intro', 'tests', 'tests-1', 'custom']);
  });

  it('finds relative links outside code, not URLs or links shown as code', () => {
    const md = [
      'see [a](a.md#x) and [b](https://example.com) and `[c](c.md)`',
      '```',
      '[d](d.md)',
      '```',
      '[e](#local)',
    ].join('\n');
    expect(relativeLinks(md)).toEqual([
      { line: 1, target: 'a.md#x' },
      { line: 5, target: '#local' },
    ]);
  });
});
