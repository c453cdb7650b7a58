// Invalid flag values stop the run with a message naming the flag and the allowed values,
// before any file is written.
import { readdirSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import helpers from 'yeoman-test';
import { APP, genOptions } from './helpers.js';

async function failing(name: string | undefined, flags: Record<string, unknown>) {
  const context = helpers
    .run(APP, { namespace: 'model-service:app' })
    .withArguments(name ? ['init', name] : ['init'])
    .withOptions(genOptions({ yes: true, skipInstall: true, ...flags }));
  let error: (Error & { code?: string }) | undefined;
  try {
    await context;
  } catch (err) {
    error = err as Error & { code?: string };
  }
  expect(error).toBeDefined();
  // Nothing on disk: not the project folder, not .yo-rc.json.
  expect(readdirSync(context.targetDirectory!)).toEqual([]);
  return error!;
}

describe('bad flags', () => {
  test.each([
    ['cache', 'disk', '--cache "disk"', 'off, memory, redis'],
    ['ci', 'jenkins', '--ci "jenkins"', 'github, circleci, none'],
    ['modelKind', 'pytorch', '--model-kind "pytorch"', 'typescript, onnx'],
    ['environments', 'dev,preprod', '--environments "preprod"', 'dev, qa, staging, prod'],
    ['instanceType', 'm5.large', '--instance-type "m5.large"', 'ml.t2.medium'],
    ['instanceType', 'dev=ml.t2.medium,prod', '--instance-type', 'env=value'],
    ['instanceCount', '0', '--instance-count "0"', '1..100'],
    ['instanceCount', 'two', '--instance-count "two"', '1..100'],
    ['volumeSize', '1000', '--volume-size "1000"', '1..512'],
    ['cacheTtl', '-5', '--cache-ttl "-5"', '1..604800'],
    ['region', 'Europe', '--region "Europe"', 'eu-west-1'],
    ['team', 'risk#models', '--team "risk#models"', 'ml, data-science'],
    ['region', 'zz-nowhere-9', '--region "zz-nowhere-9"', 'not an AWS region'],
    ['instanceCount', 'dev=1,qa=2', '--instance-count "qa=2"', 'dev, staging, prod (or add qa to --environments)'],
    ['instanceType', 'qa=ml.m5.large', '--instance-type "qa=ml.m5.large"', 'qa is not a generated environment'],
    ['autoscaling', 'qa', '--autoscaling "qa"', 'dev, staging, prod'],
  ])('--%s %s', async (flag, value, named, allowed) => {
    const error = await failing('churn', { [flag]: value });
    expect(error.code).toBe('MS_GEN_INVALID_FLAG');
    expect(error.message).toContain(named);
    expect(error.message).toContain(allowed);
  });

  test('an invalid model name is refused', async () => {
    const error = await failing('Churn_Model', {});
    // The positional name is --model-name: the error names the flag that exists.
    expect(error.message).toContain('--model-name "Churn_Model"');
  });

  test('prod autoscaling with one instance is refused, naming the fix', async () => {
    const error = await failing('churn', { instanceCount: 'prod=1' });
    expect(error.code).toBe('MS_GEN_PROD_NEEDS_TWO_INSTANCES');
    expect(error.message).toContain('--instance-count prod=2');
  });

  test('min capacity above max capacity is refused', async () => {
    const error = await failing('churn', { autoscaling: 'dev', minCapacity: 'dev=3', maxCapacity: 'dev=2' });
    expect(error.code).toBe('MS_GEN_CAPACITY_RANGE');
  });

  test('a --runtime-source that is neither a tgz nor a package folder is refused', async () => {
    const error = await failing('churn', { runtimeSource: '/nonexistent/runtime.tgz' });
    expect(error.code).toBe('MS_GEN_RUNTIME_SOURCE');
  });
});
