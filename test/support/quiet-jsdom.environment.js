// @ts-check
/**
 * The jsdom environment (page tests), with function output shown only for failing tests: see
 * quiet-function-output.environment.js.
 *
 * It also hands the test files the Node-only libraries miniprogram-simulate requires when it loads
 * (WXSS: postcss, csso with css-tree, less; WXML: miniprogram-compiler) as this Jest worker loaded
 * them, once: each test file has a module registry of its own, and compiling and running them again
 * in every page test cost ~0.5 s of CPU per file. jest.config.js maps their names to
 * test/miniprogram/support/worker-modules/, which read them from `workerModules`. They take strings
 * and give strings (or compiled code as a string): nothing of them touches the page's window.
 *
 * miniprogram-simulate compiles WXML with WeChat's own compiler (`wxmlToJs`: every .wxml and .wxs
 * under the root, one run of the wcc binary), once per root in each file. The worker keeps its
 * answer while none of those files changed (path, size and modification time of each), so the
 * pages of a run are compiled once per worker.
 *
 * It minifies each component's WXSS with csso (simulate's last step of a WXSS compile, ~4 ms per
 * component) once per worker too: csso.minify is a function of its text and options.
 */
const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-jsdom');
const { quiet } = require('./quiet-function-output.environment');

/** The names as miniprogram-simulate requires them, resolved from its own folder. */
const SHARED = ['postcss', 'csso', 'less', 'miniprogram-compiler'];
const simulateFolder = path.dirname(require.resolve('miniprogram-simulate/src/wxss.js'));

/** wxmlToJs answers by root, compiler options and the fingerprint of the sources it reads. */
const compiledWxml = new Map();

/** Path, size and modification time of every .wxml and .wxs under `root` (node_modules left out, as wxmlToJs does). */
function wxmlSourcesFingerprint(/** @type {string} */ root) {
  const entries = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(wxml|wxs)$/.test(file) && !file.split(path.sep).includes('node_modules'))
    .sort();
  return entries
    .map((file) => {
      const info = statSync(path.join(root, file));
      return `${file}:${info.size}:${info.mtimeMs}`;
    })
    .join('\n');
}

/** The compiler with `wxmlToJs` answered from `compiledWxml` when its sources are unchanged. */
function compilerKeepingWxml(/** @type {any} */ compiler) {
  return {
    ...compiler,
    wxmlToJs(/** @type {string} */ rootPath, /** @type {Record<string, unknown>} */ options = {}) {
      const key = JSON.stringify([rootPath, options, wxmlSourcesFingerprint(rootPath)]);
      let code = compiledWxml.get(key);
      if (code === undefined) {
        code = compiler.wxmlToJs(rootPath, options);
        compiledWxml.set(key, code);
      }
      return code;
    },
  };
}

/** csso.minify answers by text and options. */
const minifiedCss = new Map();

/** csso with `minify` answered from `minifiedCss`. */
function cssoKeepingMinified(/** @type {any} */ csso) {
  return {
    ...csso,
    minify(/** @type {string} */ source, /** @type {Record<string, unknown>} */ options = {}) {
      const key = JSON.stringify([source, options]);
      let minified = minifiedCss.get(key);
      if (minified === undefined) {
        minified = csso.minify(source, options);
        minifiedCss.set(key, minified);
      }
      return { ...minified };
    },
  };
}

class QuietJsdomEnvironment extends quiet(TestEnvironment) {
  /** @param {any[]} args */
  constructor(...args) {
    super(...args);
    /** @type {Record<string, unknown>} */
    const modules = {};
    for (const name of SHARED) {
      // Loaded when a file first asks for it (the tests of services never do), then kept by Node's cache.
      Object.defineProperty(modules, name, {
        enumerable: true,
        get: () => {
          const loaded = require(require.resolve(name, { paths: [simulateFolder] }));
          if (name === 'miniprogram-compiler') return compilerKeepingWxml(loaded);
          return name === 'csso' ? cssoKeepingMinified(loaded) : loaded;
        },
      });
    }
    this.global['workerModules'] = modules;
  }
}

module.exports = QuietJsdomEnvironment;
