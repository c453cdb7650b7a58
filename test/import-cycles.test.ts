// No import cycles in the sources: a cycle makes the load order decide what is
// initialised, and ties files that should change apart (`npm run cycles` lists them).
// madge runs in its own node process: loaded through Jest's module registry its
// TypeScript parser takes ten times as long.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { SOURCE_DIRS, tiedGroups, type ImportGraph } from '../scripts/import-cycles.mjs';

const SCRIPT = fileURLToPath(new URL('../scripts/import-cycles.mjs', import.meta.url));
let found: ImportGraph;

beforeAll(() => {
  found = JSON.parse(
    execFileSync(process.execPath, [SCRIPT, '--json'], { encoding: 'utf8', timeout: 120_000 }),
  ) as ImportGraph;
}, 120_000);

describe('import graph', () => {
  it('reads every source directory and resolves every relative import (.js specifiers to .ts files)', () => {
    for (const dir of SOURCE_DIRS)
      expect({ dir, files: Object.keys(found.graph).some((f) => f.startsWith(`${dir}/`)) }).toEqual({
        dir,
        files: true,
      });
    expect(found.unresolved).toEqual([]);
    expect(found.graph['packages/deployer/src/checks/registry.ts']).toContain(
      'packages/deployer/src/checks/doctor-release.ts',
    );
  });

  it('has no cycle in packages/*/src or generators/', () => {
    expect({ groups: tiedGroups(found.graph), cycles: found.cycles.map((c) => c.join(' > ')) }).toEqual({
      groups: [],
      cycles: [],
    });
  });

  it('reports a cycle as the group of files it ties', () => {
    const graph = { 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts', 'd.ts'], 'd.ts': [], 'e.ts': ['e.ts'] };
    expect(tiedGroups(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
