// Rewrites every generated part of the docs (or, with check, lists the stale ones).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedPart, withGeneratedPart } from './markers.js';
import { GENERATED_SECTIONS, renderSection } from './sections.js';

/** Returns the `file#name` of each part that differed from what the code renders now. */
export function writeDocs(root: string, options: { check?: boolean } = {}): string[] {
  const stale: string[] = [];
  for (const section of GENERATED_SECTIONS) {
    const path = join(root, section.file);
    const text = readFileSync(path, 'utf8');
    const body = renderSection(section, root);
    if (generatedPart(text, section.name) === body) continue;
    stale.push(`${section.file}#${section.name}`);
    if (!options.check) writeFileSync(path, withGeneratedPart(text, section.name, body, section.file));
  }
  return stale;
}
