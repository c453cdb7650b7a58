// The parts of docs/*.md rendered from code (error codes, checks, release.yaml fields, IAM
// policies) are exactly what the code renders now; `npm run docs` rewrites them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { beginMarker, endMarker, generatedPart, withGeneratedPart } from '../../scripts/docs/markers.js';
import { GENERATED_SECTIONS, renderSection } from '../../scripts/docs/sections.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('generated docs', () => {
  it.each(GENERATED_SECTIONS.map((s) => [`${s.file}#${s.name}`, s] as const))(
    '%s is what the code renders now (run `npm run docs`)',
    (_, section) => {
      const text = readFileSync(join(ROOT, section.file), 'utf8');
      expect(generatedPart(text, section.name)).toBe(renderSection(section, ROOT));
    },
  );
});

describe('generated parts', () => {
  const page = ['# Page', 'before', beginMarker('x'), 'old', endMarker('x'), 'after', ''].join('\n');

  it('replaces only what is between the markers', () => {
    const next = withGeneratedPart(page, 'x', 'new\nlines', 'page.md');
    expect(next).toBe(['# Page', 'before', beginMarker('x'), 'new', 'lines', endMarker('x'), 'after', ''].join('\n'));
    expect(generatedPart(next, 'x')).toBe('new\nlines');
    expect(withGeneratedPart(next, 'x', 'new\nlines', 'page.md')).toBe(next);
  });

  it('names the file and the markers when they are missing', () => {
    expect(generatedPart(page, 'y')).toBeUndefined();
    expect(() => withGeneratedPart(page, 'y', 'z', 'docs/page.md')).toThrow(
      /docs\/page\.md has no "<!-- generated:y:begin/,
    );
  });
});
