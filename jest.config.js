// One Jest run for the whole monorepo. TypeScript 5.9 + ts-jest (transpile only, ESM);
// scripts/test.sh type-checks first: `tsc -b` (sources), then `tsc -p tsconfig.test.json` (tests).
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@model-service/runtime$': '<rootDir>/packages/runtime/src/index.ts',
    '^@model-service/deployer$': '<rootDir>/packages/deployer/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['**/test/**/*.test.ts', '**/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/\\.cache/'],
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  testTimeout: 30000,
};
