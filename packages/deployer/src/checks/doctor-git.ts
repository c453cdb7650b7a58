// §3 of the checklist: the source, checked before a deploy. The image is tagged
// with HEAD's short sha, so HEAD must be exactly what is built (clean) and must
// exist where others can check it out (pushed); CI must be configured (ci.config).
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { git, gitReason } from './git.js';
import { fail, pass, skip, type Check, type CheckContext, type CheckResult } from './check.js';

export const GIT_CHECK_IDS = ['doctor.git.clean', 'doctor.git.pushed', 'doctor.ci.config'] as const;

const SKIP_HINT = 'For a local experiment only: model-deploy doctor --skip-git.';
const MAX_LISTED = 5;
const MAX_REMOTES = 3;

interface Repo {
  root: string;
  head: string;
  short: string;
}

/** The repository around the project and its HEAD, or the failure that says why not. */
async function repoOf(dir: string): Promise<Repo | CheckResult> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (top.exitCode !== 0) {
    if (/not a git repository/i.test(top.stderr)) {
      return fail(
        `${dir} is not in a git repository`,
        `Run git init, commit the project and push it: the image is tagged with the commit's sha. ${SKIP_HINT}`,
      );
    }
    if (/dubious ownership/i.test(top.stderr)) {
      // Common in CI containers: the checkout belongs to another user than the one running doctor.
      return fail(
        `git refuses the repository at ${dir}: it is owned by another user`,
        `Mark it safe for this user: git config --global --add safe.directory ${dir}. ${SKIP_HINT}`,
      );
    }
    return fail(
      `git rev-parse failed in ${dir}: ${gitReason(top)}`,
      `Install git and check the repository is readable. ${SKIP_HINT}`,
    );
  }
  const head = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head.exitCode !== 0)
    return fail(
      'the repository has no commit yet',
      `Commit the project (git add . && git commit): the image is tagged with HEAD's sha. ${SKIP_HINT}`,
    );
  const sha = head.stdout.trim();
  return { root: top.stdout.trim(), head: sha, short: sha.slice(0, 7) };
}

const isRepo = (r: Repo | CheckResult): r is Repo => 'head' in r;

function listed(items: readonly string[]): string {
  const more = items.length > MAX_LISTED ? `, … (${items.length - MAX_LISTED} more)` : '';
  return items.slice(0, MAX_LISTED).join(', ') + more;
}

export const gitCleanCheck: Check = {
  id: 'doctor.git.clean',
  title: "no uncommitted changes in the project (the image tag is HEAD's sha)",
  description:
    "`git status` of the project directory (the build context) shows no modified or untracked file, so the image tagged with HEAD's short sha contains exactly that commit (--skip-git skips it).",
  async run(ctx) {
    const repo = await repoOf(ctx.dir);
    if (!isRepo(repo)) return repo;
    // Only the project directory: that is what `docker build` copies into the image.
    const status = await git(ctx.dir, ['status', '--porcelain=v1', '--untracked-files=all', '--', '.']);
    if (status.exitCode !== 0)
      return fail(`git status failed: ${gitReason(status)}`, `Check the repository with git status. ${SKIP_HINT}`);
    const changes = status.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => `${l.slice(0, 2).trim()} ${l.slice(3)}`);
    if (changes.length > 0) {
      return fail(
        `${changes.length} uncommitted change${changes.length === 1 ? '' : 's'} on top of ${repo.short}: ${listed(changes)}`,
        `Commit them (or add them to .gitignore): an image tagged ${repo.short} must contain exactly that commit. ${SKIP_HINT}`,
      );
    }
    return pass(`clean at ${repo.short}`);
  },
};

async function onRemoteByLsRemote(
  dir: string,
  remotes: readonly string[],
  sha: string,
): Promise<{ found?: string; errors: string[] }> {
  const errors: string[] = [];
  for (const remote of remotes.slice(0, MAX_REMOTES)) {
    const out = await git(dir, ['ls-remote', '--', remote]);
    if (out.exitCode !== 0) {
      errors.push(`${remote}: ${gitReason(out)}`);
      continue;
    }
    const ref = out.stdout
      .split('\n')
      .map((l) => l.split('\t'))
      .find(([s]) => s === sha)?.[1];
    if (ref) return { found: `${ref} on ${remote}`, errors };
  }
  return { errors };
}

export const gitPushedCheck: Check = {
  id: 'doctor.git.pushed',
  title: 'HEAD exists on the git remote',
  description:
    'a remote-tracking branch contains HEAD (offline), else `git ls-remote` finds it on a remote (bounded, non-interactive) (--skip-git skips it).',
  async run(ctx) {
    const repo = await repoOf(ctx.dir);
    if (!isRepo(repo)) return repo;
    const remoteList = await git(ctx.dir, ['remote']);
    const remotes = remoteList.stdout
      .split('\n')
      .map((r) => r.trim())
      .filter(Boolean);
    if (remotes.length === 0) {
      return fail(
        `no git remote: HEAD ${repo.short} exists only on this machine`,
        `Add a remote and push (git remote add origin <url> && git push -u origin HEAD). ${SKIP_HINT}`,
      );
    }
    // Offline first: remote-tracking branches that already contain HEAD (what the last push/fetch saw).
    const contains = await git(ctx.dir, ['branch', '-r', '--contains', repo.head, '--format=%(refname:short)']);
    const branches = contains.stdout
      .split('\n')
      .map((b) => b.trim())
      .filter((b) => b && !b.endsWith('/HEAD'));
    if (contains.exitCode === 0 && branches.length > 0) return pass(`${repo.short} is on ${listed(branches)}`);
    // Tracking refs may be missing or stale (a push by URL, a fresh remote): ask the remote, bounded.
    const asked = await onRemoteByLsRemote(ctx.dir, remotes, repo.head);
    if (asked.found) return pass(`${repo.short} is ${asked.found} (git ls-remote)`);
    const unreachable = asked.errors.length ? `; could not ask ${listed(asked.errors)}` : '';
    return fail(
      `HEAD ${repo.short} is not on any branch of ${listed(remotes)}${unreachable}`,
      `Push it (git push): a deployed image must be traceable to a commit everyone can check out. ${SKIP_HINT}`,
    );
  },
};

type Provider = 'github' | 'circleci' | 'none';

function providerOf(ctx: CheckContext): Provider {
  if (ctx.release) return ctx.release.ci.provider;
  const raw = (ctx.raw as { ci?: { provider?: unknown } } | undefined)?.ci?.provider;
  return raw === 'circleci' || raw === 'none' || raw === 'github' ? raw : 'github';
}

/** Config files of the provider in `base` (the project, then the repository root). */
async function configFiles(provider: Exclude<Provider, 'none'>, base: string): Promise<string[]> {
  if (provider === 'circleci') {
    const path = join(base, '.circleci', 'config.yml');
    return (await readFile(path).then(
      () => true,
      () => false,
    ))
      ? [path]
      : [];
  }
  const dir = join(base, '.github', 'workflows');
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((e) => /\.ya?ml$/.test(e))
    .sort()
    .map((e) => join(dir, e));
}

/** Why the file is not a usable config for the provider, or undefined when it is. */
export function ciConfigProblem(provider: Exclude<Provider, 'none'>, text: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    return `is not valid YAML${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
  }
  const data = doc.toJS() as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'is not a YAML mapping';
  const keys = Object.keys(data);
  const required = provider === 'github' ? ['on', 'jobs'] : ['version', 'jobs'];
  const missing = required.filter((k) => !keys.includes(k));
  return missing.length ? `has no ${missing.map((k) => `"${k}:"`).join(' or ')} at the top level` : undefined;
}

const PROVIDER_PATH = { github: '.github/workflows/*.yml', circleci: '.circleci/config.yml' } as const;

export const ciConfigCheck: Check = {
  id: 'doctor.ci.config',
  title: 'CI config exists, is tracked by git and parses',
  description:
    "ci.provider's config (.github/workflows/*.yml or .circleci/config.yml, in the project or the repository root) exists, is tracked by git, parses as YAML and has the provider's top-level keys (--skip-git skips it).",
  async run(ctx) {
    const provider = providerOf(ctx);
    if (provider === 'none') return skip('ci.provider is none in release.yaml: no CI config expected');
    const dir = await realpath(ctx.dir).catch(() => ctx.dir);
    const repo = await repoOf(dir);
    const bases = isRepo(repo) && repo.root !== dir ? [dir, repo.root] : [dir];
    let files: string[] = [];
    for (const base of bases) {
      files = await configFiles(provider, base);
      if (files.length > 0) break;
    }
    if (files.length === 0) {
      return fail(
        `no ${PROVIDER_PATH[provider]} in ${bases.join(' or ')} (release.yaml ci.provider: ${provider})`,
        `Add the CI config (the generator writes it: yo model-service --ci ${provider}), or set ci.provider: none if you deploy by hand. ${SKIP_HINT}`,
      );
    }
    if (!isRepo(repo))
      return fail(
        `${files.map((f) => relative(dir, f)).join(', ')} cannot be tracked: ${repo.message}`,
        repo.fix ?? SKIP_HINT,
      );
    const problems: string[] = [];
    for (const file of files) {
      const shown = relative(repo.root, file);
      const tracked = await git(repo.root, ['ls-files', '--error-unmatch', '--', shown]);
      if (tracked.exitCode !== 0) {
        problems.push(`${shown} is not tracked by git`);
        continue;
      }
      const problem = ciConfigProblem(provider, await readFile(file, 'utf8'));
      if (problem) problems.push(`${shown} ${problem}`);
    }
    if (problems.length > 0) {
      return fail(
        problems.join('; '),
        `Fix the file, then git add and commit it: CI runs what is committed. ${SKIP_HINT}`,
      );
    }
    return pass(`${provider}: ${listed(files.map((f) => relative(repo.root, f)))}`);
  },
};

export const GIT_CHECKS: readonly Check[] = [gitCleanCheck, gitPushedCheck, ciConfigCheck];
