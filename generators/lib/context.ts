// Everything the templates print, computed once from the answers so the templates stay
// logic-light: file lists, per-environment rows, CI jobs, package.json.
import { BASE_IMAGE, hasInstanceStorage, SERVERLESS_DEFAULTS, type EnvName } from './constants.js';
import type { Answers } from './answers.js';
import type { DerivedContext } from './onnx-project.js';

export interface EnvRow {
  name: EnvName;
  /** release.yaml `serverless` instead of the instance fields. */
  serverless?: { memoryMb: number; maxConcurrency: number };
  instanceType: string;
  instanceCount: number;
  volumeSizeGb?: number;
  autoscaling: boolean;
  minCapacity: number;
  maxCapacity: number;
}

export interface DeployJob {
  id: string;
  needs: string;
  env: EnvName;
  command: 'up' | 'promote';
  /** CircleCI: an approval step before this job (prod). GitHub uses the job's environment. */
  approval: boolean;
}

export interface TemplateContext extends Omit<Answers, 'env' | 'runtimeSource' | 'modelSource'> {
  envs: EnvRow[];
  firstEnv: EnvName;
  laterEnvs: EnvName[];
  deployJobs: DeployJob[];
  defaultEnv: Array<[string, string]>;
  baseImage: string;
  artifact: string;
  artifactSha256: string;
  vendorRuntime: boolean;
  /** The user brought the model (--model): the golden set is a placeholder to replace. */
  ownModel: boolean;
  /** The starter model's metrics in one line (model/metrics.json); undefined with --model (a placeholder to fill in). */
  starterMetrics?: string;
  /** Markdown: the runtime's and the deployer's error codes -> what to do (templates/common/troubleshooting.md). */
  troubleshootingCodes: string;
  /** Which dependency-update bot the project is set up for. */
  updates: 'dependabot' | 'renovate';
  /** Your ONNX model (--model x.onnx): what init derived from its graph; undefined otherwise. */
  derived?: DerivedContext;
  /** The team as a YAML scalar: plain when that reads back as the same string, else double-quoted. */
  teamYaml: string;
}

/** A YAML scalar that reads back as exactly `value` (JSON strings are valid YAML). */
export function yamlString(value: string): string {
  const plain = /^[A-Za-z][A-Za-z0-9_./=+-]*$/.test(value) && !/^(y|n|yes|no|true|false|on|off|null)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

export function artifactPath(a: Pick<Answers, 'name' | 'modelKind' | 'modelFile'>): string {
  if (a.modelFile) return `model/${a.modelFile}`;
  return a.modelKind === 'onnx' ? `model/${a.name}.onnx` : `model/${a.name}-model.json`;
}

export function deployJobs(environments: EnvName[]): DeployJob[] {
  return environments.map((env, i) => ({
    id: i === 0 ? `deploy-${env}` : `promote-${env}`,
    needs: i === 0 ? 'test' : i === 1 ? `deploy-${environments[0]}` : `promote-${environments[i - 1]}`,
    env,
    command: i === 0 ? 'up' : 'promote',
    approval: env === 'prod',
  }));
}

/** Dependabot where CI is GitHub Actions (it reads npm and the workflow's actions); Renovate otherwise. */
export function updatesBot(ci: Answers['ci']): 'dependabot' | 'renovate' {
  return ci === 'github' ? 'dependabot' : 'renovate';
}

export function buildContext(
  a: Answers,
  extra: {
    artifactSha256: string;
    vendorRuntime: boolean;
    troubleshootingCodes: string;
    starterMetrics?: string;
    derived?: DerivedContext;
  },
): TemplateContext {
  const { env, runtimeSource: _source, modelSource: _model, ...rest } = a;
  const envs: EnvRow[] = a.environments.map((name) => {
    const { serverless, ...e } = env[name]!;
    const row = { name, ...e, volumeSizeGb: hasInstanceStorage(e.instanceType) ? undefined : a.volumeSize };
    return serverless ? { ...row, serverless: SERVERLESS_DEFAULTS } : row;
  });
  const defaultEnv: Array<[string, string]> = [['MS_CACHE', a.cache]];
  if (a.cache !== 'off')
    defaultEnv.push(['MS_CACHE_TTL', String(a.cacheTtl)], ['MS_CACHE_MAX_ENTRIES', String(a.cacheMaxEntries)]);
  return {
    ...rest,
    envs,
    firstEnv: a.environments[0]!,
    laterEnvs: a.environments.slice(1),
    deployJobs: deployJobs(a.environments),
    defaultEnv,
    baseImage: BASE_IMAGE,
    artifact: artifactPath(a),
    ownModel: a.modelFile !== undefined,
    updates: updatesBot(a.ci),
    teamYaml: yamlString(a.team),
    starterMetrics: undefined,
    derived: undefined,
    ...extra,
  };
}

/** Template (relative to templates/) -> destination, for the answers given. */
export function fileMap(a: Pick<Answers, 'modelKind' | 'ci'>): Array<[string, string]> {
  const files: Array<[string, string]> = [
    ['common/src/app.ts.ejs', 'src/app.ts'],
    ['common/src/server.ts.ejs', 'src/server.ts'],
    ['common/src/prediction.ts.ejs', 'src/prediction.ts'],
    ['common/src/health.ts.ejs', 'src/health.ts'],
    [`${a.modelKind}/src/model_loader.ts.ejs`, 'src/model_loader.ts'],
    ['common/tests/helpers.ts.ejs', 'tests/helpers.ts'],
    ['common/tests/health.test.ts.ejs', 'tests/health.test.ts'],
    ['common/tests/inference.test.ts.ejs', 'tests/inference.test.ts'],
    ['common/tests/invalid-input.test.ts.ejs', 'tests/invalid-input.test.ts'],
    ['common/tests/golden.test.ts.ejs', 'tests/golden.test.ts'],
    ['common/tests/model-artifact.test.ts.ejs', 'tests/model-artifact.test.ts'],
    [`${a.modelKind}/tests/model-loader.test.ts.ejs`, 'tests/model-loader.test.ts'],
    ['common/tsconfig.json.ejs', 'tsconfig.json'],
    ['common/tsconfig.test.json.ejs', 'tsconfig.test.json'],
    ['common/jest.config.js.ejs', 'jest.config.js'],
    ['common/Dockerfile.ejs', 'Dockerfile'],
    ['common/_dockerignore.ejs', '.dockerignore'],
    ['common/_gitignore.ejs', '.gitignore'],
    ['common/release.yaml.ejs', 'release.yaml'],
    ['common/README.md.ejs', 'README.md'],
  ];
  // onnxruntime-node's install switch; the typescript kind needs no .npmrc (a workspace-member .npmrc only draws npm warnings).
  if (a.modelKind === 'onnx') files.push(['onnx/_npmrc.ejs', '.npmrc']);
  if (a.ci === 'github')
    files.push(
      ['ci/github/ci.yml.ejs', '.github/workflows/ci.yml'],
      ['updates/dependabot.yml.ejs', '.github/dependabot.yml'],
    );
  // Renovate reads the Dockerfile's `ARG BASE_IMAGE=` default; Dependabot does not (dependabot-core#2057),
  // so GitHub projects get Renovate for the base image only.
  files.push(['updates/renovate.json.ejs', 'renovate.json']);
  if (a.ci === 'circleci') files.push(['ci/circleci/config.yml.ejs', '.circleci/config.yml']);
  return files;
}

/** Plain copies (no EJS). */
export const STATIC_FILES: Array<[string, string]> = [
  ['common/sample-request.json', 'sample-request.json'],
  ['common/bench/load.js', 'bench/load.js'],
];

/** Plain copies for one model kind. */
export function staticFiles(a: Pick<Answers, 'modelKind'>): Array<[string, string]> {
  if (a.modelKind !== 'onnx') return STATIC_FILES;
  return [...STATIC_FILES, ['onnx/tests/onnx-environment.js', 'tests/onnx-environment.js']];
}

export const DEV_DEPENDENCIES: Record<string, string> = {
  '@jest/globals': '^30.5.2',
  '@types/node': '^20.19.43',
  '@types/supertest': '^7.2.1',
  jest: '^30.5.2',
  supertest: '^7.3.2',
  'ts-jest': '~29.4.15',
  typescript: '~5.9.3',
};

export const ONNXRUNTIME_RANGE = '~1.30.0';

/** Where @model-service/* come from: registry ranges, or file:vendor/<tgz> packed from a checkout. */
export interface PackageSpecs {
  runtime: string;
  deployer: string;
}

/** The package.json this generator wants; merged under an existing one (the user's values win). */
export function packageJson(a: Answers, specs: PackageSpecs): Record<string, unknown> {
  const dependencies: Record<string, string> = { '@model-service/runtime': specs.runtime };
  // A devDependency: `npx model-deploy` runs the project's own, locked version (CI installs it with npm ci).
  const devDependencies: Record<string, string> = { ...DEV_DEPENDENCIES, '@model-service/deployer': specs.deployer };
  if (a.modelKind === 'onnx') {
    dependencies['onnxruntime-node'] = ONNXRUNTIME_RANGE;
    // tests/onnx-environment.js extends it; named so it resolves without relying on hoisting.
    devDependencies['jest-environment-node'] = DEV_DEPENDENCIES.jest!;
  }
  return {
    name: a.name,
    version: '0.1.0',
    private: true,
    description: `${a.name}: model service generated by generator-model-service (team ${a.team}).`,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      typecheck: 'tsc -p tsconfig.test.json',
      // npm start right after a fresh install or npm test (no dist/ yet) must not fail: build first.
      prestart: 'npm run build --silent',
      // exec: npm's shell becomes node, so a signal sent to `npm start` reaches the server.
      start: 'exec node dist/server.js serve',
      test: 'NODE_OPTIONS=--experimental-vm-modules jest --coverage',
      bench: 'tsc -p tsconfig.json && node bench/load.js',
    },
    dependencies,
    devDependencies: sorted(devDependencies),
  };
}

/** In name order, as npm writes them back on install. */
function sorted(deps: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(deps).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where `existing` wins: re-running never reverts a user's edit. */
export function mergeUnder(ours: Record<string, unknown>, existing: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ours };
  for (const [key, value] of Object.entries(existing)) {
    out[key] = isObject(value) && isObject(ours[key]) ? mergeUnder(ours[key], value) : value;
  }
  return out;
}
