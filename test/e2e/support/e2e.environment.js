// @ts-check
/**
 * The e2e project's environment: the quiet node environment (test/support/), plus playwright-core
 * as the Jest worker itself loaded it, on the global `e2ePlaywright` (read by browser.ts). Each test
 * file has a module registry of its own: playwright-core imported there is its 3.6 MB bundle
 * compiled and run again for every file (~1 s of CPU each); loaded here, it is loaded once per
 * worker. And the worker's browser on the global `e2eWorkerBrowser`: one Chromium per worker, not per file.
 */
const { TestEnvironment } = require('jest-environment-node');
const { quiet } = require('../../support/quiet-function-output.environment');

/**
 * The worker's browser (browser.ts): launched by its first browser file, used by the next ones, one
 * context per file. Playwright ends the browsers it launched when the worker exits.
 * @type {Promise<import('playwright-core').Browser> | undefined}
 */
let workerBrowser;

/** @param {() => Promise<import('playwright-core').Browser>} launch */
async function openWorkerBrowser(launch) {
  const current = await workerBrowser?.catch(() => undefined);
  if (current?.isConnected()) return current;
  workerBrowser = launch();
  return workerBrowser;
}

class E2eEnvironment extends quiet(TestEnvironment) {
  /** @param {any[]} args */
  constructor(...args) {
    super(...args);
    // A fresh object per file: at teardown Jest rewrites the properties of what a file's global
    // holds (warning on each later read), which must never reach the worker's playwright-core.
    this.global['e2ePlaywright'] = { chromium: require('playwright-core').chromium };
    this.global['e2eWorkerBrowser'] = { open: openWorkerBrowser };
  }
}

module.exports = E2eEnvironment;
