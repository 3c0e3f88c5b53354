// @ts-check
// The jsdom environment (page tests), with function output shown only for failing tests: see quiet-function-output.environment.js.
const { TestEnvironment } = require('jest-environment-jsdom');
const { quiet } = require('./quiet-function-output.environment');

module.exports = quiet(TestEnvironment);
