// Where the EJS templates are. In the monorepo they live in the repo's root `templates/`
// (one copy, edited there); `npm run build` (and so `npm pack`/publish) copies them into
// this package's own `templates/`, which is what an installed generator uses.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeneratorError } from './errors.js';

const MARKER = join('common', 'Dockerfile.ejs');

/** The generator package's folder, found by walking up to its package.json. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i += 1) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'generator-model-service'
    )
      return dir;
    dir = dirname(dir);
  }
  throw new GeneratorError('MS_GEN_TEMPLATES_MISSING', {
    paths: `package.json of generator-model-service above ${from}`,
  });
}

function isMonorepoRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  return existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'model-service';
}

export function templatesDir(pkgRoot = packageRoot()): string {
  const repoRoot = resolve(pkgRoot, '..');
  const candidates = isMonorepoRoot(repoRoot)
    ? [join(repoRoot, 'templates'), join(pkgRoot, 'templates')]
    : [join(pkgRoot, 'templates')];
  const found = candidates.find((dir) => existsSync(join(dir, MARKER)));
  if (!found) throw new GeneratorError('MS_GEN_TEMPLATES_MISSING', { paths: candidates.join(', ') });
  return found;
}
