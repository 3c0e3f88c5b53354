// @ts-check
/**
 * One function instance: a worker thread that loads a BUILT cloud function (`<name>/index.js`) and
 * runs its handler one invocation at a time, like an SCF instance.
 *
 * Plain JavaScript on purpose: cold starts are benchmarked, so starting an instance must cost what
 * loading the function costs and nothing more (no TypeScript loader). The runtime also starts the
 * worker with an empty execArgv so a parent running under tsx does not pass its loader on.
 *
 * Each worker thread has its own copy of process.env, which is what makes per-invocation identity
 * work: wx-server-sdk's getWXContext() and @cloudbase/node-sdk read process.env at call time.
 *
 * Code cache: dozens of instances of one function load the same file. The first instance compiles
 * it and hands V8's code cache to the parent (`produceCodeCache`); later instances start from that
 * cache (`codeCache`), which roughly halves the CPU a cold start costs on a shared machine. The
 * first instance itself starts from the cache an earlier emulator run left on disk (`codeCacheDir`,
 * named by the source's SHA-256), and leaves one there when there was none. An instance that had
 * to compile makes the cache again once its first invocation ends (refreshCodeCache), so that it
 * also holds what that call compiled lazily. The file is then evaluated with the same module
 * wrapper, filename and require as Node's loader.
 *
 * The emulator's clock (emulator-clock.ts): the worker's global Date answers real time plus the
 * offset the emulator holds, handed over at start and with every invocation (installClock below).
 *
 * Messages (see instance.ts for the parent side):
 *   -> parent  { type: 'code-cache', data } (if asked), then { type: 'ready' } | { type: 'load-error', error }
 *   <- parent  { type: 'invoke', id, event, context, env, clockOffset }
 *   -> parent  { type: 'started', id }, then { type: 'result', id, json, runMs } | { type: 'result', id, error, runMs }
 */

const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { parentPort, workerData } = require('node:worker_threads');

/**
 * @typedef {{ message: string, stack?: string }} ErrorInfo
 * @typedef {{ type: 'invoke', id: string, event: unknown, context: Record<string, unknown>, env: Record<string, string>, clockOffset: number }} InvokeMessage
 * @typedef {(event: unknown, context: Record<string, unknown>, callback: (error: unknown, value?: unknown) => void) => unknown} Handler
 */

if (!parentPort) throw new Error('instance-host.js runs as a worker thread');
const port = parentPort;

/** @type {{ file: string, handler: string, codeCache: Uint8Array | null, produceCodeCache: boolean, codeCacheDir: string | null, dependencyPath: string | null, clockOffset: number }} */
const { file, handler, codeCache, produceCodeCache, codeCacheDir, dependencyPath, clockOffset: startOffset } = workerData;

/**
 * Replaces the global Date with one whose current time is real time + the emulator's offset, and
 * returns the function that sets the offset. Only "now" moves: `Date.now()`, `new Date()` and
 * `Date()` without arguments. Everything else is the real Date's: the prototype is shared (so
 * `instanceof Date`, `constructor === Date` and Object.prototype.toString hold for every date,
 * whichever code made it), construction goes through Reflect.construct with new.target (so
 * `class X extends Date` still makes X instances), and Date.UTC / Date.parse are the originals.
 * Node's own internals keep the real clock (they hold their own reference), and timers never
 * read Date, so time limits and setTimeout run on real time.
 * @param {number} initialOffset
 * @returns {(offset: number) => void}
 */
function installClock(initialOffset) {
  const RealDate = Date;
  let offset = initialOffset;
  /** @param {...unknown} args @returns {Date | string} */
  function EmulatorDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + offset).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [RealDate.now() + offset] : args, new.target);
  }
  Object.defineProperties(EmulatorDate, {
    length: { value: RealDate.length },
    name: { value: 'Date' },
    prototype: { value: RealDate.prototype, writable: false },
    now: {
      value: function now() {
        return RealDate.now() + offset;
      },
      writable: true,
      configurable: true,
    },
    parse: { value: RealDate.parse, writable: true, configurable: true },
    UTC: { value: RealDate.UTC, writable: true, configurable: true },
  });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: EmulatorDate, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'Date', { value: EmulatorDate, writable: true, configurable: true });
  return (next) => {
    offset = next;
  };
}

/** Installed before the function loads: what its module scope computes sees the emulator's time too. */
const setClockOffset = installClock(typeof startOffset === 'number' ? startOffset : 0);

/**
 * Makes process.env cheap to read while it keeps Node's semantics. In a worker thread every read of
 * the real process.env goes through a C++ interceptor (~0.7-4.6 us, against ~0.1 us here), and
 * wx-server-sdk reads a dozen variables per SDK call, many calls per invocation.
 *
 * process.env becomes a Proxy over a plain object that mirrors the real one. Reads (get, in, keys,
 * descriptors, JSON, spread) go to the mirror with no trap. Every write goes to the real
 * process.env FIRST, so it coerces (`= 1` gives '1'), refuses (symbols, accessor or non-writable
 * descriptors) and throws exactly as Node does, and what Node reads natively stays right (child
 * processes and nested workers inherit the real one; os.homedir; TZ); the mirror then takes the
 * value the real one holds. `process.loadEnvFile` (it writes natively) refreshes the mirror.
 */
function installEnvironmentMirror() {
  const real = process.env;
  /** @type {Record<string | symbol, unknown>} */
  const mirror = Object.create(Object.getPrototypeOf(real));
  /** @param {string | symbol} key */
  const copy = (key) => {
    if (typeof key === 'symbol') return;
    if (Object.hasOwn(real, key)) {
      // defineProperty, not assignment: '__proto__' is a variable name here, not the prototype.
      Object.defineProperty(mirror, key, { value: real[key], writable: true, enumerable: true, configurable: true });
    } else {
      delete mirror[key];
    }
  };
  const refresh = () => {
    for (const key of Object.keys(mirror)) if (!Object.hasOwn(real, key)) delete mirror[key];
    for (const key of Object.keys(real)) copy(key);
  };
  refresh();
  /** @type {ProxyHandler<Record<string | symbol, unknown>>} */
  const handler = {
    set(target, key, value, receiver) {
      // `Object.create(process.env).X = v` sets X on that object, as on the real one.
      if (receiver !== environment) return Reflect.set(target, key, value, receiver);
      /** @type {any} */ (real)[key] = value;
      copy(key);
      return true;
    },
    defineProperty(_target, key, descriptor) {
      if (!Reflect.defineProperty(real, key, descriptor)) return false;
      copy(key);
      return true;
    },
    deleteProperty(_target, key) {
      const deleted = Reflect.deleteProperty(real, key);
      copy(key);
      return deleted;
    },
    setPrototypeOf(target, prototype) {
      return Reflect.setPrototypeOf(real, prototype) && Reflect.setPrototypeOf(target, prototype);
    },
    preventExtensions() {
      // The real one cannot be frozen, sealed or made non-extensible either.
      throw new TypeError('Cannot prevent extensions');
    },
  };
  const environment = new Proxy(mirror, handler);
  Object.defineProperty(process, 'env', { value: environment, writable: true, enumerable: true, configurable: true });
  const loadEnvFile = /** @type {any} */ (process).loadEnvFile;
  if (typeof loadEnvFile === 'function') {
    /** @type {any} */ (process).loadEnvFile = (/** @type {unknown[]} */ ...args) => {
      try {
        return loadEnvFile.apply(process, args);
      } finally {
        refresh();
      }
    };
  }
}

installEnvironmentMirror();

/**
 * Dependencies installed outside the function folder (dependencies.ts): code inside the folder
 * resolves packages from its own node_modules first, then from the installed ones, then from the
 * folders above, as if CloudBase had installed them next to index.js.
 */
if (dependencyPath) {
  const functionDir = path.dirname(file);
  const inside = (/** @type {string} */ candidate) => candidate === functionDir || candidate.startsWith(functionDir + path.sep);
  /** @type {{ _nodeModulePaths(from: string): string[] }} */
  const internals = /** @type {any} */ (Module);
  const nodeModulePaths = internals._nodeModulePaths;
  internals._nodeModulePaths = (from) => {
    const paths = nodeModulePaths.call(Module, from);
    if (!inside(path.resolve(from))) return paths;
    return [...paths.filter(inside), dependencyPath, ...paths.filter((candidate) => !inside(candidate))];
  };
}

/**
 * The script this instance compiled without a cache, and where its disk entry goes, until the first
 * invocation ends.
 * @type {{ script: vm.Script, diskPath: string | null } | null}
 */
let compiled = null;

/**
 * Loads `file` as CommonJS, through V8's code cache when there is one or one is wanted.
 * @returns {unknown} the module's exports
 */
function load() {
  if (!codeCache && !produceCodeCache) return require(file);
  /** @type {vm.Script} */
  let script;
  /** The code cache on disk for exactly this source, when the parent had none in memory. */
  let disk = null;
  try {
    const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
    const prefix = '(function (exports, require, module, __filename, __dirname) { ';
    // columnOffset: stack columns on line 1 count from the file's own first character, as under
    // Node's loader, so they still match the file's source map.
    const options = { filename: file, columnOffset: -prefix.length };
    disk = !codeCache && codeCacheDir ? readDiskCodeCache(codeCacheDir, file, source) : null;
    const cachedData = codeCache ? Buffer.from(codeCache) : disk?.data;
    script = new vm.Script(`${prefix}${source}\n})`, cachedData ? { ...options, cachedData } : options);
  } catch {
    // Not plain CommonJS (or unreadable): let Node's loader load it, or report why it cannot.
    return require(file);
  }
  const loaded = new Module(file, module);
  loaded.filename = file;
  require.cache[file] = loaded;
  try {
    /** @type {(exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void} */
    const body = script.runInThisContext();
    body.call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  loaded.loaded = true;
  const fromDisk = disk?.data && !script.cachedDataRejected ? disk.data : null;
  if (!codeCache && !fromDisk && (produceCodeCache || disk)) compiled = { script, diskPath: disk ? disk.path : null };
  const data = produceCodeCache || (disk && !fromDisk) ? (fromDisk ?? script.createCachedData()) : null;
  if (disk && data && !fromDisk) writeDiskCodeCache(disk.path, data);
  if (produceCodeCache && data) port.postMessage({ type: 'code-cache', data });
  return loaded.exports;
}

/**
 * V8's code cache kept between emulator runs, named by the SHA-256 of the file's path and exact
 * source, and by the Node version and architecture. V8 checks a cache only against the source's
 * length, so the name must pin the content: a cache is never used for other text. And a script
 * started from a cache keeps the file name it was compiled under (stack traces would name the
 * other file), so the same text at another path gets its own entry. Best effort: any failure to
 * read or write only means compiling, as without a cache.
 * @param {string} dir @param {string} filename @param {string} source
 * @returns {{ path: string, data: Buffer | null }}
 */
function readDiskCodeCache(dir, filename, source) {
  const key = createHash('sha256').update(filename).update('\0').update(source).digest('hex');
  const entry = path.join(dir, `${key}-${process.version}-${process.arch}.v8`);
  try {
    return { path: entry, data: readFileSync(entry) };
  } catch {
    return { path: entry, data: null };
  }
}

/** Entries not written for this long are removed when a new one is written. */
const DISK_CODE_CACHE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Writes atomically (a private temporary name, then rename), so a concurrent reader sees a whole
 * entry or none, and prunes entries older than a week.
 * @param {string} entry @param {Uint8Array} data
 */
function writeDiskCodeCache(entry, data) {
  const dir = path.dirname(entry);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${entry}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, entry);
    // Real time: Date answers the emulator's clock here.
    const now = performance.timeOrigin + performance.now();
    for (const name of readdirSync(dir)) {
      const other = path.join(dir, name);
      if (other !== entry && now - statSync(other).mtimeMs > DISK_CODE_CACHE_MAX_AGE_MS) unlinkSync(other);
    }
  } catch {
    // A cache that cannot be written is only a slower next start.
  }
}

/** @param {unknown} error @returns {ErrorInfo} */
function describe(error) {
  if (error instanceof Error) {
    /** @type {ErrorInfo} */
    const info = { message: `${error.name}: ${error.message}` };
    if (error.stack) info.stack = error.stack;
    return info;
  }
  if (typeof error === 'object' && error !== null) {
    try {
      return { message: JSON.stringify(error) };
    } catch {
      return { message: String(error) };
    }
  }
  return { message: String(error) };
}

/** @type {Handler | undefined} */
let main;
try {
  const loaded = /** @type {Record<string, unknown> | null} */ (load());
  const exported = loaded?.[handler];
  if (typeof exported !== 'function') throw new Error(`${file} does not export a function '${handler}'`);
  main = /** @type {Handler} */ (exported);
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({ type: 'load-error', error: describe(error) });
}

/** Keys the previous invocation set, removed so no identity leaks into the next one. */
/** @type {string[]} */
let previousKeys = [];

/**
 * Leaves process.env as if the previous invocation's keys were deleted and `env` assigned, writing
 * only what differs (most of an invocation's variables repeat from one call to the next).
 * @param {Record<string, string>} env
 */
function applyEnvironment(env) {
  const environment = process.env;
  for (const key of previousKeys) if (!Object.hasOwn(env, key)) delete environment[key];
  previousKeys = Object.keys(env);
  for (const key of previousKeys) {
    const value = env[key];
    if (environment[key] !== value || !Object.hasOwn(environment, key)) environment[key] = value;
  }
}

/**
 * SCF's Node.js runtime accepts an async handler, a handler returning a value, or a callback.
 * @param {Handler} handle @param {unknown} event @param {Record<string, unknown>} context
 * @returns {Promise<unknown>}
 */
function run(handle, event, context) {
  return new Promise((resolve, reject) => {
    /** @type {(error: unknown, value?: unknown) => void} */
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    const returned = handle(event, context, callback);
    if (returned && typeof (/** @type {{ then?: unknown }} */ (returned).then) === 'function') {
      /** @type {Promise<unknown>} */ (returned).then(resolve, reject);
    } else if (handle.length < 3) {
      resolve(returned);
    }
  });
}

/**
 * V8's code cache of the compiled script once its first invocation ran: made right after loading it
 * holds only what loading compiled, while the functions the call ran (the function's request path,
 * the SDK's) were compiled lazily, on first use. Made now it holds them too, and every later instance
 * (through the parent) and later emulator run (through the disk entry, replaced atomically) skips
 * compiling them on its first call: for the built login function, that call's CPU in the instance
 * fell from 57 to 46 ms. Made before the answer is posted, so the instance is never retired
 * (terminated) while it writes the entry. Once per instance that compiled.
 */
function refreshCodeCache() {
  if (!compiled) return;
  const { script, diskPath } = compiled;
  compiled = null;
  const data = script.createCachedData();
  if (produceCodeCache) port.postMessage({ type: 'code-cache', data });
  if (diskPath) writeDiskCodeCache(diskPath, data);
}

port.on('message', async (/** @type {InvokeMessage} */ message) => {
  if (message.type !== 'invoke' || !main) return;
  const { id } = message;
  setClockOffset(message.clockOffset);
  applyEnvironment(message.env);
  port.postMessage({ type: 'started', id });
  // runMs: how long main ran, as the instance saw it (the benchmark's per-layer breakdown).
  const started = performance.now();
  /** @type {Record<string, unknown>} */
  let reply;
  try {
    const value = await run(main, message.event, message.context);
    // The caller gets JSON, as from SCF: undefined becomes null.
    const json = JSON.stringify(value === undefined ? null : value);
    reply = { type: 'result', id, json: json === undefined ? 'null' : json, runMs: performance.now() - started };
  } catch (error) {
    reply = { type: 'result', id, error: describe(error), runMs: performance.now() - started };
  }
  refreshCodeCache();
  port.postMessage(reply);
});
