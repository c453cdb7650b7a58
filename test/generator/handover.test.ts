// Ready to hand over: --owner (README + release.yaml's model.owner, the owner tag), a coverage
// threshold in the generated Jest config, a dependency-update bot per CI provider, the README's
// Troubleshooting section, and JSDoc on every exported declaration of the generated code.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { ERRORS as RUNTIME_ERRORS } from '@model-service/runtime';
import { ERRORS as DEPLOYER_ERRORS } from '../../packages/deployer/src/errors.js';
import { ROOT, readYaml, releaseValidator, runInit } from './helpers.js';

function validRelease(path: string): Record<string, any> {
  const release = readYaml(path);
  const validate = releaseValidator();
  expect(validate(structuredClone(release)) ? [] : validate.errors).toEqual([]);
  return release;
}

describe('--owner', () => {
  test('goes into release.yaml (model.owner, schema-valid), the README and the stored answers', async () => {
    const result = await runInit('owned', { owner: 'jane.doe@example.com' });
    expect(validRelease(join(result.cwd, 'owned/release.yaml')).model.owner).toBe('jane.doe@example.com');
    result.assertFileContent('owned/README.md', 'Owner: **jane.doe@example.com**');
    result.assertNoFileContent('owned/README.md', 'Owner: not set');
    const rc = JSON.parse(readFileSync(join(result.cwd, 'owned/.yo-rc.json'), 'utf8'));
    expect(rc['generator-model-service'].answers.owner).toBe('jane.doe@example.com');
  });

  test('YAML-special characters survive as one string', async () => {
    const owner = '#risk-models: "Jane" <jane@example.com>';
    const result = await runInit('quoted', { owner });
    expect(validRelease(join(result.cwd, 'quoted/release.yaml')).model.owner).toBe(owner);
  });

  test('without it: no model.owner, and the README says how to set one', async () => {
    const result = await runInit('unowned');
    expect(validRelease(join(result.cwd, 'unowned/release.yaml')).model.owner).toBeUndefined();
    result.assertFileContent('unowned/README.md', 'Owner: not set');
  });

  test.each([
    ['two lines', 'jane\nbob'],
    ['too long', 'x'.repeat(257)],
  ])('an owner that is %s stops the run with MS_GEN_INVALID_FLAG --owner', async (_what, owner) => {
    await expect(runInit('bad-owner', { owner })).rejects.toThrow(/MS_GEN_INVALID_FLAG: --owner .*1-256 characters/s);
  });

  test('asked interactively when no flag gave it', async () => {
    const { default: helpers } = await import('yeoman-test');
    const { APP } = await import('./helpers.js');
    const result = await helpers
      .run(APP, { namespace: 'model-service:app' })
      .withArguments(['init', 'asked-owner'])
      .withOptions({ skipInstall: true })
      .withAnswers({ owner: 'ml-platform@example.com' });
    expect(readYaml(join(result.cwd, 'asked-owner/release.yaml')).model.owner).toBe('ml-platform@example.com');
  });
});

describe('coverage threshold', () => {
  test('npm test measures coverage of src/ and fails below 80% of lines', async () => {
    const result = await runInit('covered');
    const pkg = JSON.parse(readFileSync(join(result.cwd, 'covered/package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/jest --coverage$/);
    const config = (
      (await import(pathToFileURL(join(result.cwd, 'covered/jest.config.js')).href)) as { default: Record<string, any> }
    ).default;
    expect(config.coverageThreshold.global.lines).toBeGreaterThanOrEqual(80);
    expect(config.collectCoverageFrom).toEqual(['<rootDir>/src/**/*.ts']);
    result.assertFileContent('covered/.gitignore', 'coverage/');
  });

  test('examples/churn carries the same threshold', () => {
    const config = readFileSync(join(ROOT, 'examples/churn/jest.config.js'), 'utf8');
    expect(config).toContain('coverageThreshold: { global: { lines: 80 } }');
  });
});

describe('dependency updates per CI provider', () => {
  test('github: Dependabot for npm and the actions, Renovate only for the ARG base image', async () => {
    const result = await runInit('bots-gh', { ci: 'github' });
    const dependabot = readYaml(join(result.cwd, 'bots-gh/.github/dependabot.yml'));
    expect(dependabot.version).toBe(2);
    expect(dependabot.updates.map((u: { 'package-ecosystem': string }) => u['package-ecosystem'])).toEqual([
      'npm',
      'github-actions',
    ]);
    for (const u of dependabot.updates) expect(u).toMatchObject({ directory: '/', schedule: { interval: 'weekly' } });
    const renovate = JSON.parse(readFileSync(join(result.cwd, 'bots-gh/renovate.json'), 'utf8'));
    expect(renovate.enabledManagers).toEqual(['dockerfile']);
    // What Renovate reads: the pinned default of the base-image build argument.
    result.assertFileContent('bots-gh/Dockerfile', /^ARG BASE_IMAGE=node:\d+\.\d+\.\d+-/m);
    result.assertFileContent('bots-gh/README.md', 'dependabot-core#2057');
  });

  test.each([
    ['circleci', ['npm', 'dockerfile', 'circleci']],
    ['none', ['npm', 'dockerfile']],
  ])('%s: Renovate for npm and the base image, no Dependabot', async (ci, managers) => {
    const result = await runInit(`bots-${ci}`, { ci });
    result.assertNoFile(`bots-${ci}/.github/dependabot.yml`);
    const renovate = JSON.parse(readFileSync(join(result.cwd, `bots-${ci}/renovate.json`), 'utf8'));
    expect(renovate.$schema).toBe('https://docs.renovatebot.com/renovate-schema.json');
    expect(renovate.enabledManagers).toEqual(managers);
    // A new Node major for the base image is never proposed on its own.
    expect(renovate.packageRules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ matchPackageNames: ['node'], matchUpdateTypes: ['major'], enabled: false }),
      ]),
    );
    result.assertFileContent(`bots-${ci}/README.md`, '`renovate.json` has Renovate');
  });
});

describe('README troubleshooting', () => {
  test('the four failure causes, each with the local command that reproduces it', async () => {
    const result = await runInit('trouble');
    const readme = readFileSync(join(result.cwd, 'trouble/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Troubleshooting'));
    expect(section.length).toBeGreaterThan(100);
    for (const [cause, command] of [
      ['not listening on 8080', 'docker run --rm -p 8080:8080 -e PORT=9090 trouble serve'],
      ['/ping too slow', "curl -o /dev/null -s -w '%{time_total}\\n' http://127.0.0.1:8080/ping"],
      ['model failed to load', 'docker run --rm --entrypoint ls trouble -l /opt/ml/code/model'],
      ['out of memory', 'docker run --rm -p 8080:8080 --memory 1g trouble serve'],
      ['out of memory', 'NODE_OPTIONS=--max-old-space-size=256 npm run bench'],
    ]) {
      const row = section.split('\n').find((line) => line.includes(`**${cause}**`));
      expect(row).toBeDefined();
      expect(row).toContain(command);
    }
  });

  test('every runtime and deployer error code, with what to do', async () => {
    const result = await runInit('codes');
    const readme = readFileSync(join(result.cwd, 'codes/README.md'), 'utf8');
    for (const [code, e] of Object.entries(DEPLOYER_ERRORS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain(e.hint.replace(/\|/g, '\\|'));
    }
    for (const code of Object.keys(RUNTIME_ERRORS)) expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\| `, 'm'));
  });
});

describe('JSDoc on the generated exported declarations', () => {
  /** `export ...` lines not preceded (directly) by the end of a JSDoc block. */
  function undocumented(dir: string, files: string[]): string[] {
    const missing: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(dir, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (
          /^export (async )?(function|const|interface|type|class) /.test(line) &&
          !lines[i - 1]?.trim().endsWith('*/')
        )
          missing.push(`${file}:${i + 1} ${line}`);
      });
    }
    return missing;
  }

  test.each(['typescript', 'onnx'])('%s kind: src/*.ts and tests/helpers.ts', async (modelKind) => {
    const result = await runInit(`docs-${modelKind}`, { modelKind });
    const dir = join(result.cwd, `docs-${modelKind}`);
    const sources = readdirSync(join(dir, 'src')).map((f) => `src/${f}`);
    expect(sources.length).toBeGreaterThanOrEqual(5);
    expect(undocumented(dir, [...sources, 'tests/helpers.ts'])).toEqual([]);
  });
});
