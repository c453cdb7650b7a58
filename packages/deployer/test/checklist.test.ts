// docs/checklist.md must be true: it maps every item of the reference checklist
// (../shared/reference/ml-deployment-checklist.md, beside the repository) exactly
// once; every check id it names is in the check registry; every command it names
// exists (model-deploy's commands and options, the generator's flags, the
// generated project's npm scripts); and at least 90% of the items that are not
// "people" are automated or verified.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { FLAGS } from '../../../generators/lib/options.js';
import { createProgram } from '../src/cli.js';
import { checkCatalog } from '../src/checks/registry.js';
import type { CliRuntime } from '../src/commands/session.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE = join(ROOT, '..', 'shared', 'reference', 'ml-deployment-checklist.md');
const CHECKLIST = join(ROOT, 'docs', 'checklist.md');
/** The generator's own output, kept identical to a fresh run by test/generator/example.test.ts. */
const GENERATED_PACKAGE = join(ROOT, 'examples', 'churn', 'package.json');

const HOW = ['automated', 'verified', 'people', 'not yet'] as const;
type How = (typeof HOW)[number];

interface RefItem {
  n: number;
  section: string;
  subsection: string;
  text: string;
}
interface Row {
  n: number;
  subsection: string;
  text: string;
  how: How;
  by: string;
  line: number;
}

function readReference(): RefItem[] {
  if (!existsSync(REFERENCE)) {
    throw new Error(
      `The reference checklist is missing: expected ${REFERENCE} (../shared/reference/ml-deployment-checklist.md relative to the repository root). docs/checklist.md cannot be checked without it.`,
    );
  }
  const items: RefItem[] = [];
  let section = '';
  let subsection = '';
  for (const line of readFileSync(REFERENCE, 'utf8').split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    else if (line.startsWith('### ')) subsection = line.slice(4).trim();
    else if (line.startsWith('- [ ] '))
      items.push({ n: items.length + 1, section, subsection, text: line.slice(6).trim() });
  }
  return items;
}

/** Table rows whose first cell is an item number. */
function readChecklist(): Row[] {
  const rows: Row[] = [];
  readFileSync(CHECKLIST, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!/^\|\s*\d+\s*\|/.test(line)) return;
      const cells = line
        .replace(/^\||\|\s*$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      if (cells.length !== 5)
        throw new Error(
          `docs/checklist.md:${i + 1}: expected 5 cells (# | section | item | how | by), got ${cells.length}`,
        );
      const [n, subsection, text, how, by] = cells as [string, string, string, string, string];
      rows.push({ n: Number(n), subsection, text, how: how as How, by, line: i + 1 });
    });
  return rows;
}

const CHECK_ID = /(?<![\w./-])(?:doctor|verify|test)\.[a-z0-9]+(?:[.-][a-z0-9]+)*/g;
const codeSpans = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const checkIds = (by: string) => [...by.matchAll(CHECK_ID)].map((m) => m[0]);
const commands = (by: string) =>
  codeSpans(by).filter((c) => /^(model-deploy|model-service|yo model-service|npm)(\s|$)/.test(c));

const reference = readReference();
const rows = readChecklist();
const catalog = new Set(checkCatalog().map((e) => e.id));
const rt = {
  io: { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: ROOT, isTTY: false },
  deps: {},
} as unknown as CliRuntime;
const program = createProgram(rt, () => {});
const scripts = Object.keys(
  (JSON.parse(readFileSync(GENERATED_PACKAGE, 'utf8')) as { scripts: Record<string, string> }).scripts,
);
const generatorFlags = new Set([
  ...FLAGS.map((f) => `--${f.name}`),
  '--help',
  '--version',
  '--force',
  '--skip-install',
]);

/** Why a command named in the table does not exist, or undefined when it does. */
function commandProblem(text: string): string | undefined {
  const words = text.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--')).map((w) => w.replace(/=.*$/, ''));
  if (words[0] === 'model-deploy') {
    const cmd = program.commands.find((c) => c.name() === words[1]);
    if (!cmd)
      return `model-deploy has no command "${words[1]}" (it has: ${program.commands.map((c) => c.name()).join(', ')})`;
    const known = new Set(cmd.options.map((o) => o.long).filter(Boolean));
    const bad = flags.filter((f) => !known.has(f));
    return bad.length ? `model-deploy ${words[1]} has no option ${bad.join(', ')}` : undefined;
  }
  if (words[0] === 'model-service' || words[0] === 'yo') {
    const rest = words[0] === 'yo' ? words.slice(1) : words;
    if (rest[1] !== 'init') return `the generator's only command is init (got "${rest[1]}")`;
    const bad = flags.filter((f) => !generatorFlags.has(f));
    return bad.length ? `model-service init has no flag ${bad.join(', ')}` : undefined;
  }
  // npm in the generated project.
  const script = words[1] === 'run' ? words[2] : words[1];
  if (words[1] === 'install' || words[1] === 'ci') return undefined;
  if (words[1] !== 'run' && words[1] !== 'test' && words[1] !== 'start')
    return `"${text}" is not an npm command the generated project uses`;
  return script && scripts.includes(script)
    ? undefined
    : `the generated package.json has no "${script}" script (it has: ${scripts.join(', ')})`;
}

describe('docs/checklist.md', () => {
  it('maps every item of the reference checklist exactly once, in order, with its text', () => {
    expect(reference.length).toBeGreaterThan(100);
    expect(rows.map((r) => r.n)).toEqual(reference.map((r) => r.n));
    const wrong = rows
      .filter((r, i) => r.text !== reference[i]!.text || r.subsection !== reference[i]!.subsection)
      .map(
        (r) =>
          `#${r.n} (docs/checklist.md:${r.line}) "${r.subsection} / ${r.text}" but the reference says "${reference[r.n - 1]?.subsection} / ${reference[r.n - 1]?.text}"`,
      );
    expect(wrong).toEqual([]);
  });

  it('says how each item is done: automated, verified, people or not yet', () => {
    const bad = rows.filter((r) => !HOW.includes(r.how)).map((r) => `#${r.n}: "${r.how}"`);
    expect(bad).toEqual([]);
    expect(rows.filter((r) => r.by === '').map((r) => r.n)).toEqual([]);
  });

  it('names only check ids that are in the registry; a verified row names at least one', () => {
    const unknown = rows.flatMap((r) =>
      checkIds(r.by)
        .filter((id) => !catalog.has(id))
        .map((id) => `#${r.n}: ${id}`),
    );
    expect(unknown).toEqual([]);
    const verifiedWithout = rows.filter((r) => r.how === 'verified' && checkIds(r.by).length === 0).map((r) => r.n);
    expect(verifiedWithout).toEqual([]);
  });

  it('names only commands that exist; an automated row names at least one', () => {
    const problems = rows.flatMap((r) =>
      commands(r.by)
        .map((c) => [c, commandProblem(c)] as const)
        .filter(([, p]) => p)
        .map(([c, p]) => `#${r.n} \`${c}\`: ${p}`),
    );
    expect(problems).toEqual([]);
    const automatedWithout = rows.filter((r) => r.how === 'automated' && commands(r.by).length === 0).map((r) => r.n);
    expect(automatedWithout).toEqual([]);
  });

  it('a check that declares which items it covers is named on those rows', () => {
    const missing = checkCatalog().flatMap((e) =>
      (e.covers ?? [])
        .filter((n) => !checkIds(rows[n - 1]?.by ?? '').includes(e.id))
        .map((n) => `${e.id} covers #${n}`),
    );
    expect(missing).toEqual([]);
  });

  it('the counts line matches the table', () => {
    const count = (how: How) => rows.filter((r) => r.how === how).length;
    const line = `${rows.length} items: ${count('automated')} automated, ${count('verified')} verified, ${count('not yet')} not yet, ${count('people')} people.`;
    expect(readFileSync(CHECKLIST, 'utf8')).toContain(line);
  });

  it('at least 90% of the items that are not "people" are automated or verified', () => {
    const machine = rows.filter((r) => r.how !== 'people');
    const done = machine.filter((r) => r.how === 'automated' || r.how === 'verified');
    const ratio = done.length / machine.length;
    process.stdout.write(
      `docs/checklist.md: ${done.length}/${machine.length} items that are not "people" are automated or verified (${(ratio * 100).toFixed(1)}%); not yet: ${
        machine
          .filter((r) => r.how === 'not yet')
          .map((r) => r.n)
          .join(', ') || 'none'
      }\n`,
    );
    expect(ratio).toBeGreaterThanOrEqual(0.9);
  });
});

describe('the checklist checker catches what it should', () => {
  it('finds check ids with or without backticks, but not file names', () => {
    expect(checkIds('`doctor.release` and verify.slo.latency, see tests/health.test.ts')).toEqual([
      'doctor.release',
      'verify.slo.latency',
    ]);
    expect(checkIds('`doctor.no-such-check`').filter((id) => !catalog.has(id))).toEqual(['doctor.no-such-check']);
  });

  it('refuses commands, options, flags and scripts that do not exist', () => {
    expect(commandProblem('model-deploy frobnicate dev')).toMatch(/no command "frobnicate"/);
    expect(commandProblem('model-deploy up --no-such-flag')).toMatch(/up has no option --no-such-flag/);
    expect(commandProblem('model-deploy doctor --skip doctor.tests')).toBeUndefined();
    expect(commandProblem('model-service init --cache memory')).toBeUndefined();
    expect(commandProblem('model-service init --gpu')).toMatch(/no flag --gpu/);
    expect(commandProblem('model-service new x')).toMatch(/only command is init/);
    expect(commandProblem('npm run bench')).toBeUndefined();
    expect(commandProblem('npm run deploy')).toMatch(/no "deploy" script/);
  });

  it('only counts code spans that start with a command', () => {
    expect(commands('`model-deploy up` creates `release.yaml` things; `npm start`')).toEqual([
      'model-deploy up',
      'npm start',
    ]);
  });
});
