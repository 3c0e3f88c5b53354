import { cutWebpackModule } from '../../../scripts/lib/webpack-module';

/** A webpack 4 bundle, as wx-server-sdk ships: modules keyed by id, externals as plain requires. */
function webpackBundle(modules: Record<string, string>): string {
  const entries = Object.entries(modules).map(
    ([id, code]) => `/***/ ${JSON.stringify(id)}:
/*!${'*'.repeat(id.length + 8)}!*\\
  !*** ${id} ***!
  \\${'*'.repeat(id.length + 8)}/
/*! no static exports found */
/***/ (function(module, exports, __webpack_require__) {

${code}

/***/ })`,
  );
  return `module.exports =
/******/ (function(modules) { // webpackBootstrap
/******/ 	var installedModules = {};
/******/ 	function __webpack_require__(moduleId) {
/******/ 		if(installedModules[moduleId]) return installedModules[moduleId].exports;
/******/ 		var module = installedModules[moduleId] = { i: moduleId, l: false, exports: {} };
/******/ 		modules[moduleId].call(module.exports, module, module.exports, __webpack_require__);
/******/ 		return module.exports;
/******/ 	}
/******/ 	return __webpack_require__(__webpack_require__.s = "./src/index.ts");
/******/ })
/************************************************************************/
/******/ ({

${entries.join(',\n\n')}

/******/ });`;
}

/** Runs CommonJS `source` with `requireFn` as its require; returns its exports. */
function run(source: string, requireFn: (name: string) => unknown): unknown {
  const mod: { exports: unknown } = { exports: {} };
  new Function('module', 'exports', 'require', source)(mod, mod.exports, requireFn);
  return mod.exports;
}

const HEAVY = `"use strict";
var $ext = __webpack_require__(/*! big-package/minimal */ "big-package/minimal");
module.exports = { encode: (text) => $ext.encode(text) };`;

const bundle = webpackBundle({
  './src/index.ts': `const heavy = __webpack_require__(/*! ./heavy */ "./src/heavy.js");
exports.encodeLater = (text) => heavy.encode(text);
exports.other = __webpack_require__(/*! other-package */ "other-package").name;`,
  './src/heavy.js': HEAVY,
  'big-package/minimal': 'module.exports = require("big-package/minimal");',
  'other-package': 'module.exports = require("other-package");',
});

const packages: Record<string, unknown> = {
  'big-package/minimal': { encode: (text: string) => `<${text}>` },
  'other-package': { name: 'other' },
};

describe('cutting a module out of a webpack bundle', () => {
  it('given a module that requires only externals, the rest of the bundle runs it only through the replacement', () => {
    const cut = cutWebpackModule(bundle, './src/heavy.js', 'module.exports = require("./heavy-later.js");');
    if (!cut) throw new Error('expected the module to be cut');
    const required: string[] = [];
    const exported = run(cut.bundle, (name) => {
      required.push(name);
      if (name === './heavy-later.js') return run(cut.module, (inner) => packages[inner]);
      return packages[name];
    }) as { encodeLater: (text: string) => string; other: string };

    expect(exported.other).toBe('other');
    expect(exported.encodeLater('a')).toBe('<a>');
    expect(required).toEqual(['./heavy-later.js', 'other-package']);
  });

  it('given an external only the cut module required, it leaves the bundle too; one still required elsewhere stays', () => {
    const cut = cutWebpackModule(bundle, './src/heavy.js', '');

    expect(cut?.bundle).not.toContain('require("big-package/minimal")');
    expect(cut?.bundle).toContain('require("other-package")');
    expect(cut?.module).toContain('require("big-package/minimal")');
  });

  it('keeps every other line where it was, so a source map of the bundle still names the right lines', () => {
    const cut = cutWebpackModule(bundle, './src/heavy.js', 'module.exports = 1;');
    const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

    expect(cut?.bundle.split('\n').length).toBe(bundle.split('\n').length);
    expect(lineOf(cut?.bundle ?? '', '"other-package":')).toBe(lineOf(bundle, '"other-package":'));
  });

  it('given a module that requires another module of the bundle, or an id the bundle lacks, cuts nothing', () => {
    expect(cutWebpackModule(bundle, './src/index.ts', '')).toBeNull();
    expect(cutWebpackModule(bundle, './src/missing.js', '')).toBeNull();
  });

  it('given a module that uses the bundle’s require other than as a call (a webpack helper), cuts nothing', () => {
    const helper = webpackBundle({ './src/heavy.js': `__webpack_require__.r(exports);\n${HEAVY}` });
    expect(cutWebpackModule(helper, './src/heavy.js', '')).toBeNull();
  });
});
