// One Jest config, three projects (tiers) — see test/tiers.js for what goes where:
//   npm run test:unit | test:integration | test:container; `npm test` runs all three.
// TypeScript 5.9 + ts-jest (transpile only, ESM); scripts/test.sh type-checks first: `tsc -b`
// (sources), then `tsc -p tsconfig.test.json` (tests).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL, CONTAINER, IGNORED, INTEGRATION } from './test/tiers.js';

const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }];
// Absolute globs: Jest expands <rootDir> only at the start of a pattern, not after a `!`.
const root = dirname(fileURLToPath(import.meta.url));
const fromRoot = (glob) => (glob.startsWith('**/') ? glob : `${root}/${glob}`);
const not = (glob) => `!${fromRoot(glob)}`;

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@model-service/runtime$': '<rootDir>/packages/runtime/src/index.ts',
    '^@model-service/deployer$': '<rootDir>/packages/deployer/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: IGNORED,
};

export default {
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [...ALL, ...[...INTEGRATION, ...CONTAINER].map(not)],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [...INTEGRATION.map(fromRoot), ...CONTAINER.map(not)],
      // Only this tier needs redis-server: it starts once per run that selects this project.
      globalSetup: '<rootDir>/test/setup/global-setup.js',
      globalTeardown: '<rootDir>/test/setup/global-teardown.js',
    },
    {
      ...shared,
      displayName: 'container',
      testMatch: CONTAINER.map(fromRoot),
    },
  ],
};
