// @ts-check
/**
 * The e2e project's environment: the quiet node environment (test/support/), plus playwright-core
 * as the Jest worker itself loaded it, on the global `e2ePlaywright` (read by browser.ts). Each test
 * file has a module registry of its own: playwright-core imported there is its 3.6 MB bundle
 * compiled and run again for every file (~1 s of CPU each); loaded here, it is loaded once per
 * worker. Only the client side of it is used in the files (they connect to the run's browser).
 */
const { TestEnvironment } = require('jest-environment-node');
const { quiet } = require('../../support/quiet-function-output.environment');

class E2eEnvironment extends quiet(TestEnvironment) {
  /** @param {any[]} args */
  constructor(...args) {
    super(...args);
    // A fresh object per file: at teardown Jest rewrites the properties of what a file's global
    // holds (warning on each later read), which must never reach the worker's playwright-core.
    this.global['e2ePlaywright'] = { chromium: require('playwright-core').chromium };
  }
}

module.exports = E2eEnvironment;
