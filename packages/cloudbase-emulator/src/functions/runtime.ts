/**
 * The local function runtime: runs BUILT cloud functions (`<functionsRoot>/<name>/index.js`) the way
 * SCF does. Per function, a pool of instances (worker threads), each running one invocation at a
 * time; a warm idle instance is reused, and when all are busy a new one starts (a cold start), up
 * to `maxInstances`; beyond that invocations wait. An invocation that caused a cold start runs on
 * that new instance, as on SCF, so N simultaneous first calls really run in N instances at once.
 *
 * An instance whose main threw, that crashed or that timed out is retired; the next invocation
 * gets a fresh one. When the function file changes (a rebuild), idle instances are retired so
 * the next call loads the new code. Every invocation carries the emulator clock's offset to its
 * instance (emulator-clock.ts); when that clock moves back, warm instances are retired the same way.
 *
 * The time limit counts from the moment main starts, not the cold start (SCF limits initialisation
 * separately), and stops while other instances load (clock.ts); a generous init limit still
 * catches a function that hangs while loading.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, invocationEnvironment, scfContext, type InvocationIdentity } from './context';
import type { EmulatorClock } from '../emulator-clock';
import { createPausableClock } from './clock';
import { readFunctionSettings, type FunctionSettings } from './config';
import { createFunctionDependencies, defaultCacheRoot, type FunctionDependencies } from './dependencies';
import { startInstance, type FunctionInstance, type InvocationError, type InvocationOutcome } from './instance';

export type { InvocationError, InvocationErrorKind, InvocationOutcome } from './instance';

/** CloudBase function names: a letter, then letters, digits, '-' or '_', at most 60 characters. */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
const DEFAULT_INIT_TIMEOUT_MS = 60_000;

export interface FunctionRuntimeOptions {
  functionsRoot: string;
  /** Variables every instance starts with (sdkEnv(): where the emulator is). Read at each cold start. */
  baseEnv: () => Record<string, string>;
  /** Per function. Default 100. */
  maxInstances?: number;
  /** Overrides every function's time limit (tests). Default: cloudbaserc.json `timeout`, else 3 s. */
  timeoutMs?: number;
  /** Limit for loading a function in a new instance. Default 60 s (many instances may load at once). */
  initTimeoutMs?: number;
  /** Where the functions' console output goes. */
  onOutput?: (functionName: string, stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Start instances from V8's code cache of the function file (instance-host.js). Default true. */
  codeCache?: boolean;
  /**
   * Where the code cache persists between emulator runs (with `codeCache`), by the SHA-256 of the file:
   * a new emulator's first cold start skips compiling a function it ran before. Default
   * defaultCodeCacheDir(); null keeps it in memory only.
   */
  codeCacheDir?: string | null;
  /** Installs what a function's package.json declares and its folder lacks (dependencies.ts). */
  dependencies?: FunctionDependencies;
  /** What `{{env.NAME}}` templates in cloudbaserc.json envVariables are filled from (config.ts). Default process.env. */
  templateVariables?: () => Record<string, string | undefined>;
  /** The emulator's clock, whose offset every invocation carries to its instance. Default: real time. */
  time?: Pick<EmulatorClock, 'offset' | 'rewinds'>;
}

/** What an invocation ended with, and which instance ran it (null when none did: not found, not loaded). */
export type RuntimeOutcome = InvocationOutcome & { instance: number | null };

export interface FunctionStats {
  /** Instances alive (idle or busy). */
  instances: number;
  idle: number;
  /** Instances started so far (cold starts). */
  coldStarts: number;
  /** Whether later cold starts begin from V8's code cache of the current file. */
  codeCached: boolean;
}

export interface FunctionRuntime {
  invoke(name: string, event: unknown, identity: InvocationIdentity): Promise<RuntimeOutcome>;
  /** Names of the functions that have a built index.js. */
  list(): string[];
  stats(name: string): FunctionStats;
  /** Stops every instance; later invocations fail. */
  close(): Promise<void>;
}

interface Waiter {
  resolve(instance: FunctionInstance): void;
  reject(error: InvocationError): void;
}

interface Pool {
  name: string;
  file: string;
  version: number;
  settings: FunctionSettings;
  all: Set<FunctionInstance>;
  idle: FunctionInstance[];
  starting: number;
  waiters: Waiter[];
  coldStarts: number;
  /** V8 code cache of this version of the file, once an instance produced it. */
  codeCache: Uint8Array | null;
  /** Set while the first instance of this version compiles the file; the others wait for its cache. */
  priming: Promise<void> | null;
  /** The emulator clock's rewind count the idle instances were started under. */
  rewinds: number;
}

/** Names the code cache folder for every emulator of a process tree (this repository's jest: `.build/code-cache`). */
export const CODE_CACHE_DIR_VARIABLE = 'CLOUDBASE_EMULATOR_CODE_CACHE_DIR';

/** CLOUDBASE_EMULATOR_CODE_CACHE_DIR, else `$XDG_CACHE_HOME/cloudbase-emulator/code-cache`, else `~/.cache/...`: private to the user. */
export function defaultCodeCacheDir(): string {
  return process.env[CODE_CACHE_DIR_VARIABLE] || path.join(defaultCacheRoot(), 'code-cache');
}

export function isValidFunctionName(name: string): boolean {
  return FUNCTION_NAME.test(name);
}

export function createFunctionRuntime(options: FunctionRuntimeOptions): FunctionRuntime {
  const root = path.resolve(options.functionsRoot);
  const maxInstances = options.maxInstances ?? 100;
  const initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
  const onOutput = options.onOutput ?? printFunctionOutput;
  const useCodeCache = options.codeCache ?? true;
  const codeCacheDir = useCodeCache ? (options.codeCacheDir === undefined ? defaultCodeCacheDir() : options.codeCacheDir) : null;
  const templateVariables = options.templateVariables ?? (() => process.env);
  const pools = new Map<string, Pool>();
  const clock = createPausableClock();
  const dependencies = options.dependencies ?? createFunctionDependencies();
  const time = options.time ?? { offset: () => 0, rewinds: () => 0 };
  /** The clock's rewind count when each instance started: one started before a move back is replaced. */
  const rewindsAtStart = new WeakMap<FunctionInstance, number>();
  let closed = false;

  function functionFile(name: string): string {
    return path.join(root, name, 'index.js');
  }

  /** The pool of `name`, refreshed when the built file changed; null when there is no built file. */
  function poolFor(name: string): Pool | null {
    const file = functionFile(name);
    let version: number;
    try {
      version = statSync(file).mtimeMs;
    } catch {
      return null;
    }
    let pool = pools.get(name);
    if (!pool) {
      pool = {
        name,
        file,
        version,
        settings: readFunctionSettings(root, name, templateVariables()),
        all: new Set(),
        idle: [],
        starting: 0,
        waiters: [],
        coldStarts: 0,
        codeCache: null,
        priming: null,
        rewinds: time.rewinds(),
      };
      pools.set(name, pool);
    } else if (pool.version !== version) {
      pool.version = version;
      pool.settings = readFunctionSettings(root, name, templateVariables());
      pool.codeCache = null;
      pool.priming = null;
      for (const stale of pool.idle.splice(0)) retire(pool, stale);
    }
    // The clock went back: warm instances hold state stamped in the future (a cache entry that
    // would stay fresh for the whole rewind), so they go, as after a redeploy.
    if (pool.rewinds !== time.rewinds()) {
      pool.rewinds = time.rewinds();
      for (const stale of pool.idle.splice(0)) retire(pool, stale);
    }
    return pool;
  }

  function retire(pool: Pool, instance: FunctionInstance): void {
    pool.all.delete(instance);
    pool.idle = pool.idle.filter((candidate) => candidate !== instance);
    void instance.terminate();
  }

  /** Hands idle instances to waiters, and starts instances for the rest while there is room. */
  function pump(pool: Pool): void {
    while (pool.waiters.length > 0) {
      const idle = pool.idle.pop();
      if (idle) {
        pool.waiters.shift()?.resolve(idle);
        continue;
      }
      if (pool.all.size + pool.starting >= maxInstances) return;
      const waiter = pool.waiters.shift();
      if (!waiter) return;
      coldStart(pool).then(
        (instance) => waiter.resolve(instance),
        (error: unknown) => {
          waiter.reject(asInvocationError(error));
          pump(pool);
        },
      );
    }
  }

  async function coldStart(pool: Pool): Promise<FunctionInstance> {
    pool.starting += 1;
    pool.coldStarts += 1;
    const release = clock.hold();
    const version = pool.version;
    let primed: (() => void) | null = null;
    try {
      if (useCodeCache && !pool.codeCache && pool.priming) await pool.priming;
      if (useCodeCache && !pool.codeCache && !pool.priming && pool.version === version) {
        pool.priming = new Promise((resolve) => (primed = resolve));
      }
      let dependencyPath: string | null;
      try {
        dependencyPath = await dependencies.resolve(pool.name, path.dirname(pool.file));
      } catch (error) {
        throw { kind: 'load', message: error instanceof Error ? error.message : String(error) } satisfies InvocationError;
      }
      const rewinds = time.rewinds();
      const instance = await startInstance({
        file: pool.file,
        clockOffset: time.offset(),
        version,
        dependencyPath,
        env: { ...inheritedEnvironment(), ...options.baseEnv(), ...pool.settings.envVariables },
        initTimeoutMs,
        clock,
        codeCache: pool.version === version ? pool.codeCache : null,
        produceCodeCache: primed !== null,
        codeCacheDir,
        onCodeCache: (data) => {
          if (pool.version === version) pool.codeCache = data;
          endPriming();
        },
        onOutput: (stream, chunk) => onOutput(pool.name, stream, chunk),
      });
      if (closed) {
        void instance.terminate();
        throw { kind: 'crash', message: 'the emulator is closing' } satisfies InvocationError;
      }
      pool.all.add(instance);
      rewindsAtStart.set(instance, rewinds);
      return instance;
    } finally {
      endPriming();
      release();
      pool.starting -= 1;
    }

    function endPriming(): void {
      if (!primed) return;
      primed();
      primed = null;
      if (pool.version === version) pool.priming = null;
    }
  }

  function acquire(pool: Pool): Promise<FunctionInstance> {
    return new Promise((resolve, reject) => {
      pool.waiters.push({ resolve, reject });
      pump(pool);
    });
  }

  function release(pool: Pool, instance: FunctionInstance, outcome: InvocationOutcome): void {
    const rewound = rewindsAtStart.get(instance) !== time.rewinds();
    if (closed || !instance.alive || !outcome.ok || instance.version !== pool.version || rewound) retire(pool, instance);
    else pool.idle.push(instance);
    pump(pool);
  }

  return {
    async invoke(name, event, identity) {
      if (closed) return { ok: false, error: { kind: 'crash', message: 'the emulator is closed' }, instance: null };
      const pool = isValidFunctionName(name) ? poolFor(name) : null;
      if (!pool) {
        return { ok: false, error: { kind: 'not-found', message: `FunctionName parameter could not be found: ${name}` }, instance: null };
      }
      let instance: FunctionInstance;
      try {
        instance = await acquire(pool);
      } catch (error) {
        return { ok: false, error: error as InvocationError, instance: null };
      }
      const timeoutMs = options.timeoutMs ?? pool.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const env = invocationEnvironment(identity);
      const context = scfContext({
        invocationId: identity.invocationId,
        functionName: name,
        env: identity.env,
        memoryMb: pool.settings.memoryMb ?? DEFAULT_MEMORY_MB,
        timeoutMs,
        environment: { ...options.baseEnv(), ...pool.settings.envVariables, ...env },
      });
      const outcome = await instance.run({ id: identity.invocationId, event, context, env, clockOffset: time.offset() }, timeoutMs);
      release(pool, instance, outcome);
      return { ...outcome, instance: instance.id };
    },
    list() {
      let entries: string[];
      try {
        entries = readdirSync(root);
      } catch {
        return [];
      }
      return entries.filter((name) => isValidFunctionName(name) && fileExists(functionFile(name))).sort();
    },
    stats(name) {
      const pool = pools.get(name);
      return {
        instances: pool?.all.size ?? 0,
        idle: pool?.idle.length ?? 0,
        coldStarts: pool?.coldStarts ?? 0,
        codeCached: Boolean(pool?.codeCache),
      };
    },
    async close() {
      closed = true;
      const stopping: Promise<void>[] = [];
      for (const pool of pools.values()) {
        for (const waiter of pool.waiters.splice(0)) waiter.reject({ kind: 'crash', message: 'the emulator is closing' });
        for (const instance of pool.all) stopping.push(instance.terminate());
        pool.all.clear();
        pool.idle = [];
      }
      await Promise.all(stopping);
    },
  };
}

/**
 * What an instance inherits from the emulator's own environment: PATH, HOME, TZ and the like, but
 * none of the CloudBase/WeChat variables, which the runtime sets itself.
 */
function inheritedEnvironment(): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(WX_|TCB_|SCF_|TENCENTCLOUD_)/.test(key)) continue;
    inherited[key] = value;
  }
  return inherited;
}

/** startInstance rejects with an InvocationError; anything else (a Worker that could not be created) is a load failure. */
function asInvocationError(error: unknown): InvocationError {
  if (typeof error === 'object' && error !== null && 'kind' in error && 'message' in error) return error as InvocationError;
  return { kind: 'load', message: error instanceof Error ? error.message : String(error) };
}

function fileExists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Where printFunctionOutput writes when set on the global object: a host that shows function output
 * its own way (this repository's jest environment keeps it out of passing test runs) puts a
 * function taking the formatted text there.
 */
export const FUNCTION_OUTPUT_SINK = '__cloudbaseEmulatorFunctionOutput';

/** What functions print, on the emulator's stderr, each line prefixed with the function's name. */
export function printFunctionOutput(functionName: string, _stream: 'stdout' | 'stderr', chunk: Buffer): void {
  const text = chunk.toString('utf8').replace(/\n$/, '');
  const formatted = `${text
    .split('\n')
    .map((line) => `[${functionName}] ${line}`)
    .join('\n')}\n`;
  const sink = (globalThis as Record<string, unknown>)[FUNCTION_OUTPUT_SINK];
  if (typeof sink === 'function') sink(formatted);
  else process.stderr.write(formatted);
}
