// @ts-check
/**
 * Projects: Node (cloud functions, scripts, e2e), jsdom (mini-program pages via miniprogram-simulate),
 * and one per workspace package (packages/<name>/test), so the root `npm test` runs them all.
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      // packages/server-auth is bundled into the functions: its tests run with theirs.
      testMatch: ['<rootDir>/test/{cloudfunctions,scripts,bench,e2e}/**/*.test.ts', '<rootDir>/packages/server-auth/test/**/*.test.ts'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
    },
    {
      displayName: 'cloudbase-emulator',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/packages/cloudbase-emulator/test/**/*.test.ts'],
    },
    {
      displayName: 'miniprogram-preview',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/packages/miniprogram-preview/test/**/*.test.ts'],
    },
  ],
};
