// The real bin as a child process, with every AWS endpoint pointed at a local
// dummy (AWS_ENDPOINT_URL): proves no real AWS is contacted, that a bad
// release.yaml costs zero requests, and that exit codes reach the shell.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RELEASE_YAML } from './helpers/aws-context.js';
import { tempProject } from './helpers/cli-harness.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(pkg, 'bin', 'model-deploy.js');

interface Seen {
  method?: string;
  url?: string;
  body: string;
}
const seen: Seen[] = [];
let server: Server;
let endpoint = '';

// What STS answers for unknown access keys (awsQuery protocol).
const INVALID_TOKEN = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
  <RequestId>4c1bd5fc-0000-4000-8000-000000000000</RequestId>
</ErrorResponse>`;

beforeAll(async () => {
  // CI builds before testing (scripts/setup.sh); build here only when dist is missing.
  if (!existsSync(join(pkg, 'dist', 'cli.js')))
    spawnSync('npx', ['tsc', '-b', pkg], { stdio: 'ignore', timeout: 180_000 });
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body });
      res.writeHead(403, { 'content-type': 'text/xml', 'x-amzn-requestid': '4c1bd5fc-0000-4000-8000-000000000000' });
      res.end(INVALID_TOKEN);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 200_000);
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function runBin(
  args: string[],
  credentials: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-for-a-local-dummy',
  },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CI: 'true',
        AWS_ENDPOINT_URL: endpoint,
        ...credentials,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('bin/model-deploy.js', () => {
  it('a bad release.yaml: exit 1, the path and reason, zero requests to any endpoint', async () => {
    const p = tempProject({
      'release.yaml': RELEASE_YAML.replace('instanceType: ml.t2.medium', 'instanceType: ml.t2.nano'),
    });
    const before = seen.length;
    const run = await runBin(['plan', 'dev', '--dir', p.dir]);
    p.cleanup();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^MS_DEPLOY_RELEASE_INVALID: \S+\/release\.yaml:\d+:\d+: environments\.dev\.instanceType must be one of: /,
    );
    expect(seen.length).toBe(before);
  });

  it('honours AWS_ENDPOINT_URL: the credential error comes from the local dummy, wrapped, exit 1', async () => {
    const p = tempProject();
    const before = seen.length;
    const run = await runBin(['status', 'dev', '--dir', p.dir, '--json']);
    p.cleanup();
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      error: {
        code: 'MS_DEPLOY_AWS_CREDENTIALS',
        fault: 'user',
        message: expect.stringMatching(/GetCallerIdentity.*InvalidClientTokenId/),
        hint: expect.stringMatching(/Configure credentials/),
      },
    });
    const requests = seen.slice(before);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests[0]!.body).toContain('Action=GetCallerIdentity');
  });

  it('no credentials at all (no keys, no profile, no config files): every AWS command is MS_DEPLOY_AWS_CREDENTIALS, exit 1, no request sent', async () => {
    const p = tempProject({ 'release.yaml': RELEASE_YAML, 'sample-request.json': '{"features":[1,2,3,4]}' });
    const none = {
      AWS_CONFIG_FILE: join(p.dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(p.dir, 'no-aws-credentials'),
    };
    const before = seen.length;
    const commands = [
      ['plan', 'dev'],
      ['up', 'dev'],
      ['status', 'dev'],
      ['verify', 'dev'],
      // With the API URL and a token given, verify still needs AWS for its endpoint, Lambda and CloudWatch checks.
      ['verify', 'dev', '--url', `${endpoint}/dev`, '--token', 'not-a-real-token'],
      ['promote', 'dev'],
      ['rollback', 'dev'],
      ['destroy', 'dev', '--yes'],
    ];
    const results = [];
    for (const args of commands) {
      const run = await runBin([...args, '--dir', p.dir], none);
      results.push({ args: args.join(' '), code: run.code, error: /^MS_DEPLOY_\w+/m.exec(run.stderr)?.[0] });
    }
    const doctor = await runBin(['doctor', '--dir', p.dir], none);
    p.cleanup();
    expect(results).toEqual(
      commands.map((args) => ({ args: args.join(' '), code: 1, error: 'MS_DEPLOY_AWS_CREDENTIALS' })),
    );
    // doctor reports it as its credentials check (and skips the checks that need an identity).
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL {2}doctor\.credentials .*MS_DEPLOY_AWS_CREDENTIALS/);
    expect(seen.length).toBe(before);
  }, 180_000);

  it('usage errors exit 2 and --version exits 0', async () => {
    const bad = await runBin(['destroy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/missing required argument 'env'/);
    const version = await runBin(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
