// @ts-check
/**
 * Jest's environments (node; jsdom in quiet-jsdom.environment.js), with the emulator's function output (the `[login] …` lines, stack traces
 * of deliberately injected faults) kept out of a passing run: the emulator writes function output to
 * the sink this environment puts on the test's global (see printFunctionOutput in the emulator's
 * functions/runtime.ts), the sink collects it, and the lines are printed only when a test or a hook
 * fails, under the name of that test. Output that arrives between tests (beforeAll, afterAll) goes
 * with the next test to finish. CLOUDBASE_EMULATOR_OUTPUT=1 prints everything as it comes.
 */
const { TestEnvironment } = require('jest-environment-node');
// Every Jest worker loads this file (the other environments extend it): it ends promptly when done.
require('./prompt-worker-exit');

const SINK = '__cloudbaseEmulatorFunctionOutput';

/**
 * @template {new (...args: any[]) => { global: Record<string, unknown> }} Base
 * @param {Base} Base
 */
function quiet(Base) {
  return class QuietFunctionOutputEnvironment extends Base {
    /** @param {any[]} args */
    constructor(...args) {
      super(...args);
      /** @type {string[]} */
      this.collected = [];
      if (process.env.CLOUDBASE_EMULATOR_OUTPUT !== '1') {
        this.global[SINK] = (/** @type {string} */ text) => {
          this.collected.push(text);
        };
      }
    }

    /** @param {string} title */
    flush(title) {
      if (this.collected.length === 0) return;
      process.stderr.write(`\n── 云函数输出 / function output before "${title}" failed ──\n${this.collected.join('')}── end ──\n`);
      this.collected = [];
    }

    /** @param {import('jest-circus').Event} event */
    async handleTestEvent(event) {
      if (event.name === 'test_done') {
        if (event.test.errors.length > 0) this.flush(event.test.name);
        else this.collected = [];
      } else if (event.name === 'hook_failure') {
        this.flush(`${event.hook.type} hook`);
      } else if (event.name === 'run_finish') {
        this.collected = [];
      }
    }
  };
}

module.exports = quiet(TestEnvironment);
module.exports.quiet = quiet;
