// @ts-check
/**
 * The e2e project's environment: the quiet node environment (test/support/), plus playwright-core
 * as the Jest worker itself loaded it, on the global `e2ePlaywright` (read by browser.ts). Each test
 * file has a module registry of its own: playwright-core imported there is its 3.6 MB bundle
 * compiled and run again for every file (~1 s of CPU each); loaded here, it is loaded once per
 * worker. And the worker's browser on the global `e2eWorkerBrowser`: one Chromium per worker, not per file.
 * And Jest's stack formatter kept to the frames it can map (library-stacks.js).
 */
const { TestEnvironment } = require('jest-environment-node');
const { quiet } = require('../../support/quiet-function-output.environment');
const { installLibraryStackFormatter } = require('./library-stacks');

/**
 * The worker's browser (browser.ts): launched by its first browser file, used by the next ones, one
 * context per file. Only in a Jest worker process: a run in band (one file) has each file launch
 * and close its own, since a browser left open would keep Jest from exiting.
 * @type {Promise<import('playwright-core').Browser> | undefined}
 */
let workerBrowser;
const inWorkerProcess = typeof process.send === 'function';

/**
 * jest-worker asks its worker to end with the message [2] (CHILD_MESSAGE_END) and force-exits it
 * half a second later if anything still holds it: the browser's pipe would. So it closes then.
 * @param {unknown} message
 */
function onWorkerMessage(message) {
  if (!Array.isArray(message) || message[0] !== 2) return;
  process.removeListener('message', onWorkerMessage);
  const closing = workerBrowser;
  workerBrowser = undefined;
  closing?.then((browser) => browser.close()).catch(() => undefined);
}

/** @param {() => Promise<import('playwright-core').Browser>} launch */
async function openWorkerBrowser(launch) {
  const current = await workerBrowser?.catch(() => undefined);
  if (current?.isConnected()) return current;
  if (process.listeners('message').indexOf(onWorkerMessage) === -1) process.on('message', onWorkerMessage);
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
    if (inWorkerProcess) this.global['e2eWorkerBrowser'] = { open: openWorkerBrowser };
    /** @type {() => void} */
    this.restoreStackFormatter = () => undefined;
  }

  /** Jest installed its stack formatter for this file just before: frames no map can move skip it (library-stacks.js). */
  async setup() {
    await super.setup();
    this.restoreStackFormatter = installLibraryStackFormatter();
  }

  async teardown() {
    this.restoreStackFormatter();
    await super.teardown();
  }
}

module.exports = E2eEnvironment;
