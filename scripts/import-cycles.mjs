// Import cycles in the sources (packages/*/src and generators/), found with madge
// on the TypeScript config (type-only imports count: they tie the files as much).
//   npm run cycles        # lists each cycle and the groups of files they tie; exit 1 on any
//   node scripts/import-cycles.mjs --json   # the graph, the cycles and unresolved imports
// test/import-cycles.test.ts runs it in the unit tier.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// madge (and its TypeScript parser) loads only when a graph is asked for.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * What is searched, relative to the repository root: every package's src/ and the generator's
 * own code (not generators/templates/, the generated project's files it ships, nor its build output).
 */
export const SOURCE_DIRS = [
  ...readdirSync(`${ROOT}packages`)
    .map((p) => `packages/${p}/src`)
    .filter((d) => existsSync(`${ROOT}${d}`)),
  'generators/app',
  'generators/init',
  'generators/lib',
  'generators/bin',
  'generators/scripts',
];

/** Not sources: dependencies, build output, declarations. */
const EXCLUDE = [/node_modules/, /(^|\/)dist\//, /\.d\.ts$/];

/** madge's graph: file -> the files it imports (paths relative to the repository root). */
export async function importGraph() {
  const { default: madge } = await import('madge');
  const result = await madge(
    SOURCE_DIRS.map((d) => `${ROOT}${d}`),
    {
      baseDir: ROOT,
      fileExtensions: ['ts', 'mts', 'js', 'mjs'],
      tsConfig: `${ROOT}tsconfig.base.json`,
      excludeRegExp: EXCLUDE,
      detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
    },
  );
  // A relative import madge cannot resolve would hide the cycles through it (packages it skips are not ours).
  const unresolved = result.warnings().skipped.filter((s) => s.startsWith('.') || s.startsWith('/'));
  return { graph: result.obj(), cycles: result.circular(), unresolved };
}

/** Groups of files that import each other, directly or around (Tarjan's strongly connected components, size > 1). */
export function tiedGroups(graph) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const groups = [];
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index += 1;
    stack.push(v);
    for (const w of graph[v] ?? []) {
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).onStack = false;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of Object.keys(graph).sort()) if (!info.has(v)) visit(v);
  return groups.sort((a, b) => b.length - a.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { graph, cycles, unresolved } = await importGraph();
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ graph, cycles, unresolved })}\n`);
    process.exit(0);
  }
  if (unresolved.length)
    process.stderr.write(`imports that do not resolve (cycles through them are not seen): ${unresolved.join(', ')}\n`);
  const groups = tiedGroups(graph);
  const files = Object.keys(graph).length;
  if (cycles.length === 0) {
    process.stdout.write(`no import cycles in ${files} files (${SOURCE_DIRS.join(', ')})\n`);
  } else {
    process.stdout.write(`${cycles.length} import cycles in ${files} files, tying ${groups.length} groups of files:\n`);
    groups.forEach((g, i) =>
      process.stdout.write(`\n${i + 1}) ${g.length} files\n${g.map((f) => `   ${f}`).join('\n')}\n`),
    );
    process.stdout.write(
      `\nthe cycles, as madge finds them:\n${cycles.map((c) => `   ${c.join(' > ')}`).join('\n')}\n`,
    );
    process.exitCode = 1;
  }
}
