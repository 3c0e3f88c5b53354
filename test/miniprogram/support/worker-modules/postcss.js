// @ts-check
// postcss as the Jest worker loaded it, once for all its files (test/support/quiet-jsdom.environment.js).
module.exports = /** @type {any} */ (globalThis).workerModules['postcss'];
