// Running the generator again in an existing project: Yeoman's conflict handling decides
// (asks; --force overwrites), package.json is merged, stored answers are reused.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import helpers from 'yeoman-test';
import { APP, genOptions, readYaml } from './helpers.js';

const EDITED_APP = '// my own app.ts\nexport const mine = true;\n';
const USER_PACKAGE = {
  name: 'churn',
  version: '2.3.0',
  description: 'our churn service',
  scripts: { test: 'jest --runInBand', lint: 'eslint .' },
  dependencies: { lodash: '^4.17.21' },
};
const STORED = {
  'generator-model-service': {
    answers: {
      name: 'churn',
      team: 'growth',
      environments: ['dev', 'prod'],
      env: {
        dev: { instanceType: 'ml.c5.large', instanceCount: 1, autoscaling: false, minCapacity: 1, maxCapacity: 2 },
        prod: { instanceType: 'ml.m5.xlarge', instanceCount: 3, autoscaling: true, minCapacity: 3, maxCapacity: 9 },
      },
      cache: 'off',
      ci: 'none',
      region: 'us-west-2',
      modelKind: 'typescript',
    },
  },
};

/** A project on disk (conflicts are detected against the disk), then `init churn` in its parent. */
function existingProject(force: boolean) {
  return helpers
    .run(APP, { namespace: 'model-service:app' }, { force })
    .doInDir((dir) => {
      mkdirSync(join(dir, 'churn', 'src'), { recursive: true });
      writeFileSync(join(dir, 'churn/src/app.ts'), EDITED_APP);
      writeFileSync(join(dir, 'churn/package.json'), JSON.stringify(USER_PACKAGE, null, 2));
      writeFileSync(join(dir, 'churn/.yo-rc.json'), JSON.stringify(STORED, null, 2));
    })
    .withArguments(['init', 'churn']);
}

describe('re-run on an existing project', () => {
  test('a conflicting file is asked about; answering "skip" keeps the user code', async () => {
    const asked: string[] = [];
    const result = await existingProject(false)
      .withOptions(genOptions({ yes: true, skipInstall: true, force: false }))
      .withAnswers(
        {},
        {
          callback: (answer, { question }) => {
            if (question.name !== 'action') return answer;
            asked.push(question.message);
            return 'skip';
          },
        },
      );
    expect(asked).toEqual(expect.arrayContaining(['Overwrite churn/src/app.ts?']));
    // On disk (the run result's own asserts read the in-memory file system).
    expect(readFileSync(join(result.cwd, 'churn/src/app.ts'), 'utf8')).toBe(EDITED_APP);
    expect(readFileSync(join(result.cwd, 'churn/src/model_loader.ts'), 'utf8')).toContain('createModel');
  });

  test('--force overwrites the conflicting file', async () => {
    const result = await existingProject(true).withOptions(genOptions({ yes: true, skipInstall: true, force: true }));
    const onDisk = readFileSync(join(result.cwd, 'churn/src/app.ts'), 'utf8');
    expect(onDisk).toContain('buildService');
    expect(onDisk).not.toContain('my own app.ts');
  });

  test('package.json is merged: the user keeps their fields, the project gets what it needs', async () => {
    const result = await existingProject(true).withOptions(genOptions({ yes: true, skipInstall: true, force: true }));
    const pkg = JSON.parse(readFileSync(join(result.cwd, 'churn/package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      version: '2.3.0',
      description: 'our churn service',
      scripts: {
        test: 'jest --runInBand',
        lint: 'eslint .',
        start: 'exec node dist/server.js serve',
        bench: expect.any(String),
      },
      dependencies: { lodash: '^4.17.21', '@model-service/runtime': '^0.1.0' },
      devDependencies: { jest: expect.any(String), 'ts-jest': expect.any(String) },
    });
  });

  test('answers stored in .yo-rc.json are reused by --yes', async () => {
    const result = await existingProject(true).withOptions(genOptions({ yes: true, skipInstall: true, force: true }));
    const release = readYaml(join(result.cwd, 'churn/release.yaml'));
    expect(release.model.team).toBe('growth');
    expect(release.region).toBe('us-west-2');
    expect(Object.keys(release.environments)).toEqual(['dev', 'prod']);
    expect(release.environments.prod).toMatchObject({
      instanceType: 'ml.m5.xlarge',
      instanceCount: 3,
      autoscaling: { minCapacity: 3, maxCapacity: 9 },
    });
    result.assertNoFile('churn/.github/workflows/ci.yml');
  });

  test('a flag on the re-run wins over the stored answer', async () => {
    const result = await existingProject(true).withOptions(
      genOptions({ yes: true, skipInstall: true, force: true, cache: 'memory' }),
    );
    expect(readYaml(join(result.cwd, 'churn/release.yaml')).cache.kind).toBe('memory');
    expect(
      JSON.parse(readFileSync(join(result.cwd, 'churn/.yo-rc.json'), 'utf8'))['generator-model-service'].answers.cache,
    ).toBe('memory');
  });
});

describe('re-run of a project generated with --runtime-source <tgz>', () => {
  test('without the flag it keeps the vendored runtime: package.json and the Dockerfile stay in step', async () => {
    const result = await helpers
      .run(APP, { namespace: 'model-service:app' }, { force: true })
      .doInDir((dir) => {
        mkdirSync(join(dir, 'churn', 'vendor'), { recursive: true });
        writeFileSync(join(dir, 'churn/vendor/model-service-runtime-0.1.0.tgz'), 'tarball');
        writeFileSync(
          join(dir, 'churn/package.json'),
          JSON.stringify({
            name: 'churn',
            dependencies: { '@model-service/runtime': 'file:vendor/model-service-runtime-0.1.0.tgz' },
          }),
        );
        writeFileSync(join(dir, 'churn/.yo-rc.json'), JSON.stringify(STORED, null, 2));
      })
      .withArguments(['init', 'churn'])
      .withOptions(genOptions({ yes: true, skipInstall: true, force: true }));
    const pkg = JSON.parse(readFileSync(join(result.cwd, 'churn/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['@model-service/runtime']).toBe('file:vendor/model-service-runtime-0.1.0.tgz');
    expect(readFileSync(join(result.cwd, 'churn/Dockerfile'), 'utf8')).toMatch(/^COPY vendor\/ \.\/vendor\//m);
  });
});
