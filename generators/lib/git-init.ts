// A new project starts as a git repository with a first commit: the deployer tags images with
// HEAD's sha and `model-deploy doctor` checks the tree is committed. Skipped when git is missing
// or the project already sits in a work tree (a re-run, or a folder inside another repository).
import { spawnSync } from 'node:child_process';

export type GitInitResult = { done: true; sha: string } | { done: false; reason: string };

function git(dir: string, args: string[]) {
  return spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
}

export function gitInit(dir: string, message: string): GitInitResult {
  const inside = git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (inside.error) return { done: false, reason: 'git is not installed' };
  if (inside.status === 0) return { done: false, reason: 'already in a git work tree' };
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
  ]) {
    const step = git(dir, args);
    if (step.status !== 0) return { done: false, reason: `git ${args[0]} failed: ${step.stderr.trim()}` };
  }
  const commit = git(dir, ['commit', '-q', '--no-verify', '-m', message]);
  // Most often no user.name / user.email: the repository stays initialized with the files staged.
  if (commit.status !== 0)
    return {
      done: false,
      reason: `git commit failed (${commit.stderr.trim().split('\n').pop()}); commit it yourself: git commit -m "${message}"`,
    };
  return { done: true, sha: git(dir, ['rev-parse', '--short', 'HEAD']).stdout.trim() };
}
