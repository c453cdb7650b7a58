// doctor.secrets: secretlint's recommended rules (AWS keys, GCP/Azure, GitHub,
// Slack, npm tokens, private keys, basic-auth URLs...) over the repository's
// files and, with --image, the image's application files and ENV; plus .env
// files, which do not belong in a repository or an image at all. A finding is
// reported as file:line:column and the rule; the secret itself is never printed.
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { CommandRunner } from '../context.js';

export interface SecretFinding {
  /** Where, as shown to the user (repo-relative, or `image:<path>`). */
  file: string;
  line: number;
  column: number;
  /** e.g. @secretlint/secretlint-rule-aws / AWSSecretAccessKey, or dotenv-file. */
  rule: string;
}

export interface ScanLimits {
  maxFiles?: number;
  maxFileBytes?: number;
}

const CONFIG: SecretLintCoreConfig = {
  rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }],
};
/** Not the project's own files: dependencies, build output, caches. */
export const REPO_SKIP_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  'dist',
  'coverage',
  '.cache',
  '.nx',
]);
/** In an image the built code (dist/) is what runs, so only dependencies and caches are left out. */
export const IMAGE_SKIP_DIRS: ReadonlySet<string> = new Set(['node_modules', '.npm', '.cache']);
/** .env files hold real values; the examples/templates are meant to be committed. */
const DOTENV = /^\.env(\..+)?$/;
const DOTENV_OK = /\.(example|sample|template|dist|defaults)$/;

export function isDotenvFile(path: string): boolean {
  const name = basename(path);
  return DOTENV.test(name) && !DOTENV_OK.test(name);
}

/** Lints one text; findings carry positions only (secretlint's message text is never kept). */
export async function scanText(file: string, content: string): Promise<SecretFinding[]> {
  const result = await lintSource({
    source: { filePath: file, content, contentType: 'text' },
    options: { config: CONFIG, maskSecrets: true },
  });
  return result.messages
    .filter((m) => m.type === 'message')
    .map((m) => ({ file, line: m.loc.start.line, column: m.loc.start.column + 1, rule: `${m.ruleId}/${m.messageId}` }));
}

async function walk(root: string, dir: string, out: string[], max: number, skip: ReadonlySet<string>): Promise<void> {
  if (out.length >= max) return;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (out.length >= max) return;
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) await walk(root, full, out, max, skip);
    } else if (e.isFile()) out.push(relative(root, full));
  }
}

/** Files under `dir` (relative paths), bounded, skipping `skip` directories. */
export async function walkFiles(dir: string, skip: ReadonlySet<string>, max = 5000): Promise<string[]> {
  const out: string[] = [];
  await walk(dir, dir, out, max, skip);
  return out;
}

/** The repository's files: git's view (tracked + untracked, not ignored) when it is a checkout, else a walk. */
export async function repositoryFiles(dir: string, runner: CommandRunner, max = 5000): Promise<string[]> {
  const git = await runner
    .run('git', ['-C', dir, 'ls-files', '-co', '--exclude-standard', '-z'])
    .catch(() => undefined);
  if (git && git.exitCode === 0) {
    return git.stdout
      .split('\0')
      .filter((f) => f && !f.split('/').some((part) => REPO_SKIP_DIRS.has(part)))
      .slice(0, max);
  }
  return walkFiles(dir, REPO_SKIP_DIRS, max);
}

/** Scans files under `root` (paths relative to it); `label` prefixes what is shown. */
export async function scanFiles(
  root: string,
  files: readonly string[],
  label = '',
  limits: ScanLimits = {},
): Promise<{ findings: SecretFinding[]; scanned: number }> {
  const maxFileBytes = limits.maxFileBytes ?? 1024 * 1024;
  const findings: SecretFinding[] = [];
  let scanned = 0;
  for (const file of files.slice(0, limits.maxFiles ?? 5000)) {
    const shown = `${label}${file}`;
    if (isDotenvFile(file)) {
      findings.push({ file: shown, line: 1, column: 1, rule: 'dotenv-file' });
      continue;
    }
    const full = join(root, file);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile() || info.size > maxFileBytes || info.size === 0) continue;
    const buf = await readFile(full).catch(() => undefined);
    if (!buf || buf.includes(0)) continue; // binary
    scanned++;
    findings.push(...(await scanText(shown, buf.toString('utf8'))));
  }
  return { findings, scanned };
}

export function formatFindings(findings: readonly SecretFinding[], max = 10): string {
  const shown = findings.slice(0, max).map((f) => `${f.file}:${f.line}:${f.column} (${f.rule})`);
  return `${shown.join('; ')}${findings.length > max ? `; and ${findings.length - max} more` : ''}`;
}
