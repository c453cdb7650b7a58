// doctor.secrets: secretlint's recommended rules over the repository (and, with
// --image, the image's files and ENV), plus .env files. It fails with
// file:line:column and the rule, and the secret never appears in any output.
// The "secrets" below are assembled at run time from fragments so this file
// itself holds none that a scanner would flag.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { spawnRunner } from '../../src/command-runner.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { secretsCheck } from '../../src/checks/secrets-check.js';
import { isDotenvFile, repositoryFiles, scanText } from '../../src/checks/secrets-scan.js';
import { cli, tempProject } from '../helpers/cli-harness.js';

// An AWS secret access key shape (40 chars) and a PEM private key, built from parts.
const AWS_SECRET = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYzR8xQ3pLkT2vNb'].join('/').slice(0, 40);
const PEM_BODY =
  'MIIEowIBAAKCAQEA7bq4gH3u6lN9c2pQmZr8sX1yV5tKjW0eLhGdFcBaYiUoPnM3\nq2R7sT9vW1xZ4yA6bC8dE0fG2hJ4kL6mN8pQ0rS2tU4vW6xY8zA0bC2dE4fG6hJ8\nkL0mN2pQ4rS6tU8vW0xY2zA4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0d';
const PEM = `-----BEGIN RSA ${'PRIVATE KEY'}-----\n${PEM_BODY}\n-----END RSA ${'PRIVATE KEY'}-----\n`;
const SLACK = ['xoxb', '1234567890', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');

function ctxFor(dir: string) {
  return defaultCheckContext({ dir, env: {}, skipTests: true, builder: 'docker', runner: spawnRunner(10_000) });
}

describe('doctor.secrets', () => {
  it('passes on a clean project', async () => {
    const p = tempProject({
      'src/app.ts': 'export const port = Number(process.env.PORT ?? 8080);\n',
      '.env.example': 'API_KEY=\n',
      'README.md': '# demo\n',
    });
    const r = await secretsCheck.run(ctxFor(p.dir));
    expect(r).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/^no secrets in \d+ repository file\(s\)$/),
    });
    p.cleanup();
  });

  it('fails with file:line:column and the rule for an AWS secret key, a private key and a Slack token; never prints them', async () => {
    const p = tempProject({
      'src/config.ts': `export const region = 'eu-west-1';\nexport const aws_secret_access_key = "${AWS_SECRET}";\n`,
      'deploy/key.pem': PEM,
      'scripts/notify.sh': `#!/bin/sh\ncurl -H "Authorization: Bearer ${SLACK}" https://slack.com/api/chat.postMessage\n`,
    });
    const r = await secretsCheck.run(ctxFor(p.dir));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('src/config.ts:2:');
    expect(r.message).toContain('@secretlint/secretlint-rule-aws/AWSSecretAccessKey');
    expect(r.message).toMatch(/deploy\/key\.pem:1:1 \(@secretlint\/secretlint-rule-privatekey/);
    expect(r.message).toMatch(/scripts\/notify\.sh:2:\d+ \(@secretlint\/secretlint-rule-slack/);
    expect(r.fix).toMatch(/rotate it/);
    const shown = `${r.message}${r.fix}`;
    for (const secret of [AWS_SECRET, PEM_BODY.slice(0, 20), SLACK]) expect(shown).not.toContain(secret);
    p.cleanup();
  });

  it('fails on a committed .env file (but not on .env.example)', async () => {
    const p = tempProject({ '.env': 'DB_URL=postgres://app@db/app\n', '.env.example': 'DB_URL=\n' });
    const r = await secretsCheck.run(ctxFor(p.dir));
    expect(r).toMatchObject({ status: 'fail', message: '1 possible secret(s): .env:1:1 (dotenv-file)' });
    expect(isDotenvFile('config/.env.production')).toBe(true);
    expect(isDotenvFile('.env.sample')).toBe(false);
    p.cleanup();
  });

  it("in a git checkout it reads git's file list: ignored files (node_modules, .env in .gitignore) are not scanned", async () => {
    const p = tempProject({
      '.gitignore': 'node_modules/\n.env\n',
      '.env': `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`,
      'src/a.ts': 'export {};\n',
      'node_modules/x/creds.txt': `aws_secret_access_key=${AWS_SECRET}\n`,
    });
    execFileSync('git', ['init', '-q', p.dir]);
    expect((await repositoryFiles(p.dir, spawnRunner(10_000))).sort()).toEqual(['.gitignore', 'src/a.ts']);
    expect(await secretsCheck.run(ctxFor(p.dir))).toMatchObject({ status: 'pass' });
    p.cleanup();
  });

  it('through the CLI (--json), the secret is nowhere in stdout or stderr', async () => {
    const p = tempProject({
      'release.yaml': 'apiVersion: model-service/v1\n',
      'src/config.ts': `const aws_secret_access_key = "${AWS_SECRET}";\n`,
    });
    const run = await cli(
      [
        'doctor',
        '--image',
        'localhost/none:1',
        '--dir',
        p.dir,
        '--skip',
        'doctor.image.contract',
        'doctor.image.logs',
        'doctor.image.size',
        '--json',
      ],
      {
        deps: {
          runner: {
            run: async (c) =>
              c === 'git'
                ? { exitCode: 128, stdout: '', stderr: '' }
                : { exitCode: 1, stdout: '', stderr: 'no such image' },
          },
        },
      },
    );
    const secrets = run
      .json<{ checks: Array<{ id: string; status: string; message: string }> }>()
      .checks.find((c) => c.id === 'doctor.secrets')!;
    // The image cannot be read here: that is a failure of its own, reported without the repository findings' secrets either.
    expect(secrets.status).toBe('fail');
    expect(`${run.stdout}${run.stderr}`).not.toContain(AWS_SECRET);
    p.cleanup();
  });

  it('scanText keeps positions only', async () => {
    const found = await scanText('x.txt', `\n\naws_secret_access_key = "${AWS_SECRET}"`);
    expect(found).toEqual([
      { file: 'x.txt', line: 3, column: 1, rule: '@secretlint/secretlint-rule-aws/AWSSecretAccessKey' },
    ]);
  });
});
