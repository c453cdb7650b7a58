// Every generated part of the docs: which file, which marker name, and how to render it now.
// `npm run docs` writes them (scripts/docs.mjs); test/docs/generated-sections.test.ts compares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChecksReference } from './checks-reference.js';
import { renderErrorReference } from './error-reference.js';
import { renderDeployerPolicy, renderPolicyAdditions, renderRolePolicies } from './iam-reference.js';
import { renderReleaseReference } from './release-reference.js';
import { renderRuntimeConfig } from './runtime-config-reference.js';

export interface GeneratedSection {
  /** Path from the repository root. */
  readonly file: string;
  readonly name: string;
  render(root: string): string;
}

export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
  { file: 'docs/errors.md', name: 'error-codes', render: () => renderErrorReference() },
  { file: 'docs/runtime.md', name: 'runtime-config', render: () => renderRuntimeConfig() },
  {
    file: 'docs/checks.md',
    name: 'check-catalog',
    render: (root) => renderChecksReference(readFileSync(join(root, 'docs', 'checklist.md'), 'utf8')),
  },
  {
    file: 'docs/release-yaml.md',
    name: 'release-fields',
    render: (root) =>
      renderReleaseReference(
        JSON.parse(readFileSync(join(root, 'packages', 'deployer', 'schema', 'release.schema.json'), 'utf8')),
      ),
  },
  { file: 'docs/iam.md', name: 'deployer-policy', render: () => renderDeployerPolicy() },
  { file: 'docs/iam.md', name: 'policy-additions', render: () => renderPolicyAdditions() },
  { file: 'docs/iam.md', name: 'role-policies', render: () => renderRolePolicies() },
];

/** A section's text as the page holds it (no trailing blank lines). */
export function renderSection(section: GeneratedSection, root: string): string {
  return section.render(root).replace(/\n+$/, '');
}
