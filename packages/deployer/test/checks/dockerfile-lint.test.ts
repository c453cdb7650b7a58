// doctor.dockerfile.lint: dockerfile-utils' findings plus our rules, each
// passing on a good Dockerfile (the generated one, examples/churn's) and
// failing with the line, the check id and what to do.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { dockerfileLintCheck, isPinned, lintDockerfile, parseDockerfile } from '../../src/checks/dockerfile-lint.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { tempProject } from '../helpers/cli-harness.js';

const CHURN = readFileSync(new URL('../../../../examples/churn/Dockerfile', import.meta.url), 'utf8');
const GOOD = `FROM node:20.20.2-bookworm-slim AS build
WORKDIR /build
RUN npm ci
FROM node:20.20.2-bookworm-slim
COPY --from=build /build/dist ./dist
USER node
HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:8080/ping')"]
CMD ["node", "dist/server.js", "serve"]
`;

async function runCheck(dockerfile: string | undefined) {
  const p = tempProject(dockerfile === undefined ? {} : { Dockerfile: dockerfile });
  try {
    return await dockerfileLintCheck.run(
      defaultCheckContext({ dir: p.dir, env: {}, skipTests: true, builder: 'docker' }),
    );
  } finally {
    p.cleanup();
  }
}

describe('doctor.dockerfile.lint', () => {
  it('passes on the generated Dockerfile (examples/churn) and on a plain good one', async () => {
    expect(lintDockerfile(CHURN)).toEqual([]);
    expect(await runCheck(CHURN)).toMatchObject({ status: 'pass' });
    expect(lintDockerfile(GOOD)).toEqual([]);
  });

  it('skips (no failure twice) when there is no Dockerfile: doctor.dockerfile reports that', async () => {
    expect(await runCheck(undefined)).toMatchObject({ status: 'skip' });
  });

  it('fails on an unpinned base image, also through an ARG default', async () => {
    const r = await runCheck(GOOD.replace('FROM node:20.20.2-bookworm-slim AS build', 'FROM node:latest AS build'));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('Dockerfile:1: FROM node:latest is not pinned to a version tag or digest');
    expect(r.fix).toMatch(/pin every base image/);
    const viaArg = lintDockerfile(`ARG BASE=node\nFROM \${BASE}\nUSER node\nHEALTHCHECK CMD true\n`);
    expect(viaArg).toEqual([
      { line: 2, rule: 'pinned-base', message: 'FROM ${BASE} (= node) is not pinned to a version tag or digest' },
    ]);
    expect(lintDockerfile('ARG BASE\nFROM $BASE\nUSER node\nHEALTHCHECK CMD true\n')[0]).toMatchObject({
      rule: 'pinned-base',
      message: expect.stringContaining('without a default'),
    });
  });

  it('fails when the final stage runs as root (no USER, or USER root/0), even if the build stage had a USER', async () => {
    const noUser = await runCheck(GOOD.replace('USER node\n', ''));
    expect(noUser).toMatchObject({
      status: 'fail',
      message: 'Dockerfile:4: the final stage has no USER: the container runs as root',
    });
    expect(noUser.fix).toMatch(/USER node/);
    expect(lintDockerfile(GOOD.replace('USER node', 'USER 0:0')).map((p) => p.message)).toEqual([
      'the final stage runs as USER 0',
    ]);
    expect(
      lintDockerfile(
        GOOD.replace('WORKDIR /build', 'WORKDIR /build\nUSER node').replace('USER node\nHEALTHCHECK', 'HEALTHCHECK'),
      ).map((p) => p.rule),
    ).toEqual(['non-root-user']);
  });

  it('fails without a HEALTHCHECK, or with HEALTHCHECK NONE', async () => {
    const r = await runCheck(GOOD.replace(/HEALTHCHECK .*\n/, ''));
    expect(r).toMatchObject({ status: 'fail', message: 'Dockerfile:4: the final stage has no HEALTHCHECK' });
    expect(r.fix).toMatch(/HEALTHCHECK that calls GET \/ping/);
    expect(lintDockerfile(GOOD.replace(/HEALTHCHECK .*\n/, 'HEALTHCHECK NONE\n'))[0]!.rule).toBe('healthcheck');
  });

  it('fails on secret-looking ENV/ARG names, naming the variable but never its value', async () => {
    const value = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const r = await runCheck(
      GOOD.replace(
        'USER node',
        `ARG NPM_TOKEN\nENV AWS_SECRET_ACCESS_KEY=${value} LOG_LEVEL=info\nENV DB_PASSWORD hunter2\nUSER node`,
      ),
    );
    expect(r.status).toBe('fail');
    expect(r.message).toContain('Dockerfile:6: ARG NPM_TOKEN looks like a secret');
    expect(r.message).toContain('Dockerfile:7: ENV AWS_SECRET_ACCESS_KEY looks like a secret');
    expect(r.message).toContain('Dockerfile:8: ENV DB_PASSWORD looks like a secret');
    expect(r.message).not.toContain('LOG_LEVEL');
    expect(`${r.message}${r.fix}`).not.toContain(value);
    expect(`${r.message}${r.fix}`).not.toContain('hunter2');
    expect(r.fix).toMatch(/Secrets Manager/);
  });

  it('reports dockerfile-utils findings (invalid instruction arguments, deprecated MAINTAINER) with their lines', async () => {
    const r = await runCheck(GOOD.replace('USER node', 'MAINTAINER someone\nEXPOSE eighty\nUSER node'));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('Dockerfile:6: MAINTAINER has been deprecated');
    expect(r.message).toContain('Dockerfile:7: Invalid containerPort: eighty');
    expect(r.fix).toMatch(/fix the instruction the linter names/);
  });
});

describe('Dockerfile parsing helpers', () => {
  it('joins continuation lines and skips comments', () => {
    expect(parseDockerfile('# c\nFROM a:1\nRUN x \\\n  # inner\n  && y\nUSER node\n')).toEqual([
      { keyword: 'FROM', args: 'a:1', line: 2 },
      { keyword: 'RUN', args: 'x && y', line: 3 },
      { keyword: 'USER', args: 'node', line: 6 },
    ]);
  });

  it('isPinned: version tags and digests yes; latest, bare names and tagless registries with ports no', () => {
    expect(isPinned('node:20.20.2-bookworm-slim')).toBe(true);
    expect(isPinned(`node@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(isPinned('localhost:5000/node:20')).toBe(true);
    expect(isPinned('node:latest')).toBe(false);
    expect(isPinned('node')).toBe(false);
    expect(isPinned('node:lts-slim')).toBe(false);
    expect(isPinned('localhost:5000/node')).toBe(false);
  });
});
