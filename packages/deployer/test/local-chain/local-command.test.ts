// `model-deploy local` starts the chain, prints a URL and token that work, and
// stops every process it started when told to stop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '@model-service/runtime';
import { localCommand } from '../../src/commands/local.js';
import { runCommand, type CapturingWriter } from '../release-flow/cli-io.js';

const RELEASE = `apiVersion: model-service/v1
model: { name: irisl, team: data-science }
region: eu-west-1
environments:
  dev: { instanceType: ml.t2.medium, instanceCount: 1 }
`;

let service: Service;
let runtimeUrl: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ms-local-'));
  await writeFile(join(dir, 'release.yaml'), RELEASE);
  service = createService({
    model: {
      name: 'irisl',
      version: '1',
      instanceSchema: { type: 'number' },
      predictionSchema: { type: 'number' },
      predict: (xs: number[]) => xs.map((x) => x * 2),
    },
    logLevel: 'silent',
  });
  const { port } = await service.listen(0, '127.0.0.1');
  runtimeUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('model-deploy local', () => {
  it('prints a URL and token that work, then stops cognito-local and the stand-ins', async () => {
    let whileUp: { status: number; body: unknown } | undefined;
    const result = await runCommand(
      [
        (rt, exit) =>
          // "Until stopped" = until this callback returns: call the printed URL with the printed token meanwhile.
          localCommand(rt, exit, async () => {
            const info = JSON.parse((rt.io.stdout as unknown as CapturingWriter).text());
            const token = /MODEL_DEPLOY_TOKEN='([^']+)'/.exec(await readFile(info.credentialsFile, 'utf8'))![1]!;
            const res = await fetch(info.predict, {
              method: 'POST',
              headers: { authorization: token, 'content-type': 'application/json' },
              body: '{"instances":[2,5]}',
            });
            whileUp = { status: res.status, body: await res.json() };
          }),
      ],
      ['local', 'dev', '--dir', dir, '--runtime-url', runtimeUrl, '--json'],
      {},
    );
    expect(result.code).toBe(0);
    expect(whileUp).toEqual({ status: 200, body: { predictions: [4, 10] } });
    const printed = JSON.parse(result.stdout);
    expect(printed.predict).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev\/predict$/);
    expect(printed.verify.at(-1)).toContain('model-deploy verify dev --url');
    // Once the command returned, everything it started is gone.
    await expect(fetch(printed.predict, { method: 'POST' })).rejects.toThrow();
    await expect(fetch(printed.cognitoUrl)).rejects.toThrow();
    expect(existsSync(printed.credentialsFile)).toBe(false);
    expect(result.stderr).toMatch(/^\[proxy\] \{.*\}$/m);
  });
});
