// examples/churn is the generator's own output: regenerating it from its stored answers
// (.yo-rc.json) into a temp dir gives byte-identical files, and nothing is missing or extra.
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import helpers from 'yeoman-test';
import { APP, genOptions, ROOT } from './helpers.js';

const EXAMPLE = join(ROOT, 'examples', 'churn');
/** Not generator output: build artifacts, installs, and the git repository a fresh project gets. */
const IGNORED = new Set(['node_modules', 'dist', 'coverage', '.git']);

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (IGNORED.has(e.name)) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p, base) : [relative(base, p)];
  });
}

describe('examples/churn', () => {
  test('regenerating it gives no diff', async () => {
    const result = await helpers
      .run(APP, { namespace: 'model-service:app' })
      .doInDir((dir) => {
        mkdirSync(join(dir, 'churn'));
        copyFileSync(join(EXAMPLE, '.yo-rc.json'), join(dir, 'churn', '.yo-rc.json'));
      })
      .withArguments(['init', 'churn'])
      .withOptions(genOptions({ yes: true, skipInstall: true }));
    const fresh = join(result.cwd, 'churn');
    const expected = files(EXAMPLE).sort();
    expect(files(fresh).sort()).toEqual(expected);
    const differing = expected.filter((f) => !readFileSync(join(fresh, f)).equals(readFileSync(join(EXAMPLE, f))));
    // If this fails after a template change: `npm run regen -w generator-model-service` and commit.
    expect(differing).toEqual([]);
  });
});
