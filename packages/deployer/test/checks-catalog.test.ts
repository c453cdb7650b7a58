// The check registry is the one list of check ids: unique, well-formed, every
// verify id and generated test in it, every doctor/verify check exercised by a
// test, and docs/checks.md's catalog generated from it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { generatedPart } from '../../../scripts/docs/markers.js';
import { catalogMarkdown, checklistCoverage, skipFlagsOf } from '../src/checks/catalog-markdown.js';
import { checkCatalog, IMAGE_CHECKS, PREDEPLOY_CHECKS, TEST_CHECKS, VERIFY_CHECKS } from '../src/checks/registry.js';
import { doctorCommand } from '../src/commands/doctor.js';
import type { CliRuntime } from '../src/commands/session.js';
import { verifyCommand } from '../src/commands/verify.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEST_DIR = fileURLToPath(new URL('./', import.meta.url));
const catalog = checkCatalog();

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const rt = {
  io: { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: ROOT, isTTY: false },
  deps: {},
} as unknown as CliRuntime;
const skipFlags = () => ({
  doctor: skipFlagsOf(doctorCommand(rt, () => {})),
  verify: skipFlagsOf(verifyCommand(rt, () => {})),
});

describe('check catalog', () => {
  it('holds every doctor check, every verify check and every generated test, once each', () => {
    const ids = catalog.map((e) => e.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(dupes).toEqual([]);
    expect(ids).toEqual([...PREDEPLOY_CHECKS, ...IMAGE_CHECKS, ...VERIFY_CHECKS, ...TEST_CHECKS].map((c) => c.id));
    // doctor's default run and `doctor --image`'s checks are all doctor-phase.
    expect(catalog.filter((e) => e.phase === 'doctor').map((e) => e.id)).toEqual(
      [...PREDEPLOY_CHECKS, ...IMAGE_CHECKS].map((c) => c.id),
    );
    // The first session's ids are all still here.
    expect(ids).toEqual(
      expect.arrayContaining([
        'doctor.release',
        'doctor.region',
        'doctor.credentials',
        'doctor.artifacts',
        'doctor.dockerfile',
        'doctor.tests',
        'doctor.docker',
        'doctor.iam.arns',
        'test.health',
        'test.inference',
        'test.invalid-input',
      ]),
    );
  });

  it('ids are phase.name in lowercase kebab segments; each has a title and a one-line description', () => {
    for (const e of catalog) {
      expect({ id: e.id, ok: new RegExp(`^${e.phase}(\\.[a-z0-9]+(-[a-z0-9]+)*)+$`).test(e.id) }).toEqual({
        id: e.id,
        ok: true,
      });
      expect(e.title.trim()).not.toBe('');
      expect(e.description.trim()).not.toBe('');
      expect({ id: e.id, multiline: /\n/.test(e.description) }).toEqual({ id: e.id, multiline: false });
    }
  });

  it('verify checks are one list of { id, title, description, run } objects', () => {
    for (const c of VERIFY_CHECKS) {
      expect({ id: c.id, title: typeof c.title, description: typeof c.description, run: typeof c.run }).toEqual({
        id: c.id,
        title: 'string',
        description: 'string',
        run: 'function',
      });
    }
  });

  it("each generated test's template exists and emits a test file", () => {
    for (const t of TEST_CHECKS) {
      const path = join(ROOT, t.template);
      expect({ id: t.id, exists: existsSync(path) }).toEqual({ id: t.id, exists: true });
      expect(t.template).toMatch(/^templates\/.+\/tests\/[a-z0-9-]+\.test\.ts\.ejs$/);
      expect(readFileSync(path, 'utf8')).toMatch(/\btest\(/);
      // The id is the file's name: test.<name> <-> tests/<name>.test.ts.
      expect(t.id).toBe(`test.${t.template.replace(/^.*\/tests\//, '').replace(/\.test\.ts\.ejs$/, '')}`);
    }
  });

  it('every doctor and verify check is exercised by a deployer test that names its id', () => {
    const own = new Set(['checks-catalog.test.ts', 'checklist.test.ts'].map((f) => join(TEST_DIR, f)));
    const texts = files(TEST_DIR)
      .filter((f) => f.endsWith('.ts') && !own.has(f))
      .map((f) => ({ f, text: readFileSync(f, 'utf8') }));
    const untested = catalog
      .filter((e) => e.phase !== 'test')
      .filter(
        (e) =>
          !texts.some(
            ({ text }) =>
              text.includes(`'${e.id}'`) || text.includes(`"${e.id}"`) || text.includes(e.id.replace(/[.]/g, '\\.')),
          ),
      )
      .map((e) => e.id);
    expect(untested).toEqual([]);
    expect(texts.length).toBeGreaterThan(5);
    expect(relative(ROOT, TEST_DIR)).toBe(join('packages', 'deployer', 'test'));
  });

  it('docs/checks.md holds the catalog as generated (run `npm run docs`)', () => {
    const path = join(ROOT, 'docs', 'checks.md');
    expect(existsSync(path)).toBe(true);
    const coverage = checklistCoverage(readFileSync(join(ROOT, 'docs', 'checklist.md'), 'utf8'));
    expect(generatedPart(readFileSync(path, 'utf8'), 'check-catalog')).toBe(
      catalogMarkdown(catalog, skipFlags(), coverage).replace(/\n+$/, ''),
    );
  });

  it('the checks section lists every id with its description and tells how to skip', () => {
    const md = catalogMarkdown(catalog, skipFlags());
    for (const e of catalog) expect(md).toContain(`| \`${e.id}\` | `);
    expect(md).toContain('model-deploy doctor --skip doctor.tests doctor.docker');
    expect(md).toContain('| `--skip-tests` |');
    expect(md).toContain(`${catalog.length} checks`);
  });
});

describe('check catalog: doctor modes', () => {
  it('marks the checks that only `doctor --image` runs, and the section lists them apart', () => {
    const image = catalog.filter((e) => e.option === '--image').map((e) => e.id);
    expect(image).toEqual(IMAGE_CHECKS.map((c) => c.id));
    expect(
      catalog.filter((e) => PREDEPLOY_CHECKS.some((c) => c.id === e.id)).every((e) => e.option === undefined),
    ).toBe(true);
    const md = catalogMarkdown(catalog, skipFlags());
    const imageSection = md.slice(md.indexOf('## `doctor --image <ref>`'), md.indexOf('## `verify`'));
    for (const id of image) expect(imageSection).toContain(`| \`${id}\` |`);
    for (const c of PREDEPLOY_CHECKS) expect(imageSection).not.toContain(`| \`${c.id}\` |`);
  });
});

describe('checklist coverage in the checks section', () => {
  it('reads which items name each check from the table rows only (the by column)', () => {
    const md = [
      'intro naming `doctor.release` outside the table',
      '| # | section | item | how | by |',
      '| --- | --- | --- | --- | --- |',
      '| 9 | Model | Artifacts saved | verified | `doctor.artifacts`: exists |',
      '| 10 | Model | Size (a \\| pipe) | verified | `doctor.artifacts`, verify.slo.latency |',
      '| 11 | Model | Mentions doctor.release in the item | automated | `npm start` |',
    ].join('\n');
    const coverage = checklistCoverage(md);
    expect(Object.fromEntries(coverage)).toEqual({ 'doctor.artifacts': [9, 10], 'verify.slo.latency': [10] });
  });

  it('every check the checklist names shows those item numbers in docs/checks.md', () => {
    const coverage = checklistCoverage(readFileSync(join(ROOT, 'docs', 'checklist.md'), 'utf8'));
    expect(coverage.get('doctor.artifacts')).toEqual(expect.arrayContaining([9, 10]));
    const md = generatedPart(readFileSync(join(ROOT, 'docs', 'checks.md'), 'utf8'), 'check-catalog') ?? '';
    for (const [id, items] of coverage) {
      const row = md.split('\n').find((line) => line.startsWith(`| \`${id}\` |`));
      expect({ id, row: row?.endsWith(`| ${items.join(', ')} |`) }).toEqual({ id, row: true });
    }
  });
});
