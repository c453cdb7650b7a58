// The shapes every check shares: what a check is, what it gets and what it returns.
// Check files import these from here (never from the registry, which imports them).
import type { AwsClients, ClientOptions } from '../aws/clients.js';
import type { CommandRunner } from '../context.js';
import type { ReleaseConfig } from '../release/types.js';
import type { Builder } from '../resources/image-commands.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  message: string;
  /** What to do when it fails. */
  fix?: string;
}

export const pass = (message: string): CheckResult => ({ status: 'pass', message });
export const fail = (message: string, fix: string): CheckResult => ({ status: 'fail', message, fix });
export const skip = (message: string): CheckResult => ({ status: 'skip', message });

/** `doctor --image`: how the image checks reach the builder and the container. */
export interface ImageCheckOptions {
  /** Builder flags before the subcommand (buildah storage: `--storage-driver vfs --root <dir> --runroot <dir>`). */
  globalArgs?: readonly string[];
  /** First /ping 200 must come within this (default 120 s). */
  startupTimeoutMs?: number;
  /** Sample request file (default: the project's sample-request.json). */
  sample?: string;
  /** Extra container environment (e.g. to reproduce a PORT override). */
  env?: Readonly<Record<string, string>>;
}

export interface CheckContext {
  dir: string;
  env: NodeJS.ProcessEnv;
  skipTests: boolean;
  builder: Builder;
  runner: CommandRunner;
  createClients(options: ClientOptions): AwsClients;
  /** Filled by doctor.release; later checks read it (undefined when invalid). */
  release?: ReleaseConfig;
  /** The parsed but unvalidated file, so some checks still report on an invalid one. */
  raw?: { region?: unknown; iam?: Record<string, unknown> };
  /** `doctor --image <ref>`: the image the doctor.image.* checks run. */
  image?: string;
  imageOptions?: ImageCheckOptions;
}

/** What the catalog, docs/checklist.md and the README know about a check. */
export interface CheckInfo {
  /** Stable id: `doctor.*`, `verify.*` or `test.*`. */
  id: string;
  title: string;
  /** One line: what it proves. Defaults to the title. */
  description?: string;
  /** Item numbers of the reference checklist it covers (see docs/checklist.md). */
  covers?: readonly number[];
}

/** A doctor check: runs on the project (and, with `--image`, on the built image). */
export interface Check extends CheckInfo {
  run(ctx: CheckContext): Promise<CheckResult>;
}

export interface CheckReport extends CheckResult {
  id: string;
  title: string;
}

/** A test the generator emits into every project (`npm test`, which `doctor.tests` runs). */
export interface TestCheckInfo extends CheckInfo {
  /** The template that emits it, relative to the repository root. */
  template: string;
}

export type CheckPhase = 'doctor' | 'verify' | 'test';

export interface CatalogEntry {
  id: string;
  title: string;
  phase: CheckPhase;
  description: string;
  covers?: readonly number[];
  /** The option that runs it when it is not in the command's default run (doctor's image checks: `--image`). */
  option?: string;
}
