// yeoman-test runs for every answer that changes the output: environment sets, cache
// kinds, CI providers, model kinds. Each emitted release.yaml must validate against the
// deployer's schema.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseRelease } from '@model-service/deployer';
import { readYaml, releaseValidator, runInit } from './helpers.js';

const CORE = [
  'src/app.ts',
  'src/server.ts',
  'src/model_loader.ts',
  'src/prediction.ts',
  'src/health.ts',
  'tests/health.test.ts',
  'tests/inference.test.ts',
  'tests/invalid-input.test.ts',
  'tests/golden.test.ts',
  'tests/golden.jsonl',
  'model/metrics.json',
  'tests/model-artifact.test.ts',
  'tests/model-loader.test.ts',
  'jest.config.js',
  'renovate.json',
  'Dockerfile',
  '.dockerignore',
  '.gitignore',
  'package.json',
  'release.yaml',
  'README.md',
  'sample-request.json',
  'bench/load.js',
  'tsconfig.json',
  '.yo-rc.json',
];

function validRelease(path: string): Record<string, any> {
  const release = readYaml(path);
  const validate = releaseValidator();
  const ok = validate(structuredClone(release));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  return release;
}

describe('defaults (--yes)', () => {
  test('writes the whole project into ./<name> with dev, staging, prod', async () => {
    const result = await runInit('churn');
    result.assertFile(CORE.map((f) => `churn/${f}`));
    result.assertFile([
      'churn/model/churn-model.json',
      'churn/.github/workflows/ci.yml',
      'churn/.github/dependabot.yml',
    ]);
    result.assertNoFile(['churn/.circleci/config.yml', 'churn/.npmrc', 'churn/model/churn.onnx']);
    const release = validRelease(join(result.cwd, 'churn/release.yaml'));
    expect(Object.keys(release.environments)).toEqual(['dev', 'staging', 'prod']);
    expect(release.environments.dev).toMatchObject({
      instanceType: 'ml.t2.medium',
      instanceCount: 1,
      autoscaling: { enabled: false },
    });
    expect(release.environments.prod).toMatchObject({
      instanceType: 'ml.m5.large',
      instanceCount: 2,
      autoscaling: { enabled: true, minCapacity: 2, maxCapacity: 4, targetInvocationsPerInstance: 100 },
    });
    expect(release.model).toMatchObject({
      name: 'churn',
      team: 'data-science',
      kind: 'typescript',
      artifact: 'model/churn-model.json',
    });
    expect(release.promotion.order).toEqual(['dev', 'staging', 'prod']);
    result.assertJsonFileContent('churn/package.json', {
      name: 'churn',
      type: 'module',
      dependencies: { '@model-service/runtime': '^0.1.0' },
      scripts: {
        start: 'exec node dist/server.js serve',
        build: 'tsc -p tsconfig.json',
        bench: 'tsc -p tsconfig.json && node bench/load.js',
      },
    });
    result.assertFileContent('churn/src/app.ts', "MS_CACHE: 'memory'");
    result.assertFileContent('churn/src/model_loader.ts', "name: 'churn'");
  });

  test('the model sha256 in release.yaml is the artifact hash, pinned in src/model_loader.ts too', async () => {
    const { createHash } = await import('node:crypto');
    const result = await runInit('hash-check');
    const release = readYaml(join(result.cwd, 'hash-check/release.yaml'));
    const bytes = readFileSync(join(result.cwd, 'hash-check', release.model.artifact));
    expect(release.model.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    result.assertFileContent(
      'hash-check/src/model_loader.ts',
      `export const MODEL_SHA256 = '${release.model.sha256}';`,
    );
  });

  test.each(['typescript', 'onnx'])(
    '%s: the model version is that sha256, with no hand-kept version beside it',
    async (modelKind) => {
      const result = await runInit(`version-${modelKind}`, { modelKind });
      result.assertFileContent(`version-${modelKind}/src/model_loader.ts`, 'version: MODEL_SHA256,');
      result.assertNoFileContent(`version-${modelKind}/src/model_loader.ts`, 'MODEL_VERSION');
      result.assertFileContent(
        `version-${modelKind}/tests/model-loader.test.ts`,
        'expect(createModel().version).toBe(MODEL_SHA256)',
      );
    },
  );
});

describe('environment sets', () => {
  test.each([
    ['dev', ['dev']],
    ['dev,prod', ['dev', 'prod']],
    ['prod,qa,dev,staging', ['dev', 'qa', 'staging', 'prod']],
  ])('--environments %s', async (flag, expected) => {
    const result = await runInit('envs', { environments: flag });
    const release = validRelease(join(result.cwd, 'envs/release.yaml'));
    expect(Object.keys(release.environments)).toEqual(expected);
    expect(release.promotion.order).toEqual(expected);
    const ci = readFileSync(join(result.cwd, 'envs/.github/workflows/ci.yml'), 'utf8');
    expect(ci).toContain(`model-deploy up ${expected[0]}`);
    for (const env of expected.slice(1)) expect(ci).toContain(`model-deploy promote ${env}`);
    expect(ci.match(/run: npx .*model-deploy promote/g)?.length ?? 0).toBe(expected.length - 1);
  });

  test('per-environment instance types, counts and autoscaling bounds', async () => {
    const result = await runInit('sized', {
      environments: 'dev,qa,prod',
      instanceType: 'dev=ml.t2.large,prod=ml.g4dn.xlarge',
      instanceCount: 'prod=3',
      autoscaling: 'qa,prod',
      maxCapacity: 'prod=8',
      targetInvocations: '250',
      volumeSize: '30',
      region: 'us-east-1',
    });
    const release = validRelease(join(result.cwd, 'sized/release.yaml'));
    expect(release.region).toBe('us-east-1');
    expect(release.environments.dev).toMatchObject({ instanceType: 'ml.t2.large', instanceCount: 1, volumeSizeGb: 30 });
    expect(release.environments.qa).toMatchObject({
      instanceType: 'ml.t2.medium',
      autoscaling: { enabled: true, minCapacity: 1, maxCapacity: 2 },
    });
    expect(release.environments.prod).toMatchObject({
      instanceType: 'ml.g4dn.xlarge',
      instanceCount: 3,
      autoscaling: { enabled: true, minCapacity: 3, maxCapacity: 8, targetInvocationsPerInstance: 250 },
    });
    // g4dn has NVMe instance storage: SageMaker refuses a volume size for it.
    expect(release.environments.prod.volumeSizeGb).toBeUndefined();
  });

  test('--autoscaling none turns prod autoscaling off, and then one prod instance is allowed', async () => {
    const result = await runInit('single', { autoscaling: 'none', instanceCount: '1' });
    const release = validRelease(join(result.cwd, 'single/release.yaml'));
    expect(release.environments.prod).toMatchObject({ instanceCount: 1, autoscaling: { enabled: false } });
  });
});

describe('cache kinds', () => {
  test('off: no TTL in release.yaml, MS_CACHE off', async () => {
    const result = await runInit('nocache', { cache: 'off' });
    const release = validRelease(join(result.cwd, 'nocache/release.yaml'));
    expect(release.cache).toEqual({ kind: 'off' });
    result.assertFileContent('nocache/src/app.ts', "MS_CACHE: 'off'");
    result.assertNoFileContent('nocache/src/app.ts', 'MS_CACHE_TTL');
  });

  test('memory with TTL and size', async () => {
    const result = await runInit('memcache', { cache: 'memory', cacheTtl: '60', cacheMaxEntries: '500' });
    expect(validRelease(join(result.cwd, 'memcache/release.yaml')).cache).toEqual({
      kind: 'memory',
      ttlSeconds: 60,
      maxEntries: 500,
    });
    result.assertFileContent([
      ['memcache/src/app.ts', "MS_CACHE_TTL: '60'"],
      ['memcache/src/app.ts', "MS_CACHE_MAX_ENTRIES: '500'"],
    ]);
  });

  test('redis: release.yaml says redis with the VPC the cache lives in, tests use the in-process cache, README asks for MS_REDIS_URL', async () => {
    const result = await runInit('rediscache', {
      cache: 'redis',
      vpcSubnets: 'subnet-0a1b2c3d,subnet-4e5f6a7b',
      vpcSecurityGroups: 'sg-0a1b2c3d',
    });
    const path = join(result.cwd, 'rediscache/release.yaml');
    expect(validRelease(path).cache.kind).toBe('redis');
    // The deployer's own loader (schema and cross-field rules: a provisioned cache needs a vpc) accepts it.
    const release = parseRelease(readFileSync(path, 'utf8'), path);
    expect(release.vpc).toMatchObject({
      subnetIds: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
      securityGroupIds: ['sg-0a1b2c3d'],
    });
    result.assertFileContent([
      ['rediscache/src/app.ts', "MS_CACHE: 'redis'"],
      ['rediscache/tests/helpers.ts', "MS_CACHE: 'memory'"],
      ['rediscache/README.md', 'MS_REDIS_URL'],
    ]);
  });
});

test('redis without a VPC stops before writing, naming the flags that give one', async () => {
  await expect(runInit('novpc', { cache: 'redis' })).rejects.toThrow(
    /MS_GEN_INVALID_FLAG: --cache "redis" is not valid: the redis cache is an ElastiCache cache in your VPC.*--vpc-subnets .*--vpc-security-groups/s,
  );
  await expect(runInit('halfvpc', { cache: 'redis', vpcSubnets: 'subnet-0a1b2c3d' })).rejects.toThrow(
    /--vpc-subnets "subnet-0a1b2c3d" is not valid: a VPC needs both .* --vpc-security-groups is not given/s,
  );
});

describe('CI providers', () => {
  test('github: tests, image build, up on main, promote prod in an environment (manual approval)', async () => {
    const result = await runInit('github-ci', { ci: 'github' });
    const ci = readYaml(join(result.cwd, 'github-ci/.github/workflows/ci.yml'));
    const steps = JSON.stringify(ci.jobs.test.steps);
    expect(steps).toContain('npm test');
    expect(steps).toContain('docker build');
    expect(ci.jobs['deploy-dev'].if).toContain('refs/heads/main');
    expect(JSON.stringify(ci.jobs['deploy-dev'].steps)).toContain('model-deploy up dev');
    expect(ci.jobs['promote-prod']).toMatchObject({ environment: 'prod', needs: 'promote-staging' });
    expect(JSON.stringify(ci.jobs['promote-prod'].steps)).toContain('model-deploy promote prod');
    expect(JSON.stringify(ci)).not.toMatch(/secrets\.|AKIA/);
    result.assertNoFile('github-ci/.circleci/config.yml');
  });

  test('circleci: an approval job gates promote prod', async () => {
    const result = await runInit('circle', { ci: 'circleci' });
    result.assertNoFile('circle/.github/workflows/ci.yml');
    const ci = readYaml(join(result.cwd, 'circle/.circleci/config.yml'));
    const jobs = ci.workflows['test-and-deploy'].jobs as Array<Record<string, any>>;
    const byName = Object.fromEntries(
      jobs.map((j) => [
        Object.keys(j)[0] === 'deploy' ? j.deploy.name : Object.keys(typeof j === 'string' ? { [j]: 1 } : j)[0],
        j,
      ]),
    );
    expect(byName['approve-prod']['approve-prod'].type).toBe('approval');
    expect(byName['promote-prod'].deploy).toMatchObject({
      command: 'promote',
      env: 'prod',
      requires: ['approve-prod'],
    });
    expect(byName['deploy-dev'].deploy).toMatchObject({
      command: 'up',
      env: 'dev',
      filters: { branches: { only: 'main' } },
    });
    expect(JSON.stringify(ci.jobs.test.steps)).toContain('docker build');
    expect(validRelease(join(result.cwd, 'circle/release.yaml')).ci.provider).toBe('circleci');
  });

  test('none: no CI file', async () => {
    const result = await runInit('noci', { ci: 'none' });
    result.assertNoFile(['noci/.github/workflows/ci.yml', 'noci/.circleci/config.yml']);
    expect(validRelease(join(result.cwd, 'noci/release.yaml')).ci.provider).toBe('none');
  });
});

describe('model kinds', () => {
  test('onnx: a .onnx artifact, onnxruntime-node, .npmrc that skips the CUDA download', async () => {
    const result = await runInit('onnxy', { modelKind: 'onnx' });
    result.assertFile(['onnxy/model/onnxy.onnx', 'onnxy/.npmrc', 'onnxy/tests/model-loader.test.ts']);
    result.assertFileContent('onnxy/tests/model-loader.test.ts', 'not an ONNX model');
    // The TypeScript scorer is not shipped where ONNX does the math (no dead code to cover).
    result.assertNoFileContent('onnxy/src/prediction.ts', 'scoreLogistic');
    // Jest's VM realm has its own Float32Array, which onnxruntime-node's instanceof checks reject.
    result.assertFileContent([
      ['onnxy/jest.config.js', "testEnvironment: '<rootDir>/tests/onnx-environment.js'"],
      ['onnxy/tests/onnx-environment.js', 'this.global[name] = globalThis[name]'],
    ]);
    result.assertJsonFileContent('onnxy/package.json', { devDependencies: { 'jest-environment-node': '^30.5.2' } });
    result.assertNoFile('onnxy/model/onnxy-model.json');
    result.assertJsonFileContent('onnxy/package.json', { dependencies: { 'onnxruntime-node': '~1.30.0' } });
    result.assertFileContent([
      ['onnxy/src/model_loader.ts', "from 'onnxruntime-node'"],
      ['onnxy/.npmrc', 'onnxruntime-node-install=skip'],
      ['onnxy/Dockerfile', 'COPY package*.json .npmrc ./'],
    ]);
    const release = validRelease(join(result.cwd, 'onnxy/release.yaml'));
    expect(release.model).toMatchObject({ kind: 'onnx', artifact: 'model/onnxy.onnx' });
  });

  test('typescript: weights JSON, no onnxruntime', async () => {
    const result = await runInit('plain', { modelKind: 'typescript' });
    result.assertNoJsonFileContent('plain/package.json', { dependencies: { 'onnxruntime-node': '~1.30.0' } });
    result.assertFileContent('plain/src/model_loader.ts', 'scoreLogistic');
    result.assertFileContent('plain/jest.config.js', "testEnvironment: 'node'");
    result.assertNoFile('plain/tests/onnx-environment.js');
  });
});

describe('serverless environments', () => {
  test('--serverless dev writes a serverless block for dev only, and the deployer accepts it', async () => {
    const result = await runInit('sls', { serverless: 'dev' });
    const path = join(result.cwd, 'sls/release.yaml');
    const release = parseRelease(readFileSync(path, 'utf8'), path);
    expect(release.environments.dev!.serverless).toEqual({ memoryMb: 2048, maxConcurrency: 5 });
    expect(release.environments.dev!.instanceType).toBeUndefined();
    expect(release.environments.dev!.autoscaling.enabled).toBe(false);
    // The others keep their instances; prod its default autoscaling.
    expect(release.environments.staging).toMatchObject({ instanceType: 'ml.m5.large' });
    expect(release.environments.staging!.serverless).toBeUndefined();
    expect(release.environments.prod!.autoscaling.enabled).toBe(true);
  });

  test('default off: no serverless block anywhere', async () => {
    const result = await runInit('nosls');
    const release = validRelease(join(result.cwd, 'nosls/release.yaml'));
    for (const env of Object.values(release.environments)) expect(env).not.toHaveProperty('serverless');
  });

  test('--serverless prod with prod autoscaling by default: prod is serverless, autoscaling off for it', async () => {
    const result = await runInit('slsprod', { serverless: 'dev,prod' });
    const path = join(result.cwd, 'slsprod/release.yaml');
    const release = parseRelease(readFileSync(path, 'utf8'), path);
    expect(release.environments.prod!.serverless).toEqual({ memoryMb: 2048, maxConcurrency: 5 });
    expect(release.environments.prod!.autoscaling.enabled).toBe(false);
  });

  test('contradictions stop before writing: an environment not generated, autoscaling or a VPC for a serverless one', async () => {
    await expect(runInit('slsqa', { serverless: 'qa' })).rejects.toThrow(
      /MS_GEN_INVALID_FLAG: --serverless "qa" is not valid: that environment is not generated/,
    );
    await expect(runInit('slsscale', { serverless: 'prod', autoscaling: 'prod' })).rejects.toThrow(
      /--autoscaling "prod" is not valid: prod is serverless/,
    );
    await expect(
      runInit('slsvpc', {
        serverless: 'dev',
        cache: 'redis',
        vpcSubnets: 'subnet-0a1b2c3d',
        vpcSecurityGroups: 'sg-0a1b2c3d',
      }),
    ).rejects.toThrow(/--serverless "dev" is not valid: a serverless endpoint cannot run in a VPC/);
  });

  test('the prompt asks per environment whether it is serverless', async () => {
    const { default: helpers } = await import('yeoman-test');
    const { APP } = await import('./helpers.js');
    const result = await helpers
      .run(APP, { namespace: 'model-service:app' })
      .withArguments(['init'])
      .withOptions({ skipInstall: true })
      .withAnswers({
        name: 'askedsls',
        environments: ['dev', 'prod'],
        serverless_dev: true,
        serverless_prod: false,
        instanceType_prod: 'ml.m5.xlarge',
        instanceCount_prod: 2,
        autoscaling: ['prod'],
        cache: 'off',
        region: 'eu-west-1',
        ci: 'github',
        modelKind: 'typescript',
      });
    const path = join(result.cwd, 'askedsls/release.yaml');
    const release = parseRelease(readFileSync(path, 'utf8'), path);
    expect(release.environments.dev!.serverless).toEqual({ memoryMb: 2048, maxConcurrency: 5 });
    expect(release.environments.prod).toMatchObject({ instanceType: 'ml.m5.xlarge', instanceCount: 2 });
  });
});

describe('interactive answers', () => {
  test('prompt answers shape the project like flags do', async () => {
    const { default: helpers } = await import('yeoman-test');
    const { APP } = await import('./helpers.js');
    const result = await helpers
      .run(APP, { namespace: 'model-service:app' })
      .withArguments(['init'])
      .withOptions({ skipInstall: true })
      .withAnswers({
        name: 'asked',
        team: 'risk',
        environments: ['dev', 'prod'],
        instanceType_dev: 'ml.c5.large',
        instanceCount_dev: 1,
        instanceType_prod: 'ml.m5.xlarge',
        instanceCount_prod: 2,
        autoscaling: ['prod'],
        minCapacity_prod: 2,
        maxCapacity_prod: 6,
        targetInvocations: 300,
        cache: 'off',
        region: 'ap-southeast-2',
        volumeSize: 20,
        ci: 'circleci',
        modelKind: 'typescript',
      });
    const release = validRelease(join(result.cwd, 'asked/release.yaml'));
    expect(release.model.team).toBe('risk');
    expect(release.region).toBe('ap-southeast-2');
    expect(release.environments.dev).toMatchObject({ instanceType: 'ml.c5.large', volumeSizeGb: 20 });
    expect(release.environments.prod.autoscaling).toEqual({
      enabled: true,
      minCapacity: 2,
      maxCapacity: 6,
      targetInvocationsPerInstance: 300,
    });
    result.assertFile('asked/.circleci/config.yml');
  });
});
