import { minimumWaitMinutes } from '../../src/resources/alarm-window.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { isDeployerError, type ErrorCode } from '../../src/errors.js';
import { environmentOf, loadRelease, parseRelease } from '../../src/release/load-release.js';
import { toYamlPath } from '../../src/release/validate.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/release/', import.meta.url));

const MINIMAL = `apiVersion: model-service/v1
model: { name: iris, team: data-science }
region: eu-west-1
environments:
  dev: { instanceType: ml.t2.medium }
`;

function failure(text: string): { code: ErrorCode; message: string; hint: string; params: Record<string, unknown> } {
  try {
    parseRelease(text);
  } catch (err) {
    if (isDeployerError(err)) return { code: err.code, message: err.message, hint: err.hint, params: err.params };
    throw err;
  }
  throw new Error('expected parseRelease to throw');
}

describe('loadRelease', () => {
  test('a project directory with the full example loads, keeps the given values and fills the rest', async () => {
    const release = await loadRelease(join(FIXTURES, 'full.yaml'));
    expect(release.image).toEqual({ repository: 'iris', keepLast: 5, platform: 'linux/amd64' });
    expect(release.slo).toEqual({ p95LatencyMs: 250, errorRate: 0.02 });
    expect(release.promotion.order).toEqual(['dev', 'prod']);
    expect(release.environments.prod?.autoscaling).toEqual({
      enabled: true,
      minCapacity: 2,
      maxCapacity: 4,
      targetInvocationsPerInstance: 100,
    });
  });

  test('a directory resolves to its release.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'release-'));
    await writeFile(join(dir, 'release.yaml'), MINIMAL);
    expect((await loadRelease(dir)).model.name).toBe('iris');
  });

  test('a missing file is MS_DEPLOY_RELEASE_NOT_FOUND naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'release-'));
    await expect(loadRelease(dir)).rejects.toMatchObject({
      code: 'MS_DEPLOY_RELEASE_NOT_FOUND',
      message: expect.stringContaining(join(dir, 'release.yaml')),
    });
  });

  test('a directory where the file should be is MS_DEPLOY_RELEASE_READ', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'release-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'release.yaml'));
    await expect(loadRelease(dir)).rejects.toMatchObject({ code: 'MS_DEPLOY_RELEASE_READ' });
  });
});

describe('parseRelease defaults', () => {
  test('the minimal file gets every documented default', () => {
    const r = parseRelease(MINIMAL);
    expect(r.model.kind).toBe('typescript');
    expect(r.image).toEqual({ repository: 'iris', keepLast: 10, platform: 'linux/amd64' });
    expect(r.cache).toEqual({ kind: 'memory', ttlSeconds: 300, maxEntries: 10000 });
    expect(r.slo).toEqual({ p95LatencyMs: 500, errorRate: 0.01 });
    expect(r.api).toEqual({
      apiKey: false,
      throttle: { rateLimit: 50, burstLimit: 100 },
      quota: { limit: 100000, period: 'MONTH' },
      cors: { allowOrigins: [] },
    });
    expect(r.promotion).toEqual({ order: ['dev'], strategy: 'canary', canaryPercent: 10, waitMinutes: 5 });
    expect(r.ci).toEqual({ provider: 'github' });
    expect(r.environments.dev).toEqual({
      instanceType: 'ml.t2.medium',
      instanceCount: 1,
      autoscaling: { enabled: false, minCapacity: 1, maxCapacity: 2, targetInvocationsPerInstance: 100 },
    });
    expect(r.iam).toBeUndefined();
  });

  test('default promotion order follows dev, qa, staging, prod whatever the file order', () => {
    const r = parseRelease(
      `${MINIMAL}  prod: { instanceType: ml.m5.large, instanceCount: 2 }\n  qa: { instanceType: ml.t2.medium }\n`,
    );
    expect(r.promotion.order).toEqual(['dev', 'qa', 'prod']);
  });

  test('the result is deeply frozen', () => {
    const r = parseRelease(MINIMAL);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.environments.dev?.autoscaling)).toBe(true);
    expect(() => {
      (r.environments.dev as { instanceCount: number }).instanceCount = 9;
    }).toThrow(TypeError);
  });

  test('environmentOf an undefined env is MS_DEPLOY_UNKNOWN_ENV listing the known ones', () => {
    const r = parseRelease(MINIMAL);
    expect(() => environmentOf(r, 'prod')).toThrow(
      expect.objectContaining({ code: 'MS_DEPLOY_UNKNOWN_ENV', message: expect.stringContaining('defined: dev') }),
    );
  });
});

describe('parseRelease errors name the step, the YAML path and the reason', () => {
  test('YAML syntax -> MS_DEPLOY_RELEASE_PARSE with the line', () => {
    const f = failure('apiVersion: model-service/v1\nmodel:\n  name: [unclosed\n');
    expect(f.code).toBe('MS_DEPLOY_RELEASE_PARSE');
    expect(f.message).toMatch(/line \d+/);
  });

  test('duplicate keys are a parse error, not a silent override', () => {
    expect(failure(`${MINIMAL}region: us-east-1\n`).code).toBe('MS_DEPLOY_RELEASE_PARSE');
  });

  test('a scalar document -> MS_DEPLOY_RELEASE_PARSE', () => {
    expect(failure('just a string').code).toBe('MS_DEPLOY_RELEASE_PARSE');
  });

  test.each([
    ['missing region', MINIMAL.replace('region: eu-west-1\n', ''), 'region', 'is required'],
    ['bad region', MINIMAL.replace('eu-west-1', 'Europe'), 'region', 'does not match'],
    ['bad model name', MINIMAL.replace('name: iris', 'name: Iris_Model'), 'model.name', 'does not match'],
    [
      'unknown instance type',
      MINIMAL.replace('ml.t2.medium', 'm5.large'),
      'environments.dev.instanceType',
      'must be one of: ml.t2.medium',
    ],
    ['unknown env name', MINIMAL.replace('  dev:', '  test:'), 'environments.test', 'not an allowed name'],
    [
      'typo in a field',
      MINIMAL.replace('instanceType: ml.t2.medium', 'instanceType: ml.t2.medium, instanceCont: 2'),
      'environments.dev.instanceCont',
      'not a known field',
    ],
    [
      'count below 1',
      MINIMAL.replace('instanceType: ml.t2.medium', 'instanceType: ml.t2.medium, instanceCount: 0'),
      'environments.dev.instanceCount',
      'must be >= 1',
    ],
    [
      'volume too big',
      MINIMAL.replace('instanceType: ml.t2.medium', 'instanceType: ml.t2.medium, volumeSizeGb: 1000'),
      'environments.dev.volumeSizeGb',
      'must be <= 512',
    ],
    ['wrong apiVersion', MINIMAL.replace('model-service/v1', 'v2'), 'apiVersion', 'must be "model-service/v1"'],
    [
      'quota period',
      `${MINIMAL}api: { quota: { period: YEAR } }\n`,
      'api.quota.period',
      'must be one of: DAY, WEEK, MONTH',
    ],
    [
      'bad role arn',
      `${MINIMAL}iam: { lambdaRoleArn: 'arn:aws:iam::12:role/x' }\n`,
      'iam.lambdaRoleArn',
      'does not match',
    ],
    [
      'no environments',
      MINIMAL.replace(/environments:[\s\S]*$/, 'environments: {}\n'),
      'environments',
      'must NOT have fewer than 1 properties',
    ],
    ['kmsKeyId not an ARN', `${MINIMAL}kmsKeyId: my-key\n`, 'kmsKeyId', 'does not match ^arn:aws'],
    [
      'per-env kmsKeyId of another service',
      MINIMAL.replace(
        '{ instanceType: ml.t2.medium }',
        "{ instanceType: ml.t2.medium, kmsKeyId: 'arn:aws:s3:eu-west-1:123456789012:key/abc' }",
      ),
      'environments.dev.kmsKeyId',
      'does not match',
    ],
    [
      'kmsKeyId with a short account',
      `${MINIMAL}kmsKeyId: 'arn:aws:kms:eu-west-1:1234:key/abc'\n`,
      'kmsKeyId',
      'does not match',
    ],
  ])('%s -> MS_DEPLOY_RELEASE_INVALID', (_name, text, yamlPath, reason) => {
    const f = failure(text);
    expect(f.code).toBe('MS_DEPLOY_RELEASE_INVALID');
    expect(f.params.yamlPath).toBe(yamlPath);
    expect(f.message).toContain(reason);
    expect(f.hint).toMatch(/Fix the value/);
  });

  test('a schema error leads with file:line:column of the field', () => {
    const text = MINIMAL.replace('instanceType: ml.t2.medium', 'instanceType: ml.t2.medium, instanceCount: 0');
    const f = failure(text);
    // line 5 is `  dev: { instanceType: ..., instanceCount: 0 }`; the key starts at column 38.
    expect(f.message).toMatch(/^release\.yaml:5:38: environments\.dev\.instanceCount must be >= 1/);
  });

  test('a missing field points at the mapping that lacks it', () => {
    const f = failure(MINIMAL.replace('{ instanceType: ml.t2.medium }', '{ instanceCount: 1 }'));
    expect(f.params.yamlPath).toBe('environments.dev.instanceType');
    expect(f.message).toMatch(/^release\.yaml:5:3: environments\.dev\.instanceType is required/);
  });

  test('a cross-field rule error names the line too', () => {
    const f = failure(
      MINIMAL.replace(
        '{ instanceType: ml.t2.medium }',
        '{ instanceType: ml.t2.medium, autoscaling: { minCapacity: 3, maxCapacity: 2 } }',
      ),
    );
    expect(f.code).toBe('MS_DEPLOY_RELEASE_AUTOSCALING_BOUNDS');
    expect(f.message).toMatch(/^release\.yaml:5:38: environments\.dev\.autoscaling/);
  });

  test('an unknown key leads with "did you mean" and drops the required error it causes', () => {
    const f = failure(MINIMAL.replace('{ instanceType: ml.t2.medium }', '{ instanceTyp: ml.t2.medium }'));
    expect(f.params.yamlPath).toBe('environments.dev.instanceTyp');
    expect(f.message).toMatch(/instanceTyp is not a known field: did you mean "instanceType"\?$/);
    expect(f.message).not.toMatch(/is required|more/);
  });

  test('an unknown environment name suggests the allowed one it resembles', () => {
    const f = failure(MINIMAL.replace('  dev:', '  prd:'));
    expect(f.message).toContain('did you mean "prod"?');
  });

  test('an unknown key with no close match lists the known fields', () => {
    const f = failure(`${MINIMAL}zebra: 1\n`);
    expect(f.message).toMatch(/zebra is not a known field; known here: apiVersion, model, /);
  });

  test('several problems are all reported, the first one as the path', () => {
    const f = failure(MINIMAL.replace('eu-west-1', 'x').replace('name: iris', 'name: I'));
    expect(f.message).toMatch(/and 1 more/);
  });

  test('min > max -> MS_DEPLOY_RELEASE_AUTOSCALING_BOUNDS', () => {
    const f = failure(
      MINIMAL.replace(
        '{ instanceType: ml.t2.medium }',
        '{ instanceType: ml.t2.medium, autoscaling: { minCapacity: 3, maxCapacity: 2 } }',
      ),
    );
    expect(f).toMatchObject({
      code: 'MS_DEPLOY_RELEASE_AUTOSCALING_BOUNDS',
      params: { yamlPath: 'environments.dev.autoscaling', min: 3, max: 2 },
    });
  });

  test('prod with autoscaling and one instance -> MS_DEPLOY_RELEASE_PROD_CAPACITY at instanceCount', () => {
    const f = failure(
      `${MINIMAL}  prod: { instanceType: ml.m5.large, instanceCount: 1, autoscaling: { enabled: true, minCapacity: 2, maxCapacity: 4 } }\n`,
    );
    expect(f).toMatchObject({
      code: 'MS_DEPLOY_RELEASE_PROD_CAPACITY',
      params: { yamlPath: 'environments.prod.instanceCount' },
    });
  });

  test('prod with autoscaling minCapacity 1 -> MS_DEPLOY_RELEASE_PROD_CAPACITY at minCapacity', () => {
    const f = failure(
      `${MINIMAL}  prod: { instanceType: ml.m5.large, instanceCount: 2, autoscaling: { enabled: true, minCapacity: 1, maxCapacity: 4 } }\n`,
    );
    expect(f).toMatchObject({
      code: 'MS_DEPLOY_RELEASE_PROD_CAPACITY',
      params: { yamlPath: 'environments.prod.autoscaling.minCapacity' },
    });
  });

  test('prod without autoscaling may run one instance', () => {
    expect(parseRelease(`${MINIMAL}  prod: { instanceType: ml.m5.large }\n`).environments.prod?.instanceCount).toBe(1);
  });

  test('kmsKeyId: a key ARN or alias ARN, top level and per environment', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const alias = 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/team/ms-iris';
    const r = parseRelease(
      `${MINIMAL}  prod: { instanceType: ml.m5.large, kmsKeyId: '${alias}' }\nkmsKeyId: '${key}'\n`,
    );
    expect(r.kmsKeyId).toBe(key);
    expect(r.environments.prod?.kmsKeyId).toBe(alias);
    expect(r.environments.dev?.kmsKeyId).toBeUndefined();
    expect(parseRelease(MINIMAL).kmsKeyId).toBeUndefined();
  });

  test('promotion.order naming an undefined env -> MS_DEPLOY_RELEASE_PROMOTION_ORDER with the index', () => {
    const f = failure(`${MINIMAL}promotion: { order: [dev, staging] }\n`);
    expect(f).toMatchObject({
      code: 'MS_DEPLOY_RELEASE_PROMOTION_ORDER',
      params: { yamlPath: 'promotion.order[1]', env: 'staging' },
    });
  });
});

describe('promotion.waitMinutes floor: the bake must let the rollback alarms fire', () => {
  test('below the alarm window (3 x 60 s + 60 s publish delay = 4 min) -> MS_DEPLOY_RELEASE_WAIT_TOO_SHORT', () => {
    expect(minimumWaitMinutes()).toBe(4);
    const f = failure(`${MINIMAL}promotion: { strategy: linear, waitMinutes: 3 }\n`);
    expect(f).toMatchObject({ code: 'MS_DEPLOY_RELEASE_WAIT_TOO_SHORT', params: { value: 3, floor: 4 } });
    expect(f.message).toContain('3 periods of 60s');
  });

  test('at the floor it loads; all-at-once has no partial step to bake', () => {
    expect(parseRelease(`${MINIMAL}promotion: { waitMinutes: 4 }\n`).promotion.waitMinutes).toBe(4);
    expect(parseRelease(`${MINIMAL}promotion: { strategy: all-at-once, waitMinutes: 0 }\n`).promotion.waitMinutes).toBe(
      0,
    );
  });
});

test('toYamlPath renders array indexes and escaped keys', () => {
  expect(toYamlPath('/promotion/order/1')).toBe('promotion.order[1]');
  expect(toYamlPath('', 'region')).toBe('region');
  expect(toYamlPath('')).toBe('(top level)');
});
