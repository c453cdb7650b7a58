// doctor.dockerfile.lint: the project's Dockerfile through a maintained linter
// (dockerfile-utils, the engine of the VS Code Docker language server) plus our
// rules: every base image pinned (a version tag or a digest, ARG defaults
// resolved), the final stage runs as a non-root USER, it has a HEALTHCHECK, and
// no ENV/ARG carries a secret (it would be baked into the image history).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import type { Check, CheckResult } from './check.js';

export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface LintProblem {
  line: number;
  rule: 'syntax' | 'pinned-base' | 'non-root-user' | 'healthcheck' | 'secret-in-env';
  message: string;
}

/** Secret-looking variable names (the same idea as BuildKit's SecretsUsedInArgOrEnv). */
export const SECRET_NAME =
  /(^|_)(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)(_|$)/i;

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let current: Instruction | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (!current && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (current && trimmed.startsWith('#')) continue;
    const continues = /\\\s*$/.test(raw);
    const body = raw.replace(/\\\s*$/, '');
    if (current) current.args += ` ${body.trim()}`;
    else {
      const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(body);
      if (!m) continue;
      current = { keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: i + 1 };
    }
    if (!continues) {
      out.push(current);
      current = undefined;
    }
  }
  if (current) out.push(current);
  return out;
}

/** `A=1 B="x y"` or `A 1` (legacy ENV form) -> names. */
function assignedNames(keyword: string, args: string): string[] {
  if (keyword === 'ENV' && !/^[^\s=]+=/.test(args)) return [args.split(/\s+/)[0]!].filter(Boolean);
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)].map((m) => m[1]!);
}

function resolveVars(ref: string, vars: Map<string, string>): string | undefined {
  let unresolved = false;
  const out = ref.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, a: string, dflt: string | undefined, b: string) => {
      const v = vars.get(a ?? b) ?? dflt;
      if (v === undefined || v === '') unresolved = true;
      return v ?? '';
    },
  );
  return unresolved ? undefined : out;
}

export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.split('/').pop() ?? image;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()! : undefined;
  return tag !== undefined && tag !== 'latest' && /\d/.test(tag);
}

/** Our rules over the parsed instructions. */
export function lintRules(instructions: readonly Instruction[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const globalArgs = new Map<string, string>();
  const stages = new Set<string>();
  let seenFrom = false;
  let finalStart = -1;
  instructions.forEach((ins, i) => {
    if (ins.keyword === 'FROM') {
      seenFrom = true;
      finalStart = i;
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const ref = parts[0] ?? '';
      const alias = parts[1]?.toUpperCase() === 'AS' ? parts[2] : undefined;
      const resolved = resolveVars(ref, globalArgs);
      if (ref !== 'scratch' && !stages.has(ref.toLowerCase())) {
        if (resolved === undefined) {
          problems.push({
            line: ins.line,
            rule: 'pinned-base',
            message: `FROM ${ref}: the base image comes from a build argument without a default`,
          });
        } else if (!isPinned(resolved)) {
          problems.push({
            line: ins.line,
            rule: 'pinned-base',
            message: `FROM ${ref}${resolved !== ref ? ` (= ${resolved})` : ''} is not pinned to a version tag or digest`,
          });
        }
      }
      if (alias) stages.add(alias.toLowerCase());
    }
    if (ins.keyword === 'ARG' && !seenFrom) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args.trim());
      if (m) globalArgs.set(m[1]!, (m[2] ?? '').replace(/^["']|["']$/g, ''));
    }
    if (ins.keyword === 'ARG' || ins.keyword === 'ENV') {
      for (const name of assignedNames(ins.keyword, ins.args)) {
        if (SECRET_NAME.test(name)) {
          problems.push({
            line: ins.line,
            rule: 'secret-in-env',
            message: `${ins.keyword} ${name} looks like a secret; build arguments and ENV values stay in the image history`,
          });
        }
      }
    }
  });
  const final = finalStart >= 0 ? instructions.slice(finalStart) : [];
  const lastFromLine = instructions[finalStart]?.line ?? 1;
  const users = final.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.split(':')[0]?.trim();
  if (!user)
    problems.push({
      line: lastFromLine,
      rule: 'non-root-user',
      message: 'the final stage has no USER: the container runs as root',
    });
  else if (user === 'root' || user === '0')
    problems.push({ line: users.at(-1)!.line, rule: 'non-root-user', message: `the final stage runs as USER ${user}` });
  const health = final.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
  if (!health)
    problems.push({ line: lastFromLine, rule: 'healthcheck', message: 'the final stage has no HEALTHCHECK' });
  else if (/^NONE\b/i.test(health.args))
    problems.push({ line: health.line, rule: 'healthcheck', message: 'HEALTHCHECK NONE disables the health check' });
  return problems;
}

const FIXES: Record<LintProblem['rule'], string> = {
  syntax: 'fix the instruction the linter names',
  'pinned-base':
    'pin every base image to a version tag (node:20.20.2-bookworm-slim) or a digest (@sha256:...), including the default of a base-image ARG',
  'non-root-user': 'add `USER node` (or another unprivileged user) to the final stage',
  healthcheck: 'add a HEALTHCHECK that calls GET /ping on port 8080',
  'secret-in-env':
    'pass secrets at run time (SageMaker model environment from Secrets Manager, or a build secret mount), never as ARG/ENV',
};

/** dockerfile-utils plus our rules; problems sorted by line. */
export function lintDockerfile(text: string): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const d of validate(text)) {
    // LSP severities: 1 error, 2 warning (deprecations, casing) — both are worth fixing.
    if (d.severity === 1 || d.severity === 2)
      problems.push({
        line: d.range.start.line + 1,
        rule: 'syntax',
        message: typeof d.message === 'string' ? d.message : d.message.value,
      });
  }
  problems.push(...lintRules(parseDockerfile(text)));
  return problems.sort((a, b) => a.line - b.line);
}

export const dockerfileLintCheck: Check = {
  id: 'doctor.dockerfile.lint',
  title: 'Dockerfile lint (dockerfile-utils) + pinned base, non-root USER, HEALTHCHECK, no secrets in ENV/ARG',
  async run(ctx): Promise<CheckResult> {
    const text = await readFile(join(ctx.dir, 'Dockerfile'), 'utf8').catch(() => undefined);
    if (text === undefined) return { status: 'skip', message: `no Dockerfile in ${ctx.dir} (see doctor.dockerfile)` };
    const problems = lintDockerfile(text);
    if (problems.length === 0)
      return { status: 'pass', message: 'no lint findings; base pinned, non-root, HEALTHCHECK, no secrets in ENV/ARG' };
    const rules = [...new Set(problems.map((p) => p.rule))];
    return {
      status: 'fail',
      message: problems.map((p) => `Dockerfile:${p.line}: ${p.message}`).join('; '),
      fix: `${rules.map((r) => FIXES[r]).join('; ')}.`,
    };
  },
};
