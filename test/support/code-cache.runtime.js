// @ts-check
/**
 * Jest's runtime, with each module compiled once per worker instead of once per test file.
 *
 * Every test file gets a fresh sandbox, and Jest compiles every module it loads into it from source
 * again: the emulator's ~300 mingo files, bson, wx-server-sdk, the emulator itself, for each of the
 * ~100 files that start an emulator. V8's code cache is what Node itself uses to skip that work: the
 * first test file of a worker compiles a module as usual and, when it is torn down, serialises the
 * module's compiled code (the functions it ran included); later test files of the worker compile
 * the same source from that cache. The cache is keyed by file and kept with the exact code Jest would
 * compile (after its transform): a cache is used only for a source equal to that one, so an edited file
 * compiles afresh; it lives in the worker's memory only. (V8 checks only a source's length against its
 * cache. Comparing the kept string costs a memcmp; hashing every source each file cost ~7 ms of CPU per
 * page test file, ~1.7 MB of source each.)
 *
 * What a test sees is unchanged: each sandbox still runs every module body in its own context (code
 * caches hold compiled code, not objects, and are independent of the context), file names and line
 * and column numbers in stack traces are the same, a source Jest's own compile rejects (a syntax
 * error, ESM syntax) goes through Jest's compile and its messages. Runs that collect V8 coverage,
 * which is keyed by offsets into the compiled source, use Jest's compile unchanged.
 *
 * A module is compiled as a script that evaluates to its function (what Jest did before it used
 * vm.compileFunction) because only a script's code cache can be taken after it ran: a function's
 * cache holds what V8 compiled eagerly, about half of the saving.
 *
 * The worker also keeps the text of each module file it read: Jest reads every module of a test file
 * from disk again (and decodes it) even when its transform is answered from memory, ~1 s of CPU over
 * the 41 page test files. A kept text is used while the file's modification time and size are those it
 * was read with, the rule Jest's own in-memory transform cache follows (@jest/transform keys it by file
 * and modification time).
 */
const { statSync } = require('node:fs');
const vm = require('node:vm');
const JestRuntime = require('jest-runtime').default;

/** The code caches of this worker: file → the source it was compiled from and V8's cache for it. */
/** @type {Map<string, { source: string, data: Buffer }>} */
const codeCaches = new Map();
/** Bytes of code cache (and of the texts kept with it and below) a worker keeps at most, so a long run cannot grow a worker without bound. */
const MAX_CACHED_BYTES = 512 * 1024 * 1024;
let cachedBytes = 0;

/** The module files this worker read: file → its text, with the modification time and size it was read at. */
/** @type {Map<string, { mtimeMs: number, size: number, text: string }>} */
const fileTexts = new Map();

/**
 * @typedef {{ strings: Map<string, string>, readFile(filename: string): string }} FileCache Jest 30's file
 * cache of one test file (jest-runtime's internals/FileCache.ts), the part used here.
 */

/**
 * Lets `fileCache` answer from the texts this worker already read.
 * @param {FileCache} fileCache
 */
function keepFileTexts(fileCache) {
  const jestReadFile = fileCache.readFile.bind(fileCache);
  fileCache.readFile = (filename) => {
    const known = fileCache.strings.get(filename);
    if (known !== undefined) return known;
    /** @type {import('node:fs').Stats | undefined} */
    let stats;
    try {
      stats = statSync(filename);
    } catch {
      return jestReadFile(filename);
    }
    const kept = fileTexts.get(filename);
    if (kept && kept.mtimeMs === stats.mtimeMs && kept.size === stats.size) {
      fileCache.strings.set(filename, kept.text);
      return kept.text;
    }
    const text = jestReadFile(filename);
    if (cachedBytes < MAX_CACHED_BYTES) {
      cachedBytes += text.length - (kept?.text.length ?? 0);
      fileTexts.set(filename, { mtimeMs: stats.mtimeMs, size: stats.size, text });
    }
    return text;
  };
}

/** The wrapper's property, so a module's top frame reads `Object.<anonymous>` as with compileFunction. */
const WRAPPER_NAME = 'Object.<anonymous>';

/**
 * @typedef {{
 *   compile(source: string, filename: string): Function | null,
 *   injectedModuleParameters: string[],
 *   dynamicImport: (specifier: string, identifier: string, context: vm.Context, attributes: unknown, phase: unknown) => Promise<unknown>,
 * }} ModuleExecutor Jest 30's module executor (jest-runtime's internals/ModuleExecutor.ts), the part used here.
 */

class CodeCacheRuntime extends JestRuntime {
  /** @param {ConstructorParameters<typeof JestRuntime>} args */
  constructor(...args) {
    super(...args);
    const [, environment, , , , coverageOptions] = args;
    /** @type {FileCache | undefined} */
    const fileCache = /** @type {any} */ (this).fileCache;
    // Another Jest version may keep files otherwise: then it reads them as it does.
    if (typeof fileCache?.readFile === 'function' && fileCache.strings instanceof Map) {
      keepFileTexts(fileCache);
    }
    /** Scripts this test file compiled without a cache, serialised at teardown. */
    /** @type {{ filename: string, source: string, script: vm.Script }[]} */
    this.uncached = [];
    /** @type {ModuleExecutor | undefined} */
    const executor = /** @type {any} */ (this).executor;
    const usesV8Coverage = coverageOptions.collectCoverage && coverageOptions.coverageProvider === 'v8';
    // Another Jest version may build modules differently: then this is Jest's own runtime.
    if (usesV8Coverage || typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)) {
      return;
    }
    const jestCompile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      const vmContext = environment.getVmContext();
      if (vmContext == null) {
        return jestCompile(source, filename);
      }
      try {
        return this.compileWithCodeCache(executor, vmContext, source, filename);
      } catch {
        // Whatever the script form cannot compile, Jest's compile reports in its own words.
        return jestCompile(source, filename);
      }
    };
  }

  /**
   * @param {ModuleExecutor} executor
   * @param {vm.Context} vmContext
   * @param {string} source
   * @param {string} filename
   * @returns {Function}
   */
  compileWithCodeCache(executor, vmContext, source, filename) {
    // As Jest names them (jest-runtime's ModuleExecutor.compile).
    const scriptFilename = /** @type {any} */ (this)._resolution.isCoreModule(filename) ? `jest-nodejs-core-${filename}` : filename;
    const cached = codeCaches.get(filename);
    const cachedData = cached?.source === source ? cached.data : undefined;
    // The parameters' line is line 0: the module's own lines keep their numbers.
    const script = new vm.Script(`({"${WRAPPER_NAME}":function(${executor.injectedModuleParameters.join(',')}){\n${source}\n}});`, {
      filename: scriptFilename,
      lineOffset: -1,
      cachedData,
      importModuleDynamically: /** @type {any} */ (
        async (
          /** @type {string} */ specifier,
          /** @type {unknown} */ _script,
          /** @type {unknown} */ attributes,
          /** @type {unknown[]} */ ...rest
        ) => {
          if (typeof vm.SyntheticModule !== 'function') {
            throw new Error("import() in a test's module needs Node's --experimental-vm-modules (Jest's ES module support)");
          }
          return executor.dynamicImport(specifier, scriptFilename, vmContext, attributes, rest[0]);
        }
      ),
    });
    if (cachedData === undefined || script.cachedDataRejected === true) {
      this.uncached.push({ filename, source, script });
    }
    return script.runInContext(vmContext)[WRAPPER_NAME];
  }

  teardown() {
    for (const { filename, source, script } of this.uncached) {
      if (cachedBytes >= MAX_CACHED_BYTES) break;
      const data = script.createCachedData();
      const replaced = codeCaches.get(filename);
      cachedBytes += data.length + source.length - (replaced ? replaced.data.length + replaced.source.length : 0);
      codeCaches.set(filename, { source, data });
    }
    this.uncached = [];
    super.teardown();
  }
}

module.exports = CodeCacheRuntime;
