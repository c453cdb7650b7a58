// Bundles the Lambda proxy handler into one CommonJS file and zips it with fixed
// timestamps and attributes, so the same source always gives the same bytes: an
// unchanged bundle has the same sha256 as Lambda's CodeSha256 and is not re-uploaded.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { DeployerError } from './errors.js';

export interface LambdaBundle {
  /** The zip archive (one file: index.js). */
  zip: Uint8Array;
  /** base64 sha256 of the zip, the format of Lambda's CodeSha256. */
  sha256: string;
  /** The handler string for Lambda: index.handler. */
  handler: string;
  /** The entry file that was bundled. */
  entry: string;
}

export interface BundleOptions {
  /** Entry file; defaults to the package's own Lambda proxy handler. */
  entry?: string;
}

/** Package root: this file lives in src/ (ts-jest) or dist/ (compiled). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// DOS timestamps in zips are local time; building the date from local fields makes
// the stored value 1980-01-01 00:00 in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--: Lambda must be able to read it whatever umask built it.
const FILE_ATTRS = (0o100644 << 16) >>> 0;

/** The handler source when running from the repo, its compiled JS when installed. */
export function defaultHandlerEntry(root: string = packageRoot): string | undefined {
  const candidates = [
    join(root, 'src', 'lambda-proxy', 'handler.ts'),
    join(root, 'dist', 'lambda-proxy', 'handler.js'),
  ];
  return candidates.find((file) => existsSync(file));
}

export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

export async function bundleLambda(options: BundleOptions = {}): Promise<LambdaBundle> {
  const entry = options.entry ?? defaultHandlerEntry();
  if (!entry || !existsSync(entry)) {
    const where = entry ?? 'src/lambda-proxy/handler.ts or dist/lambda-proxy/handler.js';
    throw new DeployerError('MS_DEPLOY_LAMBDA_BUNDLE', { entry: where, reason: 'handler not found' });
  }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    write: false,
    logLevel: 'silent',
    // Relative paths only: the output must not depend on where the repo is checked out.
    absWorkingDir: dirname(entry),
    // Fixed compiler settings instead of whatever tsconfig.json sits near the entry.
    tsconfigRaw: { compilerOptions: { alwaysStrict: true, verbatimModuleSyntax: false } },
    outfile: 'index.js',
  }).catch((err: unknown) => {
    throw new DeployerError(
      'MS_DEPLOY_LAMBDA_BUNDLE',
      { entry, reason: (err as Error).message.split('\n')[0] },
      { cause: err },
    );
  });
  const output = result.outputFiles.find((f) => f.path.endsWith('index.js'));
  if (!output) throw new DeployerError('MS_DEPLOY_LAMBDA_BUNDLE', { entry, reason: 'esbuild produced no index.js' });
  const zip = zipSync(
    { 'index.js': [output.contents, { mtime: FIXED_MTIME, os: 3, attrs: FILE_ATTRS, level: 9 }] },
    { mtime: FIXED_MTIME },
  );
  return { zip, sha256: codeSha256(zip), handler: 'index.handler', entry };
}
