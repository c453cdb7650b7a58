#!/usr/bin/env node
// `npm run bench -w @model-service/deployer`: the Lambda proxy as Lambda gets it. Builds the
// bundle with the deployer's own bundleLambda (the bytes `up` uploads), reports its size (raw,
// gzip, zip) and its cold-start import time: N fresh `node` processes each time `require()` of the
// bundle, median of N (plus a bare `node` start for scale). Prints a table and writes it into its
// own section of docs/benchmarks.md (the runtime bench owns the top of that file).
// A command, never a test: numbers depend on the machine.
//
// Options: --runs N (BENCH_LAMBDA_RUNS, default 15, 3..101), --no-write (print only), --out FILE.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { unzipSync } from 'fflate';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_LAMBDA_RUNS ?? '15' },
    out: { type: 'string', default: join(pkg, '..', '..', 'docs', 'benchmarks.md') },
    'no-write': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 3 || runs > 101)
  throw new Error(`--runs must be an integer in 3..101 (got ${args.runs})`);

export const START = '<!-- bench:lambda-proxy:start -->';
export const END = '<!-- bench:lambda-proxy:end -->';

const load0 = loadavg()[0].toFixed(2);
const work = mkdtempSync(join(tmpdir(), 'ms-lambda-bench-'));
const cleanup = [work];
try {
  // Load the deployer's bundler from source (no dependency on a fresh `tsc -b`); written beside
  // this script so its own imports (esbuild, fflate) resolve from the package.
  const bundler = join(here, `.lambda-bundle-${process.pid}.tmp.mjs`);
  cleanup.push(bundler);
  await build({
    entryPoints: [join(pkg, 'src', 'lambda-bundle.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: bundler,
    logLevel: 'silent',
  });
  const { bundleLambda } = await import(pathToFileURL(bundler).href);
  const started = performance.now();
  const bundle = await bundleLambda({ entry: join(pkg, 'src', 'lambda-proxy', 'handler.ts') });
  const buildMs = performance.now() - started;
  const js = unzipSync(bundle.zip)['index.js'];
  const file = join(work, 'index.js');
  writeFileSync(file, js);

  const sizes = { js: js.byteLength, gzip: gzipSync(js, { level: 9 }).byteLength, zip: bundle.zip.byteLength };
  // Each run is a fresh process: nothing cached in memory, as in a Lambda cold start (the file
  // itself may sit in the OS page cache, as it does on a warm host).
  // The handler logs JSON lines to stdout too: the measurement is the line marked BENCH_MS.
  const timeIn = (code) =>
    Number(
      /^BENCH_MS=([\d.]+)$/m.exec(
        execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      )?.[1],
    );
  const requireMs = [];
  const requireCpuMs = [];
  const handlerMs = [];
  const processMs = [];
  const bareMs = [];
  for (let i = 0; i < runs; i += 1) {
    requireMs.push(
      timeIn(
        `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m.handler!=='function')throw new Error('no handler');process.stdout.write('\\nBENCH_MS='+Number(process.hrtime.bigint()-t)/1e6+'\\n')`,
      ),
    );
    // CPU time of the same require: what the import costs when no other job takes turns on the core.
    requireCpuMs.push(
      timeIn(
        `const c=process.cpuUsage();require(${JSON.stringify(file)});const d=process.cpuUsage(c);process.stdout.write('\\nBENCH_MS='+(d.user+d.system)/1000+'\\n')`,
      ),
    );
    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'ignore' });
    processMs.push(performance.now() - t0);
    const t1 = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    bareMs.push(performance.now() - t1);
  }
  // First call's set-up too (config read, SDK client construction) — without a network call: GET on an unknown route.
  for (let i = 0; i < Math.min(runs, 7); i += 1) {
    handlerMs.push(
      timeIn(
        `process.env.MS_ENDPOINT_NAME='bench';process.env.AWS_REGION='eu-west-1';const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});m.handler({httpMethod:'GET',path:'/nope',headers:{},requestContext:{requestId:'bench'}},{}).then(()=>process.stdout.write('\\nBENCH_MS='+Number(process.hrtime.bigint()-t)/1e6+'\\n'))`,
      ),
    );
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const ms = (x) => x.toFixed(1);
  const kb = (b) => `${b.toLocaleString('en-US')} B (${(b / 1024).toFixed(1)} KiB)`;
  const rows = [
    ['bundle index.js (minified CJS)', kb(sizes.js)],
    ['gzip -9 of index.js', kb(sizes.gzip)],
    ['zip uploaded to Lambda', `${kb(sizes.zip)}; CodeSha256 ${bundle.sha256}`],
    ['bundle build time (esbuild + zip)', `${ms(buildMs)} ms`],
    [
      `require() of the bundle, median of ${runs} fresh processes`,
      `${ms(median(requireMs))} ms (min ${ms(Math.min(...requireMs))}, max ${ms(Math.max(...requireMs))})`,
    ],
    [`require() CPU time (user + system), median of ${runs}`, `${ms(median(requireCpuMs))} ms`],
    [`require() + first handler call (no network), median of ${handlerMs.length}`, `${ms(median(handlerMs))} ms`],
    [`whole \`node -e "require(bundle)"\` process, median of ${runs}`, `${ms(median(processMs))} ms`],
    [`bare \`node -e 0\` process, median of ${runs} (for scale)`, `${ms(median(bareMs))} ms`],
  ];
  const table = ['| measure | value |', '| --- | ---: |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  const section = `${START}
## Lambda proxy bundle

Generated by \`npm run bench -w @model-service/deployer\` (packages/deployer/bench/lambda-bundle.js); do not edit by hand.

- date: ${new Date().toISOString()}
- machine: ${cpus().length} × ${cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ') ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}, Node ${process.version}
- load average (1 min) at start / end: ${load0} / ${loadavg()[0].toFixed(2)}

The bundle is what \`model-deploy up\` uploads: the handler (src/lambda-proxy/handler.ts) and the
SageMaker Runtime client, bundled and minified by esbuild into one CommonJS file, zipped with fixed
timestamps (same source, same CodeSha256). Import time is measured inside fresh \`node\` processes
(the module graph is parsed and evaluated from scratch each time), which is the part of a Lambda
cold start the bundle controls; Lambda's own sandbox start is not included. The machine is shared:
wall times swing with the load; the CPU time row is the steadier number.

${table}
${END}`;
  console.log(table);
  if (!args['no-write']) {
    const current = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '# Benchmarks\n';
    const at = current.indexOf(START);
    const stop = current.indexOf(END);
    const next =
      at >= 0 && stop > at
        ? `${current.slice(0, at)}${section}${current.slice(stop + END.length)}`
        : `${current.replace(/\n*$/, '\n\n')}${section}\n`;
    writeFileSync(args.out, next);
    console.log(`wrote the Lambda proxy section of ${args.out}`);
  }
} finally {
  for (const path of cleanup) rmSync(path, { recursive: true, force: true });
}
