// Static checks of the emitted Dockerfile (the container test builds and runs it for real).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { runInit } from './helpers.js';

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

function stages(dockerfile: string): { args: string[]; stages: Stage[] } {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  const args: string[] = [];
  for (const line of lines) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) out.push({ from: m[1]!, name: m[2], lines: [] });
    else if (out.length === 0) args.push(line);
    else out.at(-1)!.lines.push(line);
  }
  return { args, stages: out };
}

describe.each(['typescript', 'onnx'])('Dockerfile (%s)', (kind) => {
  let text: string;
  let dir: string;
  let parsed: ReturnType<typeof stages>;
  beforeAll(async () => {
    const result = await runInit('docker-check', { modelKind: kind });
    dir = join(result.cwd, 'docker-check');
    text = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    parsed = stages(text);
  });

  test('takes its base image as a build argument with a pinned public default', () => {
    const arg = parsed.args.find((l) => l.startsWith('ARG BASE_IMAGE='));
    expect(arg).toMatch(/^ARG BASE_IMAGE=node:22\.\d+\.\d+-bookworm-slim$/);
    for (const stage of parsed.stages) expect(stage.from).toBe('${BASE_IMAGE}');
  });

  test('is multi-stage: the final stage copies built output, it does not build', () => {
    expect(parsed.stages.length).toBeGreaterThanOrEqual(2);
    const final = parsed.stages.at(-1)!;
    expect(final.lines.some((l) => /^COPY --from=build /.test(l))).toBe(true);
    expect(final.lines.some((l) => /^RUN .*npm (ci|install)/.test(l))).toBe(false);
    expect(final.lines.join('\n')).not.toMatch(/COPY (src|tests)\//);
    // Only production dependencies reach the final stage.
    expect(parsed.stages[0]!.lines.join('\n')).toContain('npm prune --omit=dev');
  });

  test('runs as a non-root user', () => {
    const users = parsed.stages.at(-1)!.lines.filter((l) => l.startsWith('USER '));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|$)/);
  });

  test('has a HEALTHCHECK on /ping, EXPOSE 8080 and the SageMaker `serve` entry', () => {
    const final = parsed.stages.at(-1)!.lines;
    expect(final.find((l) => l.startsWith('HEALTHCHECK'))).toContain('/ping');
    expect(final).toContain('EXPOSE 8080');
    expect(final).toContain('CMD ["serve"]');
    expect(final.find((l) => l.startsWith('ENTRYPOINT'))).toContain('dist/server.js');
  });

  test('carries no secrets', () => {
    expect(text).not.toMatch(
      /AKIA[0-9A-Z]{16}|aws_secret_access_key|_authToken|password\s*=|BEGIN (RSA|OPENSSH) PRIVATE KEY/i,
    );
    expect(text).not.toMatch(/^(ENV|ARG)\s+\S*(SECRET|TOKEN|PASSWORD|KEY)\S*=/im);
  });

  test('.dockerignore keeps tests, git and env files out of the context', () => {
    const ignore = readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['node_modules', 'tests', '.git', '.env', '.env.*']));
  });
});
