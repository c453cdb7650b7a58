// The golden set through the whole local chain with examples/iris's trained
// model: cognito-local token -> API stand-in -> real Lambda handler -> real
// SageMaker Runtime client -> real runtime serving the iris model. The golden
// answers are what the trained model gives in process. Served as trained, verify
// passes; served without its standardisation (the "skipped preprocessing" bug,
// every health check still green), verify.golden fails and verify exits 1.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '@model-service/runtime';
import { createIrisModel, type IrisInstance } from '../../../../examples/iris/src/model.js';
import { MODEL_PATH } from '../../../../examples/iris/src/paths.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { parseVerifiedTag, VERIFIED_TAG } from '../../src/checks/verify-tag.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { startLocalChain, type LocalChain } from '../../src/local-chain/index.js';
import { runCommand } from './cli-io.js';

const RELEASE = `apiVersion: model-service/v1
model: { name: iris, team: data-science }
region: eu-west-1
slo: { p95LatencyMs: 5000, errorRate: 0.05 }
environments:
  dev: { instanceType: ml.t2.medium, instanceCount: 1 }
`;

/** One flower of each species, two near the versicolor/virginica border, and a batch. */
const REQUESTS: IrisInstance[][] = [
  [[5.1, 3.5, 1.4, 0.2]],
  [[5.9, 3.0, 4.2, 1.5]],
  [[6.9, 3.1, 5.4, 2.1]],
  [[6.3, 2.8, 5.1, 1.5]],
  [[6.0, 2.7, 5.1, 1.6]],
  [
    [4.9, 3.0, 1.4, 0.2],
    [6.4, 3.2, 4.5, 1.5],
    [7.7, 3.8, 6.7, 2.2],
  ],
];

let trained: Service;
let unscaled: Service;
let forwarder: Server;
let target = '';
const ports = { trained: 0, unscaled: 0 };
let chain: LocalChain;
let dir: string;

const deps = {
  createClients: (o: Parameters<typeof createAwsClients>[0]) =>
    createAwsClients({ ...o, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
};

function verify(extra: string[] = []) {
  const env = { ...chain.awsEnv, MODEL_DEPLOY_PASSWORD: chain.pool.password };
  const argv = [
    'verify',
    'dev',
    '--dir',
    dir,
    '--url',
    chain.apiUrl,
    '--username',
    chain.pool.username,
    '--client-id',
    chain.pool.clientId,
    '--requests',
    '10',
    '--json',
    ...extra,
  ];
  return runCommand([verifyCommand], argv, env, deps);
}

/** A loopback hop in front of "the endpoint", so one chain can be pointed at either model. */
function startForwarder(): Promise<number> {
  forwarder = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    forwarder.listen(0, '127.0.0.1', () => resolve((forwarder.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ms-golden-'));
  await writeFile(join(dir, 'release.yaml'), RELEASE);
  await writeFile(join(dir, 'sample-request.json'), JSON.stringify({ instances: REQUESTS[0] }));
  // The golden set: what the trained model answers, computed in process.
  const model = createIrisModel();
  await model.load?.();
  const lines = await Promise.all(
    REQUESTS.map(async (instances) =>
      JSON.stringify({
        request: { instances },
        response: { predictions: await model.predict(instances) },
        tolerance: 1e-9,
      }),
    ),
  );
  await writeFile(join(dir, 'tests-golden.jsonl'), `${lines.join('\n')}\n`);
  // The same weights served without their standardisation (means 0, stds 1).
  const file = JSON.parse(readFileSync(MODEL_PATH, 'utf8')) as { means: number[]; stds: number[] };
  file.means = file.means.map(() => 0);
  file.stds = file.stds.map(() => 1);
  await writeFile(join(dir, 'unscaled-model.json'), JSON.stringify(file));

  trained = createService({ model: createIrisModel(), cache: { kind: 'off' }, logLevel: 'silent' });
  unscaled = createService({
    model: createIrisModel({ modelPath: join(dir, 'unscaled-model.json') }),
    cache: { kind: 'off' },
    logLevel: 'silent',
  });
  ports.trained = (await trained.listen(0, '127.0.0.1')).port;
  ports.unscaled = (await unscaled.listen(0, '127.0.0.1')).port;
  target = `http://127.0.0.1:${ports.trained}`;
  const port = await startForwarder();
  chain = await startLocalChain({
    runtimeUrl: `http://127.0.0.1:${port}`,
    endpointName: 'ms-iris-dev',
    functionName: 'ms-iris-dev-proxy',
    stage: 'dev',
    poolName: 'ms-iris-dev-users',
    clientName: 'ms-iris-dev-machine-client',
    retryTotalBudgetMs: 300,
  });
}, 60_000);

afterAll(async () => {
  await chain?.close();
  await new Promise((r) => (forwarder ? forwarder.close(r) : r(undefined)));
  await trained?.close();
  await unscaled?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('verify.golden on the local chain with the iris model', () => {
  it('passes when the deployed API serves the trained model, and records pass', async () => {
    const { code, stdout } = await verify(['--golden', 'tests-golden.jsonl']);
    const report = JSON.parse(stdout);
    const golden = report.checks.find((c: { id: string }) => c.id === 'verify.golden');
    expect(golden).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(`${REQUESTS.length}/${REQUESTS.length} golden answers match`),
    });
    expect(code).toBe(0);
    expect(parseVerifiedTag(chain.endpointTags.get(VERIFIED_TAG))?.result).toBe('pass');
  });

  it('fails (exit 1, recorded fail) when the model is served without its preprocessing, while the other checks stay green', async () => {
    target = `http://127.0.0.1:${ports.unscaled}`;
    try {
      const { code, stdout } = await verify(['--golden', 'tests-golden.jsonl']);
      const report = JSON.parse(stdout);
      const status = Object.fromEntries(report.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
      expect(status).toMatchObject({
        'verify.auth.valid-token-accepted': 'pass',
        'verify.input.invalid-rejected': 'pass',
        'verify.golden': 'fail',
      });
      const golden = report.checks.find((c: { id: string }) => c.id === 'verify.golden');
      expect(golden.message).toMatch(/golden answers differ: line \d+: \$\.predictions\[0\]\./);
      expect(golden.fix).toMatch(/not the trained one/);
      expect(code).toBe(1);
      expect(parseVerifiedTag(chain.endpointTags.get(VERIFIED_TAG))?.result).toBe('fail');
    } finally {
      target = `http://127.0.0.1:${ports.trained}`;
    }
  });

  it('fails on the generator placeholder, and --skip-golden records partial (which promote refuses)', async () => {
    await writeFile(
      join(dir, 'placeholder.jsonl'),
      '{"placeholder":true,"artifact":"model/model.onnx","message":"replace me with real answers"}\n',
    );
    const placeholder = JSON.parse((await verify(['--golden', 'placeholder.jsonl', '--no-record'])).stdout);
    expect(placeholder.checks.find((c: { id: string }) => c.id === 'verify.golden')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining("still the generator's placeholder"),
    });

    const { code, stdout } = await verify(['--skip-golden']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).checks.find((c: { id: string }) => c.id === 'verify.golden')).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('--skip-golden'),
    });
    expect(parseVerifiedTag(chain.endpointTags.get(VERIFIED_TAG))?.result).toBe('partial');
  });
});
