// @ts-check
/**
 * `npm run test:packages`: the packed packages installed into a scratch project outside this
 * repository (test/packages/). Minutes of packing and installing, so CI runs it (.ci/run) and
 * `npm test` does not.
 */
/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 300000,
  projects: [
    {
      displayName: 'packages',
      testEnvironment: 'node',
      transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
      modulePathIgnorePatterns: [
        '<rootDir>/test/fixtures/',
        '<rootDir>/packages/cloudbase-emulator/test/fixtures/',
        '<rootDir>/.build/',
        '<rootDir>/packages/[^/]+/dist/',
        '<rootDir>/packages/cli/kit/',
      ],
      testMatch: ['<rootDir>/test/packages/**/*.test.ts'],
    },
  ],
};
