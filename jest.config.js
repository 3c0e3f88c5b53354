// @ts-check
/**
 * Projects: Node (cloud functions, scripts), the browser flows (e2e), jsdom (mini-program pages via miniprogram-simulate),
 * and one per workspace package (packages/<name>/test), so the root `npm test` runs them all.
 */
const path = require('node:path');
const { mingoModuleNameMapper } = require('./test/support/mingo-bundle.js');
const { wxServerSdkModuleNameMapper } = require('./test/support/wx-server-sdk-bundle.js');

/**
 * The installer's tsc declarations (scripts/lib/add/client-files.ts), emitted once per run and read
 * by every later install in any worker: the same sources give the same declarations.
 */
process.env.WX_CLOUD_LOGIN_DECLARATIONS_CACHE ??= path.join(__dirname, '.build', 'declarations-cache');
/** The installer's JavaScript of the kit's TypeScript (scripts/lib/add/client-files.ts), likewise: transformed once per run. */
process.env.WX_CLOUD_LOGIN_JAVASCRIPT_CACHE ??= path.join(__dirname, '.build', 'javascript-cache');
/** The installer's login bundle, likewise (scripts/lib/add/bundle-cache.ts): built once per run, not once per test file. */
process.env.WX_CLOUD_LOGIN_BUNDLE_CACHE ??= path.join(__dirname, '.build', 'bundle-cache');
/** The browser preview's runtime bundle (packages/miniprogram-preview build-preview.ts), likewise: the same for every project. */
process.env.MINIPROGRAM_PREVIEW_RUNTIME_CACHE ??= path.join(__dirname, '.build', 'preview-runtime');
/**
 * V8's code cache of each built function, kept across the run's emulators (one per test file):
 * only the first instance of the run compiles a function (cloudbase-emulator runtime.ts).
 */
process.env.CLOUDBASE_EMULATOR_CODE_CACHE_DIR ??= path.join(__dirname, '.build', 'code-cache');

/** bson's main file (its 4.x and 7.x): its 17 MiB buffer allocated on first use (test/support/lazy-bson-buffer.transform.js). */
const BSON_MAIN = '[\\\\/]node_modules[\\\\/](?:.+[\\\\/])?bson[\\\\/]lib[\\\\/]bson\\.c?js$';
const transform = {
  [BSON_MAIN]: '<rootDir>/test/support/lazy-bson-buffer.transform.js',
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }],
};
/**
 * Jest's runtime with V8's code cache: a module is compiled once per worker, not once per test file
 * (each test file's fresh sandbox loads mingo's ~300 files, bson, wx-server-sdk and the emulator again).
 */
const runtime = '<rootDir>/test/support/code-cache.runtime.js';
/**
 * Jest's default but bson's main file, and the bundles of mingo and wx-server-sdk (test/support/): their files run
 * as their authors wrote them.
 */
const transformIgnorePatterns = [
  '/node_modules/(?!(?:.+/)?bson/lib/bson\\.c?js$)',
  '\\.pnp\\.[^\\/]+$',
  '<rootDir>/\\.build/jest-mingo/',
  '<rootDir>/\\.build/jest-wx-server-sdk/',
];
/** Node and jsdom, with the emulator's function output shown only for failing tests (test/support/). */
const quietNode = '<rootDir>/test/support/quiet-function-output.environment.js';
const quietJsdom = '<rootDir>/test/support/quiet-jsdom.environment.js';
/**
 * Project fixtures and their copies: whole DevTools projects, run by the emulator or miniprogram-ci,
 * never required by a test. Left out of Jest's module map, where two fixtures' package.json
 * (both `quickstartFunctions`) collide.
 */
/**
 * The workspace packages as their TypeScript sources (tsconfig.base.json `paths` does the same for tsc,
 * tsx and esbuild); their package.json `exports` point at the dist/ that `npm pack` builds.
 */
const moduleNameMapper = {
  // The emulator's database engine as one module, not ~300 (test/support/mingo-bundle.js says why that is safe).
  ...mingoModuleNameMapper(),
  // wx-server-sdk as one module, not ~430 (test/support/wx-server-sdk-bundle.js).
  ...wxServerSdkModuleNameMapper(),
  '^@wx-cloud-login/(cloudbase-emulator|server-auth)$': '<rootDir>/packages/$1/src/index.ts',
  '^@wx-cloud-login/miniprogram-preview$': '<rootDir>/packages/miniprogram-preview/server/preview-module.ts',
  '^@wx-cloud-login/cloudbase-emulator/client$': '<rootDir>/packages/cloudbase-emulator/src/client/database.ts',
  '^@wx-cloud-login/(cloudbase-emulator|miniprogram-preview|server-auth)/(.*)$': '<rootDir>/packages/$1/$2',
};
const modulePathIgnorePatterns = [
  '<rootDir>/test/fixtures/',
  '<rootDir>/packages/cloudbase-emulator/test/fixtures/',
  '<rootDir>/.build/',
  '<rootDir>/packages/[^/]+/dist/',
  '<rootDir>/packages/cli/kit/',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  // Jest's default is cores − 1 workers: one on a 2-core machine. Two keep both cores busy (many suites
  // wait on the emulator, child processes or Chromium): 80 s → 56 s for the whole suite on this machine.
  maxWorkers: 2,
  // A worker ends with its process (test/support/prompt-worker-exit.js): on a loaded machine, handing back
  // its ~850 MB took longer than jest-worker's 0.5 s grace, which then killed it and printed "A worker process
  // has failed to exit gracefully" — a false alarm about leaking tests. The run waits for that exit instead.
  workerGracefulExitTimeout: 3000,
  // Longest file first on a fresh clone too (test/support/sequencer.js): no worker left alone at the end.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  projects: [
    {
      displayName: 'node',
      testEnvironment: quietNode,
      transform,
      transformIgnorePatterns,
      runtime,
      modulePathIgnorePatterns,
      moduleNameMapper,
      // packages/server-auth is bundled into the functions: its tests run with theirs.
      testMatch: ['<rootDir>/test/{cloudfunctions,scripts,bench}/**/*.test.ts', '<rootDir>/packages/server-auth/test/**/*.test.ts'],
    },
    {
      // The flows in Chromium: one browser per Jest worker, started by its first browser file (test/e2e/support/browser.ts).
      displayName: 'e2e',
      // quietNode with playwright-core loaded once per worker, not once per file.
      testEnvironment: '<rootDir>/test/e2e/support/e2e.environment.js',
      transform,
      transformIgnorePatterns,
      runtime,
      modulePathIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/support/global-teardown.ts',
    },
    {
      displayName: 'miniprogram',
      testEnvironment: quietJsdom,
      transform,
      transformIgnorePatterns,
      runtime,
      modulePathIgnorePatterns,
      // miniprogram-simulate's Node-only libraries, loaded once per worker by quietJsdom, not once per file.
      moduleNameMapper: {
        ...moduleNameMapper,
        '^(postcss|csso|less|miniprogram-compiler)$': '<rootDir>/test/miniprogram/support/worker-modules/$1.js',
      },
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
    },
    {
      displayName: 'cloudbase-emulator',
      testEnvironment: quietNode,
      transform,
      transformIgnorePatterns,
      runtime,
      modulePathIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/packages/cloudbase-emulator/test/**/*.test.ts'],
    },
    {
      displayName: 'miniprogram-preview',
      testEnvironment: quietNode,
      transform,
      transformIgnorePatterns,
      runtime,
      modulePathIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/packages/miniprogram-preview/test/**/*.test.ts'],
    },
  ],
};
