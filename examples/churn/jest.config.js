// Jest runs the TypeScript tests as ES modules through ts-jest (type checking is `npm run typecheck`).
// `npm test` measures coverage of src/ and fails below the threshold, so the hand-over keeps a
// tested service; `npx jest tests/<file>` runs one file without it.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 30000,
  collectCoverageFrom: ['<rootDir>/src/**/*.ts'],
  coverageReporters: ['text', 'lcov'],
  coverageThreshold: { global: { lines: 80 } },
};
