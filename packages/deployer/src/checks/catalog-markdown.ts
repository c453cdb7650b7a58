// The check catalog as Markdown: the generated part of docs/checks.md (`npm run docs` at the
// repository root writes it; test/docs/generated-sections.test.ts fails when it is stale).
import type { Command } from 'commander';
import type { CatalogEntry, CheckPhase } from './check.js';
import { checkCatalog } from './registry.js';

export interface SkipFlag {
  flag: string;
  description: string;
}

/** The `--skip-*` options of a command (per-check switches such as doctor's `--skip-tests`). */
export function skipFlagsOf(cmd: Command): SkipFlag[] {
  return cmd.options
    .filter((o) => o.long?.startsWith('--skip-'))
    .map((o) => ({ flag: o.flags, description: o.description }));
}

const PHASES: { phase: CheckPhase; option?: string; heading: string; intro: string }[] = [
  {
    phase: 'doctor',
    heading: '`doctor`: before a deploy',
    intro:
      '`model-deploy doctor` runs these on the project, in this order, and exits 1 when any fails (each failure prints what to do).',
  },
  {
    phase: 'doctor',
    option: '--image',
    heading: '`doctor --image <ref>`: the image, before it leaves the machine',
    intro:
      '`model-deploy doctor --image <ref>` runs doctor.release and then these on a locally built image, with no AWS call.',
  },
  {
    phase: 'verify',
    heading: '`verify`: after a deploy',
    intro:
      '`model-deploy verify <env>` runs these against what is deployed and records the result on the endpoint (`promote` reads it).',
  },
  {
    phase: 'test',
    heading: "The generated project's tests",
    intro:
      'The generator writes these into `tests/`; `npm test` runs them against a real socket, and `doctor.tests` runs `npm test`.',
  },
];

const CHECK_ID = /(?<![\w./-])(?:doctor|verify|test)\.[a-z0-9]+(?:[.-][a-z0-9]+)*/g;

/** Check id -> the docs/checklist.md item numbers whose row names it (in the "by" column). */
export function checklistCoverage(checklistMarkdown: string): Map<string, number[]> {
  const covered = new Map<string, number[]>();
  for (const line of checklistMarkdown.split('\n')) {
    const row = /^\|\s*(\d+)\s*\|/.exec(line);
    if (!row) continue;
    const by = line.split(/(?<!\\)\|/).at(-2) ?? '';
    for (const [id] of by.matchAll(CHECK_ID)) {
      const items = covered.get(id) ?? [];
      if (!items.includes(Number(row[1]))) items.push(Number(row[1]));
      covered.set(id, items);
    }
  }
  return covered;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export interface SkipFlags {
  doctor: readonly SkipFlag[];
  verify: readonly SkipFlag[];
}

function flagTable(command: string, flags: readonly SkipFlag[]): string[] {
  return [
    `| \`${command}\` option | effect |`,
    '| --- | --- |',
    ...flags.map((f) => `| \`${f.flag}\` | ${cell(f.description)} |`),
  ];
}

export function catalogMarkdown(
  entries: readonly CatalogEntry[] = checkCatalog(),
  skipFlags: SkipFlags = { doctor: [], verify: [] },
  coverage: ReadonlyMap<string, readonly number[]> = new Map(),
): string {
  const out: string[] = [
    'Every check has a stable id (`doctor.*`, `verify.*`, `test.*`), registered in one place,',
    '`packages/deployer/src/checks/registry.ts`. Output, `--json` and the checklist use these',
    `ids; a test fails when the checklist names an id that is not here. ${entries.length} checks; "checklist`,
    'items" are the numbers of the manual checklist\'s items each one replaces ([checklist.md](checklist.md)):',
    '',
  ];
  for (const { phase, option, heading, intro } of PHASES) {
    const rows = entries.filter((e) => e.phase === phase && e.option === option);
    if (!rows.length) continue;
    out.push(
      `## ${heading}`,
      '',
      intro,
      '',
      '| id | check | what it proves | checklist items |',
      '| --- | --- | --- | --- |',
    );
    // A check without its own description shows its title once.
    for (const e of rows) {
      const items = coverage.get(e.id)?.join(', ') || '—';
      out.push(
        `| \`${e.id}\` | ${cell(e.title)} | ${e.description === e.title ? '—' : cell(e.description)} | ${items} |`,
      );
    }
    out.push('');
  }
  out.push(
    '## Skipping a check',
    '',
    'A skipped check is never silent: it is printed as `SKIP` with the reason, and it is in `--json` as',
    '`"status": "skip"`.',
    '',
    '```bash',
    'model-deploy doctor --skip doctor.tests doctor.docker   # any doctor id; repeatable, or comma-separated',
    '```',
    '',
    'An id that is not one of the checks of this run is a usage error (exit 2) that lists the known',
    'ids (`doctor --image` runs doctor.release and the image checks). Switches for common cases do the same:',
    '',
  );
  out.push(...(skipFlags.doctor.length ? flagTable('doctor', skipFlags.doctor) : ['(none besides `--skip`)']), '');
  if (skipFlags.verify.length) out.push('`verify` has these:', '', ...flagTable('verify', skipFlags.verify), '');
  else out.push('`verify` has no skip switch: `promote` accepts only an environment whose last verify passed.', '');
  out.push(
    'A check that does not apply skips itself and says why (e.g. `doctor.iam.arns` when release.yaml',
    'names no role ARN: model-deploy then creates the roles).',
    '',
  );
  return out.join('\n');
}
