// The container image: build it, tag it with the git short sha, push it to the
// ECR repository and pin it by digest (`repo@sha256:...`, what the SageMaker
// model runs). With `--image` nothing is built: the given image (by digest or
// tag) is looked up in ECR and its digest deployed, so CI builds once and
// deploys the same bytes to every environment.
import { Buffer } from 'node:buffer';
import { DescribeImagesCommand, GetAuthorizationTokenCommand, type ImageIdentifier } from '@aws-sdk/client-ecr';
import { ifMissing } from '../aws/aws-error.js';
import { processRunner } from '../command-runner.js';
import type { CommandRunner, DeployContext } from '../context.js';
import { DeployerError } from '../errors.js';
import { change } from './diff.js';
import {
  buildCommand,
  gitShaCommand,
  loginCommand,
  printable,
  pushCommand,
  type Builder,
  type CommandLine,
} from './image-commands.js';
import { parseImageRef, parseRepositoryUri, type ImageRef } from './image-ref.js';
import type { ResourceModule } from './resource.js';

export interface ImageOptions {
  /** `--builder`, default docker. */
  builder?: Builder;
  /** `--image <uri@sha256:... | uri:tag>`: deploy this image, build nothing. */
  image?: string;
  /** Tag to build; default `git rev-parse --short=7 HEAD` in the project. */
  gitSha?: string;
  /** `--build-arg BASE_IMAGE=<ref>` (the generated Dockerfile's base image argument). */
  baseImage?: string;
  buildArgs?: Record<string, string>;
  /** Relative to the project directory; default `Dockerfile`. */
  dockerfile?: string;
  /** Builder flags before the subcommand (e.g. buildah storage options). */
  globalArgs?: string[];
  /** Default: ctx.runner, else real processes. */
  runner?: CommandRunner;
}

export interface ImageDesired {
  repository: Omit<ImageRef, 'digest' | 'tag'>;
  /** Set when an image was given (`--image`). */
  given?: ImageRef;
  /** The tag to build (git short sha); resolved in observe when not given. */
  tag?: string;
  builder: Builder;
  platform: string;
  buildArgs: Record<string, string>;
  dockerfile: string;
  globalArgs: string[];
}

export interface ImageObserved {
  tag?: string;
  /** Present when the image is in ECR. */
  digest?: string;
}

export interface ImageOutputs extends Record<string, string> {
  imageUri: string;
  imageDigest: string;
  imageTag: string;
}

const KIND = 'container-image';

function runnerOf(ctx: DeployContext, options: ImageOptions): CommandRunner {
  return options.runner ?? ctx.runner ?? processRunner({ onOutput: (line) => ctx.log.debug(line) });
}

async function run(ctx: DeployContext, runner: CommandRunner, line: CommandLine, builder: string): Promise<string> {
  ctx.log.info(`$ ${printable(line)}`);
  const result = await runner
    .run(line.command, line.args, { stdin: line.stdin, cwd: ctx.projectDir })
    .catch((err: unknown) => {
      throw new DeployerError(
        'MS_DEPLOY_IMAGE_COMMAND',
        { command: printable(line), exitCode: 'not started', builder },
        { cause: err },
      );
    });
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
    if (tail) ctx.log.warn(tail);
    throw new DeployerError('MS_DEPLOY_IMAGE_COMMAND', {
      command: printable(line),
      exitCode: result.exitCode,
      builder,
    });
  }
  return result.stdout;
}

export async function gitShortSha(ctx: DeployContext, runner: CommandRunner): Promise<string> {
  const line = gitShaCommand();
  const result = await runner
    .run(line.command, line.args, { cwd: ctx.projectDir })
    .catch((err: unknown) => ({ exitCode: -1, stdout: '', stderr: String(err) }));
  const sha = result.stdout.trim();
  if (result.exitCode !== 0 || !/^[0-9a-f]{7,40}$/.test(sha)) {
    throw new DeployerError('MS_DEPLOY_GIT_SHA', {
      dir: ctx.projectDir,
      reason: result.stderr.trim() || `unexpected output "${sha}"`,
    });
  }
  return sha;
}

/** Digest of an image in ECR by tag or digest; undefined when it is not there. */
export async function findImageDigest(
  ctx: DeployContext,
  repo: Omit<ImageRef, 'digest' | 'tag'>,
  id: ImageIdentifier,
): Promise<string | undefined> {
  const out = await ctx.clients.ecr
    .send(
      new DescribeImagesCommand({ repositoryName: repo.repositoryName, registryId: repo.registryId, imageIds: [id] }),
    )
    .catch(ifMissing(undefined));
  return out?.imageDetails?.[0]?.imageDigest;
}

/** ECR credentials for `login --password-stdin`; the password never reaches a log or argv. */
async function registryLogin(ctx: DeployContext, registry: string): Promise<{ registry: string; password: string }> {
  const out = await ctx.clients.ecr.send(new GetAuthorizationTokenCommand({}));
  const auth = out.authorizationData?.[0];
  const decoded = Buffer.from(auth?.authorizationToken ?? '', 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  const endpoint = auth?.proxyEndpoint?.replace(/^https?:\/\//, '') || registry;
  return { registry: endpoint, password };
}

async function buildAndPush(ctx: DeployContext, d: ImageDesired, tag: string, runner: CommandRunner): Promise<string> {
  const ref = `${d.repository.repositoryUri}:${tag}`;
  const login = await registryLogin(ctx, d.repository.registry);
  await run(ctx, runner, loginCommand(d.builder, d.globalArgs, login.registry, login.password), d.builder);
  await run(
    ctx,
    runner,
    buildCommand({
      builder: d.builder,
      globalArgs: d.globalArgs,
      platform: d.platform,
      tag: ref,
      dockerfile: d.dockerfile,
      contextDir: '.',
      buildArgs: d.buildArgs,
    }),
    d.builder,
  );
  await run(ctx, runner, pushCommand(d.builder, d.globalArgs, ref), d.builder);
  const digest = await findImageDigest(ctx, d.repository, { imageTag: tag });
  if (!digest)
    throw new DeployerError('MS_DEPLOY_IMAGE_NOT_FOUND', { image: ref, repository: d.repository.repositoryName });
  return digest;
}

function outputs(d: ImageDesired, digest: string, tag: string): ImageOutputs {
  const repositoryUri = d.given?.repositoryUri ?? d.repository.repositoryUri;
  return { imageUri: `${repositoryUri}@${digest}`, imageDigest: digest, imageTag: tag };
}

export function createImageModule(
  options: ImageOptions = {},
): ResourceModule<ImageDesired, ImageObserved, ImageOutputs> {
  return {
    kind: KIND,

    /** Uses `ecrRepositoryUri` upstream when known, else the deterministic URI. */
    desired(ctx, upstream) {
      const known = upstream.ecrRepositoryUri?.includes('/') ? upstream.ecrRepositoryUri : undefined;
      const uri = known ?? `${ctx.account.accountId}.dkr.ecr.${ctx.region}.amazonaws.com/${ctx.names.ecrRepository}`;
      const buildArgs = { ...options.buildArgs, ...(options.baseImage ? { BASE_IMAGE: options.baseImage } : {}) };
      return {
        repository: parseRepositoryUri(uri),
        given: options.image === undefined ? undefined : parseImageRef(options.image),
        tag: options.gitSha,
        builder: options.builder ?? 'docker',
        platform: ctx.release.image.platform,
        buildArgs,
        dockerfile: options.dockerfile ?? 'Dockerfile',
        globalArgs: options.globalArgs ?? [],
      };
    },

    async observe(ctx, d) {
      if (d.given) {
        const g = d.given;
        const digest = await findImageDigest(ctx, g, g.digest ? { imageDigest: g.digest } : { imageTag: g.tag });
        if (!digest)
          throw new DeployerError('MS_DEPLOY_IMAGE_NOT_FOUND', { image: options.image, repository: g.repositoryName });
        return { tag: g.tag ?? g.digest, digest };
      }
      const tag = d.tag ?? (await gitShortSha(ctx, runnerOf(ctx, options)));
      return { tag, digest: await findImageDigest(ctx, d.repository, { imageTag: tag }) };
    },

    plan(d, observed) {
      const name = d.given
        ? `${d.given.repositoryUri}@${observed?.digest ?? d.given.digest}`
        : `${d.repository.repositoryUri}:${observed?.tag ?? d.tag ?? '(git sha)'}`;
      // The image for this commit is already pushed: reuse it (a second `up` builds nothing).
      if (observed?.digest) return change(KIND, name, 'no-change');
      return change(KIND, name, 'create', [{ field: 'image', from: undefined, to: name }]);
    },

    async apply(ctx, plan, d, observed) {
      const runner = runnerOf(ctx, options);
      const tag = observed?.tag ?? d.tag ?? (await gitShortSha(ctx, runner));
      const digest = plan.action === 'create' ? await buildAndPush(ctx, d, tag, runner) : observed!.digest!;
      return outputs(d, digest, tag);
    },
  };
}
