/** Jest in ESM mode: @actions/core 3 and @actions/github 9 are ESM-only. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: { ignoreCodes: [151002] } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/dist/', '/node_modules/'],
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/shared-notice.mjs',
  clearMocks: true,
};
