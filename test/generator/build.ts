// The CLI and lookup tests use the compiled generator (what `yo` and `npx` run): build it
// once when it is missing or older than its sources (scripts/test.sh builds before Jest).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureGeneratorBuilt(): void {
  const out = join(ROOT, 'generators', 'generators', 'app', 'index.js');
  const sources = Math.max(...['app', 'init', 'lib'].map((d) => newest(join(ROOT, 'generators', d))));
  if (existsSync(out) && statSync(out).mtimeMs >= sources && existsSync(join(ROOT, 'generators', 'templates'))) return;
  const run = spawnSync('npm', ['run', 'build', '-w', 'generator-model-service'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`building the generator failed:\n${run.stdout}\n${run.stderr}`);
}
