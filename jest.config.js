// @ts-check
/** Two projects: Node (cloud functions, emulator, scripts) and jsdom (mini-program pages via miniprogram-simulate). */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/{cloudfunctions,emulator,scripts,bench,preview,e2e}/**/*.test.ts'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
    },
  ],
};
