import type { Config } from 'jest';

// ts-jest in ESM mode transpiles each file on its own (isolatedModules); type errors are
// `npm run typecheck`'s job, so the test run stays fast.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  // ts-jest rewrites './x.ts' imports to './x.js'; map them back to the source file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  // Each test file starts its own simulator on an ephemeral loopback port; two workers fit 2 cores.
  maxWorkers: 2,
};

export default config;
