/**
 * `npm run check:compile`: WeChat DevTools' own compiler, offline, on the mini-program with the
 * project's own compile settings — what DevTools would refuse to open or upload: syntax errors in
 * .ts/.wxml, and in .js where DevTools parses it (compileSetting below) (10045), pages in
 * app.json without files (10005), invalid JSON (10006), app.json schema errors (10009), a wrong
 * miniprogramRoot. It checks no types (that is `npm run typecheck`).
 *
 * The compiler is miniprogram-ci, ~280 MB over ~1,100 packages: far too heavy to make every user
 * download it as a dependency. It is installed on first use into a cache folder outside the
 * project (MINIPROGRAM_CI_DIR, default ~/.cache/wx-cloud-login/miniprogram-ci-<version>) and
 * reused afterwards; CI can cache that folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const MINIPROGRAM_CI_VERSION = '2.1.42';

/** The part of miniprogram-ci this script uses (the package ships typings, but is not installed for tsc). */
interface CiProject {
  attr(): Promise<unknown>;
}
interface MiniprogramCi {
  Project: new (options: { appid: string; type: 'miniProgram'; projectPath: string; privateKey: string; ignores?: string[] }) => CiProject;
  getCompiledResult(options: {
    project: CiProject;
    setting?: Record<string, unknown>;
    onProgressUpdate?: (task: unknown) => void;
    threads?: number;
  }): Promise<Record<string, unknown>>;
  DefaultProjectAttr: unknown;
}

export function miniprogramCiDir(env: Record<string, string | undefined>, home = os.homedir()): string {
  if (env.MINIPROGRAM_CI_DIR) return path.resolve(env.MINIPROGRAM_CI_DIR);
  const cache = env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(cache, 'wx-cloud-login', `miniprogram-ci-${MINIPROGRAM_CI_VERSION}`);
}

/** One readable paragraph from miniprogram-ci's CodeError (`code` + a message that may hold a code frame). */
export function describeCompileError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message.trim() : String(error);
  return typeof code === 'number' || typeof code === 'string' ? `[${code}] ${text}` : text;
}

/** While npm works (a minute or more on first use), a line this often says it still does. */
const PROGRESS_EVERY_MS = 10_000;

/** A line every PROGRESS_EVERY_MS until the returned function is called: a long step never sits silent. */
export function progressTicker(label: string, print: (line: string) => void = console.log): () => void {
  const started = Date.now();
  const timer = setInterval(() => print(`  …${label}（${Math.round((Date.now() - started) / 1000)} s）`), PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}

async function ensureInstalled(dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'node_modules', 'miniprogram-ci', 'package.json'))) return;
  console.log(`安装 miniprogram-ci@${MINIPROGRAM_CI_VERSION} 到 ${dir}（仅首次，约 1 分钟、280 MB；不写入项目依赖）`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const stop = progressTicker('仍在安装 miniprogram-ci / still installing');
  const code = await new Promise<number | string | null>((resolve) => {
    const child = spawn(
      npm,
      ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `miniprogram-ci@${MINIPROGRAM_CI_VERSION}`],
      { stdio: 'inherit', shell: process.platform === 'win32' },
    );
    child.once('error', () => resolve('spawn failed'));
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal));
  });
  stop();
  if (code !== 0) throw new Error(`npm install miniprogram-ci failed (exit ${code})`);
  console.log('miniprogram-ci 已安装 / installed');
}

/**
 * miniprogram-ci reaches servicewechat.com for things an offline compile does not need (the ext
 * whitelist) and logs each failure as "[error] …"; those are counted. Its compiler, in this process
 * (runCompilerInThisProcess), also logs its progress and each error it hands back with a stack: its
 * forked child's output went nowhere, so while it compiles all of it stays silent.
 */
function muteOfflineNoise(): () => number {
  let muted = 0;
  const originals = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    console[name] = (...parts: unknown[]) => {
      if (parts.some((part) => String(part).includes('servicewechat.com'))) muted++;
    };
  }
  return () => {
    Object.assign(console, originals);
    return muted;
  };
}

/**
 * Platform quirk: miniprogram-ci (2.1.42) creates its compile cache folder, named by the MD5 of the
 * project path (`7356649e…`), relative to the working directory: in whatever folder the command runs
 * from, once per project compiled, and leaves it there empty. The compile runs with the working
 * directory in a temporary folder of its own, removed afterwards, so nothing lands beside the
 * project or in the folder the command was started from.
 */
export async function inScratchWorkingDirectory<T>(run: (scratch: string) => Promise<T>, parent = os.tmpdir()): Promise<T> {
  const previous = process.cwd();
  const scratch = mkdtempSync(path.join(parent, 'wx-cloud-login-compile-'));
  // Also when the compiler's own timeouts end the process from a callback (seen on a loaded machine).
  const remove = () => rmSync(scratch, { recursive: true, force: true });
  process.once('exit', remove);
  process.chdir(scratch);
  try {
    return await run(scratch);
  } finally {
    process.chdir(previous);
    process.off('exit', remove);
    remove();
  }
}

/**
 * The compile settings DevTools uses for this project, from its project.config.json `setting`: the
 * ones under which DevTools parses the JavaScript. 「将 JS 编译成 ES5」(`es6`) and 「增强编译」(`enhance`)
 * run babel over every .js file, which refuses a syntax error (10045); without either, DevTools hands
 * the files on as written and only 「上传时自动压缩脚本」(`minified`) parses them, at upload. Without
 * the settings miniprogram-ci parses no JavaScript at all, so a syntax error passed this check.
 * Minifying is asked for only when it is the one parser: it adds ~4 s per project and finds nothing
 * babel does not.
 */
export function compileSetting(setting: unknown): { es6: boolean; es7: boolean; minifyJS: boolean } {
  const chosen = (key: string) => typeof setting === 'object' && setting !== null && (setting as Record<string, unknown>)[key] === true;
  const es6 = chosen('es6');
  const es7 = chosen('enhance');
  return { es6, es7, minifyJS: !es6 && !es7 && chosen('minified') };
}

/**
 * The three exports of miniprogram-ci this check uses, each from its own file: the package's entry
 * loads all of it (upload, preview, cloud, npm build, ~1,660 modules), these files ~950 of them, the
 * compiler's included — about half a second of CPU less per run. The same objects as the entry's
 * (it re-exports these), with the one thing the entry does besides (initServicesByEnv); the
 * compiler (runCompilerInThisProcess) loads the rest it needs itself. The paths are those of
 * MINIPROGRAM_CI_VERSION, the only version this check installs.
 */
export const COMPILER_FILES = {
  Project: 'miniprogram-ci/dist/ci/project.js',
  getCompiledResult: 'miniprogram-ci/dist/ci/getCompiledResult.js',
  DefaultProjectAttr: 'miniprogram-ci/dist/config/config.js',
} as const;
const COMPILER_SERVICES = 'miniprogram-ci/dist/services/common/getservice.js';

/** Loaded once per process, as the entry would be: a check of several projects picks the services once. */
const loaded = new Map<string, MiniprogramCi>();

/** The part of the handler miniprogram-ci runs in its own process when asked to (processManager.js getInProcessHandler). */
export interface InProcessHandler {
  initHandler(message: unknown): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  messageHandler(message: unknown): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * miniprogram-ci's compiler, run in this process the way its forked child runs it: from the
 * project's folder (the child's working directory, which babel names files from, e.g. in a 10045
 * code frame), each request from `fresh` state (runCompilerInThisProcess), and answering only the
 * compile started last. The handler's listeners are never
 * removed, so without that a second project's answers also reach the first one's proxy, which
 * logs "child process task: N not found".
 */
export function asForkedChild(
  handler: InProcessHandler,
  projectPath: string,
  state: { active?: unknown },
  chdir: (directory: string) => void = process.chdir,
  fresh: () => void = () => undefined,
): InProcessHandler {
  const self = {};
  return {
    initHandler: async (message) => {
      state.active = self;
      chdir(projectPath);
      fresh();
      await handler.initHandler(message);
    },
    onMessage: (listener) =>
      handler.onMessage((message) => {
        if (state.active === self) listener(message);
      }),
    messageHandler: (message) => {
      fresh();
      return handler.messageHandler(message);
    },
    destroy: () => handler.destroy(),
  };
}

/**
 * Platform quirk: miniprogram-ci (2.1.42) compiles in a child process it forks per project
 * (summerEntryProcess.js): ~1,000 modules loaded again per project, ~1.5 s of CPU. When its
 * utils/debug.js shouldRunInMainProcess() says so (its build servers' mode) it runs the same handler
 * in this process instead. One thing the two sides then share: the reactive cache of its JSON checks
 * (original/json/reactiveCache.js), one module-level map per project path. This side's CI project
 * (which sees no `.js` for a `.ts` page) fills it before the compiler's first request, and the
 * compiler's app.json page check then asked that project: the TypeScript template failed with 10005.
 * So the compiler's side starts each request with the cache empty, as a fresh child would; this side
 * asks nothing of it while it waits. The compiled files are byte for byte the forked child's.
 */
function runCompilerInThisProcess(load: NodeJS.Require): void {
  const debug = load('miniprogram-ci/dist/utils/debug.js') as { shouldRunInMainProcess(): Promise<boolean> };
  debug.shouldRunInMainProcess = async () => true;
  const { cleanReactiveCache } = load('miniprogram-ci/dist/modules/corecompiler/original/json/reactiveCache.js') as {
    cleanReactiveCache(): void;
  };
  const { SubProcessProxy } = load('miniprogram-ci/dist/utils/subprocess/processManager.js') as {
    SubProcessProxy: { prototype: { getInProcessHandler(this: { project: { projectPath: string } }): InProcessHandler } };
  };
  const original = SubProcessProxy.prototype.getInProcessHandler;
  const state: { active?: unknown } = {};
  SubProcessProxy.prototype.getInProcessHandler = function () {
    return asForkedChild(original.call(this), this.project.projectPath, state, process.chdir, cleanReactiveCache);
  };
}

function loadCompiler(dir: string): MiniprogramCi {
  const known = loaded.get(dir);
  if (known) return known;
  const load = createRequire(path.join(dir, 'package.json'));
  const from = <K extends keyof MiniprogramCi>(name: K): MiniprogramCi[K] => (load(COMPILER_FILES[name]) as MiniprogramCi)[name];
  const ci = { Project: from('Project'), getCompiledResult: from('getCompiledResult'), DefaultProjectAttr: from('DefaultProjectAttr') };
  runCompilerInThisProcess(load);
  // What the entry does once it has loaded these: pick the compiler's services for this host (CI).
  (load(COMPILER_SERVICES) as { initServicesByEnv(): void }).initServicesByEnv();
  loaded.set(dir, ci);
  return ci;
}

export async function compileCheck(root: string, env: Record<string, string | undefined>): Promise<number> {
  const config = JSON.parse(readFileSync(path.join(root, 'project.config.json'), 'utf8')) as { appid?: string; setting?: unknown };
  const dir = miniprogramCiDir(env);
  await ensureInstalled(dir);
  const ci = loadCompiler(dir);

  // Any private key string works for compiling; only upload/preview verify it.
  const project = new ci.Project({
    appid: config.appid ?? 'touristappid',
    type: 'miniProgram',
    projectPath: path.resolve(root),
    privateKey: 'offline-compile-check',
    ignores: ['node_modules/**/*'],
  });
  // Platform quirk: CIProject.attr() fetches the appid's project attributes from servicewechat.com
  // (a request signed with the upload key), so offline the compile fails with code 20001. DevTools'
  // defaults are what an unknown appid gets anyway; the option is undocumented.
  project.attr = async () => ci.DefaultProjectAttr;

  const started = Date.now();
  console.log("用开发者工具的编译器编译… / Compiling with DevTools' compiler…");
  const stopTicker = progressTicker('仍在编译 / still compiling');
  const unmute = muteOfflineNoise();
  try {
    const threads = compileThreads(env);
    const files = await inScratchWorkingDirectory(async () => {
      // Worker threads start with this process's execArgv: without tsx's loader.
      const execArgv = process.execArgv;
      process.execArgv = withoutTsxLoader(execArgv);
      const global = globalThis as { __MINIPROGRAM_CI_TEST__?: boolean };
      if (threads === undefined) global.__MINIPROGRAM_CI_TEST__ = true;
      try {
        const setting = compileSetting(config.setting);
        return await ci.getCompiledResult({ project, setting, onProgressUpdate: () => undefined, threads: threads ?? 0 });
      } finally {
        process.execArgv = execArgv;
        delete global.__MINIPROGRAM_CI_TEST__;
      }
    });
    stopTicker();
    const muted = unmute();
    console.log(
      `✓ 开发者工具编译通过：${Object.keys(files).length} 个文件，${Date.now() - started} ms（miniprogram-ci ${MINIPROGRAM_CI_VERSION}，离线${muted > 0 ? `，忽略 ${muted} 条联网报错` : ''}）`,
    );
    return 0;
  } catch (error) {
    stopTicker();
    unmute();
    console.error(`✗ 微信开发者工具会拒绝这个项目：\n${describeCompileError(error)}`);
    return 1;
  }
}

/**
 * `execArgv` without tsx's loader (`--require …/tsx/…`, `--import …/tsx/…`). The compiler starts its
 * worker threads (plain JavaScript, COMPILE_THREADS) with this process's execArgv, so under tsx
 * (`npm run check:compile`) each worker would load tsx too and pay its hooks on each of its thousands of module loads: about
 * a second and a half of CPU per compiled project, for nothing the worker needs.
 */
export function withoutTsxLoader(execArgv: readonly string[]): string[] {
  const tsxFile = /[\\/]tsx[\\/]/;
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] as string;
    if (['--require', '-r', '--import', '--loader'].includes(arg) && tsxFile.test(execArgv[index + 1] ?? '')) index++;
    else if (!(/^--(require|import|loader)=/.test(arg) && tsxFile.test(arg))) kept.push(arg);
  }
  return kept;
}

/**
 * Platform quirk: miniprogram-ci's compiler (here in this process, runCompilerInThisProcess) hands
 * each file's work (babel, the WXSS and WXML compilers, the minifiers) to a pool of worker threads,
 * by default one per core (its `threads` option, which getCompiledResult writes over the
 * COMPILE_THREADS variable). Each worker loads those compilers again, about 1.3 s of CPU per
 * worker and project: more than compiling a small project takes. With `__MINIPROGRAM_CI_TEST__`
 * set it runs the same task functions on its own thread (workerThread/index.js runTask, the
 * package's test mode; its one other use, an --inspect port for a forked compiler child, does not
 * apply to a compiler in this process). It is set for the compile only: the same compiler code
 * with the same settings, the compiled files byte for byte those of the worker pool.
 *
 * `COMPILE_THREADS=<n>`: compile on miniprogram-ci's pool of n worker threads (at most one per core)
 * instead of this process's own thread. More CPU, as each worker loads the compilers, but on an idle
 * machine with several cores a large project compiles sooner. Anything but a positive integer: this
 * process's own thread.
 */
export function compileThreads(env: Record<string, string | undefined>): number | undefined {
  const threads = Number(env.COMPILE_THREADS);
  return Number.isInteger(threads) && threads > 0 ? threads : undefined;
}

// NodeJS.Require: the test config also sees the mini-program typings, whose `require` has no `main`.
// `npm run check:compile -- <project>…` compiles other DevTools projects (ones `npm run add` installed into),
// one after the other in this process: loading the compiler is a good part of the time.
if ((require as unknown as NodeJS.Require).main === module) {
  const targets = process.argv.slice(2);
  const roots = targets.length > 0 ? targets.map((target) => path.resolve(target)) : [path.resolve(__dirname, '..')];
  (async () => {
    let worst = 0;
    for (const root of roots) {
      if (roots.length > 1) console.log(root);
      worst = Math.max(worst, await compileCheck(root, process.env));
    }
    return worst;
  })().then(
    // The compiler's timers (and a worker pool) keep the event loop alive: exit explicitly.
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
