// Which Jest project (tier) runs each test file. A file is `unit` unless it matches one of the
// lists below, so a new test lands in the fast tier by default. Name a new file
// `*.integration.test.ts` or `*.container.test.ts` (or put it under one of the folders below)
// to place it in a slower tier. test/tiers.test.ts fails when a file is in no tier or in two.
//
// unit         runs in the Jest worker alone: no redis-server, no cognito-local, no child process
//              that serves or installs, no build needed (in-process listeners on port 0 are fine,
//              as in fastify's unit tests).
// integration  real peers: redis-server (the global setup starts one), cognito-local, child
//              processes serving on real sockets, load over sockets, signals, reliability
//              stress runs, tests that need the packages built (`npm run build`).
// container    buildah images, end-to-end chains, generated projects installed from tarballs.

/** Globs relative to the repository root. */
export const INTEGRATION = [
  '**/*.integration.test.ts',
  'test/acceptance/**/*.test.ts',
  'test/reliability/**/*.test.ts',
  'packages/*/test/reliability/**/*.test.ts',
  // redis-server
  'packages/runtime/test/cache-integration.test.ts',
  'packages/runtime/test/cache/create-cache-store.test.ts',
  'packages/runtime/test/cache/redis-store.test.ts',
  // a child process serving on a real socket, signals
  'packages/runtime/test/lifecycle.test.ts',
  // cognito-local
  'packages/deployer/test/local-chain/**/*.test.ts',
  'packages/deployer/test/release-flow/verify.test.ts',
  'packages/deployer/test/release-flow/verify-golden-iris.test.ts',
  'packages/deployer/test/release-flow/verify-telemetry-chain.test.ts',
  // built packages (dist/), some run as child processes
  'packages/deployer/test/bin.test.ts',
  'packages/deployer/test/checks/doctor-golden.test.ts',
  'packages/runtime/test/log-destination.test.ts',
  'test/generator/cli.test.ts',
];

export const CONTAINER = [
  '**/*.container.test.ts',
  'test/e2e/**/*.test.ts',
  'test/generator/container.test.ts',
  'test/generator/e2e-project.test.ts',
  'packages/deployer/test/checks/image-doctor-real.test.ts',
];

/** Every test file any tier may run; each file matching these is in exactly one tier. */
export const ALL = ['**/test/**/*.test.ts', '**/tests/**/*.test.ts'];

/** Never test files: installs, build output, caches. */
export const IGNORED = ['/node_modules/', '/dist/', '/\\.cache/'];
