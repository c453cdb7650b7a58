// The container builder command lines, as data (tests assert them exactly).
// docker, podman and buildah share login/build/push; buildah calls build `bud`.
// The registry password is never an argument: it goes in on stdin.

export type Builder = 'docker' | 'buildah' | 'podman';

export const BUILDERS: readonly Builder[] = ['docker', 'buildah', 'podman'];

export interface CommandLine {
  command: string;
  args: string[];
  /** Piped to the process; never logged. */
  stdin?: string;
}

export interface BuildSpec {
  builder: Builder;
  /** Flags before the subcommand, e.g. buildah `--storage-driver vfs --root <dir>`. */
  globalArgs: readonly string[];
  platform: string;
  /** Full reference to tag, `<repositoryUri>:<git sha>`. */
  tag: string;
  dockerfile: string;
  contextDir: string;
  buildArgs: Readonly<Record<string, string>>;
}

export function loginCommand(
  builder: Builder,
  globalArgs: readonly string[],
  registry: string,
  password: string,
): CommandLine {
  return {
    command: builder,
    args: [...globalArgs, 'login', '--username', 'AWS', '--password-stdin', registry],
    stdin: password,
  };
}

export function buildCommand(spec: BuildSpec): CommandLine {
  const sub = spec.builder === 'buildah' ? 'bud' : 'build';
  const buildArgs = Object.entries(spec.buildArgs)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  // SageMaker wants Docker v2 manifests; buildah and podman default to OCI.
  const format = spec.builder === 'docker' ? [] : ['--format', 'docker'];
  return {
    command: spec.builder,
    args: [
      ...spec.globalArgs,
      sub,
      '--platform',
      spec.platform,
      ...format,
      ...buildArgs,
      '-f',
      spec.dockerfile,
      '-t',
      spec.tag,
      spec.contextDir,
    ],
  };
}

export function pushCommand(builder: Builder, globalArgs: readonly string[], tag: string): CommandLine {
  return { command: builder, args: [...globalArgs, 'push', tag] };
}

export function gitShaCommand(): CommandLine {
  return { command: 'git', args: ['rev-parse', '--short=7', 'HEAD'] };
}

/** For logs: the command line without stdin. */
export function printable(line: CommandLine): string {
  return [line.command, ...line.args].join(' ');
}
