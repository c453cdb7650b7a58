// doctor.secrets: no keys, tokens, private keys or .env files in the repository
// or (with --image) in the image's application files and ENV. Fails with
// file:line and the rule, never with the secret.
import { join } from 'node:path';
import { containerOptions, imageConfig } from './image-checks.js';
import { withImageFiles } from './image-container.js';
import type { Check, CheckContext, CheckResult } from './check.js';
import {
  formatFindings,
  IMAGE_SKIP_DIRS,
  repositoryFiles,
  scanFiles,
  scanText,
  walkFiles,
  type SecretFinding,
} from './secrets-scan.js';

/** Image paths worth scanning: the app, and home directories (build leftovers like .npmrc). */
export function imageScanPaths(workingDir: string | undefined): string[] {
  return [...new Set([workingDir && workingDir !== '/' ? workingDir : '/opt/ml/code', '/root', '/home'])];
}

async function scanImage(ctx: CheckContext): Promise<{ findings: SecretFinding[]; scanned: number }> {
  const config = await imageConfig(ctx);
  const findings = await scanText('image:ENV', config.env.join('\n'));
  const paths = imageScanPaths(config.workingDir);
  const files = await withImageFiles(ctx.image!, paths, containerOptions(ctx), async (root) => {
    const all: string[] = [];
    for (const p of paths) {
      const under = await walkFiles(join(root, p), IMAGE_SKIP_DIRS);
      all.push(...under.map((f) => join(p, f).replace(/^\//, '')));
    }
    return scanFiles(root, all, 'image:/');
  });
  return { findings: [...findings, ...files.findings], scanned: files.scanned + 1 };
}

export const secretsCheck: Check = {
  id: 'doctor.secrets',
  title: 'no secrets in the repository (or the image): keys, tokens, private keys, .env files',
  async run(ctx): Promise<CheckResult> {
    const repo = await scanFiles(ctx.dir, await repositoryFiles(ctx.dir, ctx.runner));
    let image = { findings: [] as SecretFinding[], scanned: 0 };
    let imageNote = '';
    if (ctx.image) {
      try {
        image = await scanImage(ctx);
      } catch (err) {
        return {
          status: 'fail',
          message: `cannot read the files of ${ctx.image}: ${(err as Error).message}`,
          fix: `Check that the image exists locally for ${ctx.builder}.`,
        };
      }
      imageNote = ` and ${image.scanned} in the image`;
    }
    const findings = [...repo.findings, ...image.findings];
    if (findings.length === 0)
      return { status: 'pass', message: `no secrets in ${repo.scanned} repository file(s)${imageNote}` };
    return {
      status: 'fail',
      message: `${findings.length} possible secret(s): ${formatFindings(findings)}`,
      fix: 'Remove each one (and rotate it: it has been exposed), keep secrets in AWS Secrets Manager or the CI secret store, add .env to .gitignore and .dockerignore; a test fixture should use an obvious placeholder (EXAMPLE), not a real-looking key.',
    };
  },
};
