import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DescribeImagesCommand, GetAuthorizationTokenCommand, ImageNotFoundException } from '@aws-sdk/client-ecr';
import type { CommandRunner } from '../../src/context.js';
import { isDeployerError } from '../../src/errors.js';
import { buildCommand } from '../../src/resources/image-commands.js';
import { parseImageRef } from '../../src/resources/image-ref.js';
import { createImageModule, type ImageOptions } from '../../src/resources/image.js';
import {
  DIGEST,
  mockAll,
  mutatingCommands,
  recordingSink,
  REPO_URI,
  restoreAll,
  testContext,
  type Mocks,
} from '../helpers/aws-context.js';

const PASSWORD = 'eyJwYXlsb2FkIjoic2VjcmV0LXJlZ2lzdHJ5LXBhc3N3b3JkIn0=';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const meta = { httpStatusCode: 400, requestId: 'r', attempts: 1, totalRetryDelay: 0 };

interface Call {
  command: string;
  args: readonly string[];
  stdin?: string;
  cwd?: string;
}

function fakeRunner(fail?: { match: string; exitCode: number; stderr: string }): CommandRunner & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async run(command, args, options = {}) {
      calls.push({ command, args, stdin: options.stdin, cwd: options.cwd });
      if (command === 'git') return { exitCode: 0, stdout: 'abc1234\n', stderr: '' };
      if (fail && args.includes(fail.match)) return { exitCode: fail.exitCode, stdout: '', stderr: fail.stderr };
      return { exitCode: 0, stdout: '', stderr: '' };
    },
  };
}

let mocks: Mocks;
beforeEach(() => {
  mocks = mockAll();
  mocks.ecr.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      { authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'), proxyEndpoint: `https://${REGISTRY}` },
    ],
  });
});
afterEach(() => restoreAll(mocks));

async function run(options: ImageOptions, ctxOptions: Parameters<typeof testContext>[0] = {}) {
  const ctx = testContext(ctxOptions);
  const module = createImageModule(options);
  const desired = module.desired(ctx, { ecrRepositoryUri: REPO_URI });
  const observed = await module.observe(ctx, desired);
  const plan = module.plan(desired, observed);
  const outputs = await module.apply(ctx, plan, desired, observed);
  return { plan, outputs };
}

describe('build and push', () => {
  beforeEach(() => {
    mocks.ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'abc1234' }] })
      .rejectsOnce(
        new ImageNotFoundException({
          $metadata: meta,
          message: "The image with imageId {imageTag:'abc1234'} does not exist",
        }),
      )
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['abc1234'] }] });
  });

  test.each([
    ['docker', 'build', []],
    ['podman', 'build', ['--format', 'docker']],
    ['buildah', 'bud', ['--format', 'docker']],
  ] as const)(
    '%s: git sha -> login (password on stdin) -> build -> push -> pinned digest',
    async (builder, sub, format) => {
      const runner = fakeRunner();
      const log = recordingSink();
      const { plan, outputs } = await run({ builder, runner, baseImage: 'localhost/node-base:20' }, { log });
      expect(plan.action).toBe('create');
      expect(runner.calls.map((c) => [c.command, ...c.args])).toEqual([
        ['git', 'rev-parse', '--short=7', 'HEAD'],
        [builder, 'login', '--username', 'AWS', '--password-stdin', REGISTRY],
        [
          builder,
          sub,
          '--platform',
          'linux/amd64',
          ...format,
          '--build-arg',
          'BASE_IMAGE=localhost/node-base:20',
          '-f',
          'Dockerfile',
          '-t',
          `${REPO_URI}:abc1234`,
          '.',
        ],
        [builder, 'push', `${REPO_URI}:abc1234`],
      ]);
      expect(runner.calls.every((c) => c.cwd === '/project')).toBe(true);
      expect(runner.calls[1]!.stdin).toBe(PASSWORD);
      expect(outputs).toEqual({ imageUri: `${REPO_URI}@${DIGEST}`, imageDigest: DIGEST, imageTag: 'abc1234' });
      expect(mutatingCommands(mocks)).toEqual(['GetAuthorizationTokenCommand']);
    },
  );

  test('the registry password never appears in argv or in the log', async () => {
    const runner = fakeRunner();
    const log = recordingSink();
    await run({ runner }, { log });
    for (const call of runner.calls) expect(call.args.join(' ')).not.toContain(PASSWORD);
    expect(log.lines.join('\n')).not.toContain(PASSWORD);
    expect(log.lines).toContain(`$ docker login --username AWS --password-stdin ${REGISTRY}`);
  });

  test('a given git sha, Dockerfile, extra build args and builder flags are passed through', async () => {
    const runner = fakeRunner();
    mocks.ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'def5678' }] })
      .rejectsOnce(new ImageNotFoundException({ $metadata: meta, message: 'missing' }))
      .resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    await run({
      builder: 'buildah',
      runner,
      gitSha: 'def5678',
      dockerfile: 'docker/Dockerfile',
      buildArgs: { NODE_ENV: 'production' },
      globalArgs: ['--storage-driver', 'vfs', '--root', '/tmp/b'],
    });
    expect(runner.calls.map((c) => c.command)).toEqual(['buildah', 'buildah', 'buildah']); // no git call
    expect(runner.calls[1]!.args).toEqual([
      '--storage-driver',
      'vfs',
      '--root',
      '/tmp/b',
      'bud',
      '--platform',
      'linux/amd64',
      '--format',
      'docker',
      '--build-arg',
      'NODE_ENV=production',
      '-f',
      'docker/Dockerfile',
      '-t',
      `${REPO_URI}:def5678`,
      '.',
    ]);
  });

  test('a failing build stops with MS_DEPLOY_IMAGE_COMMAND naming the command; nothing is pushed', async () => {
    const runner = fakeRunner({
      match: 'build',
      exitCode: 1,
      stderr: 'Step 3/9 : RUN npm ci\nnpm ERR! missing lockfile',
    });
    const log = recordingSink();
    const err = await run({ runner }, { log }).catch((e: unknown) => e);
    expect(isDeployerError(err, 'MS_DEPLOY_IMAGE_COMMAND')).toBe(true);
    expect((err as Error).message).toContain('docker build --platform linux/amd64');
    expect(log.lines.some((l) => l.includes('npm ERR! missing lockfile'))).toBe(true);
    expect(runner.calls.some((c) => c.args.includes('push'))).toBe(false);
  });

  test('no git repository -> MS_DEPLOY_GIT_SHA before anything is built', async () => {
    const runner: CommandRunner = {
      run: async () => ({ exitCode: 128, stdout: '', stderr: 'fatal: not a git repository' }),
    };
    await expect(run({ runner })).rejects.toMatchObject({
      code: 'MS_DEPLOY_GIT_SHA',
      message: expect.stringContaining('not a git repository'),
    });
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});

describe('already pushed', () => {
  test('the image for this commit is in ECR: no build, no login, the digest is reused', async () => {
    mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['abc1234'] }] });
    const runner = fakeRunner();
    const { plan, outputs } = await run({ runner });
    expect(plan.action).toBe('no-change');
    expect(outputs.imageUri).toBe(`${REPO_URI}@${DIGEST}`);
    expect(runner.calls.map((c) => c.command)).toEqual(['git']);
    expect(mutatingCommands(mocks)).toEqual([]);
  });
});

describe('--image', () => {
  test('by digest: looked up in ECR, deployed as is, nothing run', async () => {
    mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    const runner = fakeRunner();
    const { plan, outputs } = await run({ image: `${REPO_URI}@${DIGEST}`, runner });
    expect(plan.action).toBe('no-change');
    expect(outputs).toEqual({ imageUri: `${REPO_URI}@${DIGEST}`, imageDigest: DIGEST, imageTag: DIGEST });
    expect(runner.calls).toEqual([]);
    expect(mocks.ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'model-service/iris',
      registryId: '123456789012',
      imageIds: [{ imageDigest: DIGEST }],
    });
  });

  test('by tag: resolved to the digest so the model is pinned', async () => {
    mocks.ecr
      .on(DescribeImagesCommand, { imageIds: [{ imageTag: 'abc1234' }] })
      .resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    const { outputs } = await run({ image: `${REPO_URI}:abc1234`, runner: fakeRunner() });
    expect(outputs.imageUri).toBe(`${REPO_URI}@${DIGEST}`);
  });

  test('not in ECR -> MS_DEPLOY_IMAGE_NOT_FOUND', async () => {
    mocks.ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ $metadata: meta, message: 'missing' }));
    await expect(run({ image: `${REPO_URI}:nope`, runner: fakeRunner() })).rejects.toMatchObject({
      code: 'MS_DEPLOY_IMAGE_NOT_FOUND',
    });
  });

  test.each(['iris', 'iris:latest', `${REPO_URI}@sha256:short`, `${REPO_URI}`])(
    'malformed %s -> MS_DEPLOY_IMAGE_REF',
    (ref) => {
      expect(() => parseImageRef(ref)).toThrow(expect.objectContaining({ code: 'MS_DEPLOY_IMAGE_REF' }));
    },
  );

  test('emulator registries with a port parse too', () => {
    expect(parseImageRef('localhost.localstack.cloud:4510/model-service/iris:abc1234')).toEqual({
      repositoryUri: 'localhost.localstack.cloud:4510/model-service/iris',
      registry: 'localhost.localstack.cloud:4510',
      repositoryName: 'model-service/iris',
      registryId: undefined,
      digest: undefined,
      tag: 'abc1234',
    });
  });
});

test('build args are emitted in a stable order', () => {
  const line = buildCommand({
    builder: 'docker',
    globalArgs: [],
    platform: 'linux/arm64',
    tag: 't',
    dockerfile: 'D',
    contextDir: '.',
    buildArgs: { Z: '1', A: '2' },
  });
  expect(line.args).toEqual([
    'build',
    '--platform',
    'linux/arm64',
    '--build-arg',
    'A=2',
    '--build-arg',
    'Z=1',
    '-f',
    'D',
    '-t',
    't',
    '.',
  ]);
});
