#!/usr/bin/env node
// Build step: copies the repo's root templates/ into this package (generators/templates/),
// so a packed or published generator carries its templates. Kept out of git.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(pkg, '..', 'templates');
const target = join(pkg, 'templates');
if (!existsSync(join(source, 'common', 'Dockerfile.ejs'))) {
  console.error(`copy-templates: ${source} has no templates; run it from the model-service repo.`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
console.log(`copy-templates: ${source} -> ${target}`);
