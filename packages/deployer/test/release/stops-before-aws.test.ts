// Every release.yaml problem (each step's own code) stops `plan` and `up`
// before any AWS client is created or called.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { ErrorCode } from '../../src/errors.js';
import { mockAll, RELEASE_YAML, restoreAll, sentCommands, type Mocks } from '../helpers/aws-context.js';
import { cli, tempProject } from '../helpers/cli-harness.js';

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
});
afterEach(() => restoreAll(mocks));

const CASES: [string, ErrorCode, Record<string, string>, string[]][] = [
  ['no release.yaml', 'MS_DEPLOY_RELEASE_NOT_FOUND', {}, ['up', 'dev']],
  ['broken YAML', 'MS_DEPLOY_RELEASE_PARSE', { 'release.yaml': 'model: [\n' }, ['up', 'dev']],
  [
    'schema violation',
    'MS_DEPLOY_RELEASE_INVALID',
    { 'release.yaml': RELEASE_YAML.replace('ml.t2.medium', 'ml.t2.gigantic') },
    ['up', 'dev'],
  ],
  [
    'min > max',
    'MS_DEPLOY_RELEASE_AUTOSCALING_BOUNDS',
    { 'release.yaml': RELEASE_YAML.replace('minCapacity: 2, maxCapacity: 4', 'minCapacity: 5, maxCapacity: 4') },
    ['plan', 'prod'],
  ],
  [
    'prod too small',
    'MS_DEPLOY_RELEASE_PROD_CAPACITY',
    { 'release.yaml': RELEASE_YAML.replace('instanceCount: 2', 'instanceCount: 1') },
    ['plan', 'dev'],
  ],
  [
    'promotion order',
    'MS_DEPLOY_RELEASE_PROMOTION_ORDER',
    { 'release.yaml': `${RELEASE_YAML}promotion: { order: [dev, qa, prod] }\n` },
    ['up', 'dev'],
  ],
  [
    'bake shorter than the alarms need',
    'MS_DEPLOY_RELEASE_WAIT_TOO_SHORT',
    { 'release.yaml': `${RELEASE_YAML}promotion: { waitMinutes: 0 }\n` },
    ['up', 'prod'],
  ],
  ['unknown env', 'MS_DEPLOY_UNKNOWN_ENV', { 'release.yaml': RELEASE_YAML }, ['up', 'staging']],
  [
    'up on a later environment than the first',
    'MS_DEPLOY_UP_NOT_FIRST',
    { 'release.yaml': RELEASE_YAML },
    ['up', 'prod'],
  ],
];

describe('bad release.yaml -> no AWS call', () => {
  test.each(CASES)('%s -> %s', async (_name, code, files, argv) => {
    const project = tempProject(files);
    let clientsCreated = 0;
    const run = await cli([...argv, '--dir', project.dir], {
      deps: {
        createClients: () => {
          clientsCreated += 1;
          throw new Error('no client may be created');
        },
      },
    });
    project.cleanup();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${code}:`);
    expect(run.stderr).toContain('->'); // what to do
    expect(clientsCreated).toBe(0);
    expect(sentCommands(mocks)).toEqual([]);
  });
});

test('up --force on a later environment passes the promotion guard (and warns that it bypasses promote)', async () => {
  const project = tempProject({ 'release.yaml': RELEASE_YAML });
  let clientsCreated = 0;
  const run = await cli(['up', 'prod', '--force', '--dir', project.dir], {
    deps: {
      createClients: () => {
        clientsCreated += 1;
        throw new Error('stop at the first client');
      },
    },
  });
  project.cleanup();
  expect(clientsCreated).toBe(1);
  expect(run.stderr).not.toContain('MS_DEPLOY_UP_NOT_FIRST');
  expect(run.stderr).toContain('warning: up prod --force bypasses the promotion');
});
