/**
 * The emulator's command lines: `start` (run the emulator until Ctrl-C), `invoke` (call one function
 * and print its JSON answer), `exec` (run a command against a fresh emulator, then stop it) and
 * `clock` (show or move the running emulator's clock, emulator-clock.ts).
 * scripts/start.ts, scripts/invoke.ts and scripts/emulator.ts only wire these to the process.
 * Argument parsing is pure; the runners take their output streams, the build step and the
 * running-emulator registry as parameters so tests can drive them.
 *
 * One vocabulary for every command: `--data-dir DIR` is the data folder, `--memory` keeps data in
 * memory, the event is `--event '<json>'` or a positional JSON. The old spellings (`--data DIR` on
 * start, `--data '<json>'` on invoke) still work and print a hint.
 *
 * A running `start` / `exec` records itself in the project's registry (running-registry.ts) and, with
 * a data folder, in `<dataDir>/emulator.json`; `invoke` calls the newest running emulator of the
 * project whatever its data folder, else starts an in-memory one for the call; `clock` finds it the
 * same way (without one there is no clock to move).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EmulatorModule } from './core/module';
import { dataDirProblem } from './data-dir';
import { DEFAULT_APPID, DEFAULT_PORT, defaultDataDir, RUNNING_FILE, URL_VARIABLE } from './cli-defaults';
import { CLOCK_PATH } from './clock-module';
import { type ClockState, formatOffset, parseDuration } from './emulator-clock';
import { clientError } from './functions';
import { createRunningRegistry, type RunningRecord, type RunningRegistry } from './running-registry';
import { createEmulator, DEFAULT_ENV, defaultFunctionsRoot, type Caller, type Emulator, type EmulatorOptions } from './server';
import { exportSnapshot, exportTargetProblem, importSnapshot, readSnapshotManifest } from './snapshot';

export type { RunningRecord } from './running-registry';
export { DEFAULT_APPID, DEFAULT_PORT, defaultDataDir, RUNNING_FILE, URL_VARIABLE } from './cli-defaults';
/** `start` tries this many ports from DEFAULT_PORT before giving up. */
const PORT_ATTEMPTS = 20;

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** `hints`: old spellings that were accepted, each with the new one. */
export type Parsed<T> = { ok: true; args: T; hints?: string[] } | { ok: false; message: string };

export interface StartArgs {
  /** null: DEFAULT_PORT or the next free one. */
  port: number | null;
  /** null: in memory. */
  dataDir: string | null;
  functionsRoot: string;
  env: string;
  build: boolean;
  /** Rebuild the functions when their sources change (off with --no-watch or --no-build). */
  watch: boolean;
  /** A snapshot to load once started (--import). */
  importDir: string | null;
  /** Where to save a snapshot when stopping (--export-on-exit). */
  exportOnExit: string | null;
}

export interface ExecArgs extends Omit<StartArgs, 'watch'> {
  /** One shell command line, or a program and its arguments. */
  command: string[];
}

export interface InvokeArgs {
  functionName: string;
  caller: Caller;
  data: unknown;
  /** A running emulator to use; else the newest of the project, else an in-memory one. */
  url: string | null;
  /** Only the emulator of this data folder (its emulator.json); null: any of the project. */
  dataDir: string | null;
  functionsRoot: string;
}

const FOLDER_OPTIONS = `  --data-dir DIR    数据目录（默认 .cloudbase） / data folder (default .cloudbase)
  --memory          数据只在内存中 / keep data in memory only
  --functions DIR   云函数目录（默认 cloudfunctions） / functions folder
  --env ID          云开发环境 ID（默认 ${DEFAULT_ENV}） / CloudBase env id
  --import DIR      启动后导入快照（数据库与存储） / load a snapshot (database and storage) once started
  --export-on-exit DIR  停止时把数据保存为快照 / save a snapshot when stopping`;

export const START_USAGE = `用法 Usage: npm start -- [--port N] [--data-dir DIR | --memory] [--functions DIR] [--env ID]
                        [--import DIR] [--export-on-exit DIR] [--no-build] [--no-watch]
  --port N          端口（默认 ${DEFAULT_PORT}，被占用时顺延） / port (default ${DEFAULT_PORT}, or the next free one)
${FOLDER_OPTIONS}
  --no-build        不先构建云函数（也不监视） / do not build the functions first (nor watch them)
  --no-watch        源码变化时不重新构建 / do not rebuild the functions when their sources change
`;

export const EXEC_USAGE = `用法 Usage: npm run emulator -- exec [options] "<command>"
启动一个全新的模拟器，在其环境变量下运行命令，命令结束后停止模拟器并返回命令的退出码。
Starts a fresh emulator, runs the command with ${URL_VARIABLE} and the SDK's variables set, stops, exits with the command's code.
  --port N          端口（默认随机） / port (default: any free one)
  --data-dir DIR    使用这个数据目录（默认只在内存中） / use this data folder (default: in memory)
  --functions DIR   云函数目录（默认 cloudfunctions） / functions folder
  --env ID          云开发环境 ID（默认 ${DEFAULT_ENV}） / CloudBase env id
  --import DIR      启动后导入快照 / load a snapshot once started
  --export-on-exit DIR  停止时保存快照 / save a snapshot when stopping
  --no-build        不先构建云函数 / do not build the functions first
选项写在命令之前；命令之后的参数都属于命令。 / Options go before the command; everything after it is the command's.
`;

export const INVOKE_USAGE = `用法 Usage: npm run invoke -- <function> ['<event json>'] --openid <id> [--event '<json>'] [--appid <id>] [--unionid <id>] [--url URL]
  --openid ID       调用者的 OPENID（"" 表示没有） / the caller's OPENID ("" for none)
  --event JSON      事件（JSON 对象，默认 {}；也可作为第二个参数） / the event (a JSON object; or the second argument)
  --appid ID        小程序 AppID（默认 ${DEFAULT_APPID}） / the mini-program's AppID
  --unionid ID      调用者的 UNIONID / the caller's UNIONID
  --url URL         使用这个正在运行的模拟器 / use this running emulator
  --data-dir DIR    只用这个数据目录的模拟器 / only the emulator running on this data folder
  --functions DIR   云函数目录 / functions folder
默认使用本项目中任意一个正在运行的模拟器，没有时用内存模拟器。只在标准输出打印云函数返回的 JSON；日志在标准错误。
By default uses any running emulator of this project, else an in-memory one. Prints only the function's JSON on stdout; logs go to stderr.
`;

export const CLOCK_USAGE = `用法 Usage: npm run emulator -- clock [show | set <ISO 时间> | advance <时长> | reset] [--url URL] [--data-dir DIR]
移动正在运行的模拟器的时钟：云函数里的 Date、db.serverDate()、手机号 code 与临时链接的过期都跟着它走；调用超时仍按真实时间。
Moves the running emulator's clock: functions' Date, db.serverDate(), phone-code and temp-URL expiry follow it; time limits stay real.
  show              显示模拟器时间与偏移（默认） / show the emulator's time and offset (default)
  set ISO           设为这个时间，此后照常流逝，如 2027-01-01T08:00:00+08:00 / move to this time; it flows on from there
  advance 时长       前进（负数后退），如 90m、2h、1d、1h30m、-10m、5000（毫秒） / move forward (negative: back): 90m, 2h, 1d, 1h30m, -10m, 5000 (ms)
  reset             恢复真实时间 / back to real time
  --url URL         使用这个正在运行的模拟器 / use this running emulator
  --data-dir DIR    只用这个数据目录的模拟器 / only the emulator running on this data folder
  --functions DIR   云函数目录（找本项目的模拟器） / functions folder (finds this project's emulator)
`;

interface OptionSpec {
  flags: string[];
  options: string[];
  /** Old spellings: old name -> new name. */
  renamed?: Record<string, string>;
  /** Everything from the first positional on is positional (exec's command). */
  stopAtPositional?: boolean;
}

/** Splits `--name value` / `--name=value` / `--flag` arguments; positionals are kept in order. */
function splitArguments(argv: string[], spec: OptionSpec): Parsed<{ positionals: string[]; values: Map<string, string> }> {
  const flags = new Set(spec.flags);
  const options = new Set(spec.options);
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const hints: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (spec.stopAtPositional && positionals.length > 0) {
      positionals.push(argument);
      continue;
    }
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    let name = equals > 0 ? argument.slice(2, equals) : argument.slice(2);
    const renamed = spec.renamed?.[name];
    if (renamed !== undefined) {
      hints.push(`提示：--${name} 已改名为 --${renamed} / hint: --${name} is now --${renamed}`);
      name = renamed;
    }
    if (flags.has(name)) {
      if (equals > 0) return { ok: false, message: `--${name} 不带值 / takes no value` };
      values.set(name, '');
    } else if (options.has(name)) {
      const value = equals > 0 ? argument.slice(equals + 1) : argv[++index];
      if (value === undefined) return { ok: false, message: `--${name} 缺少值 / needs a value` };
      values.set(name, value);
    } else {
      return { ok: false, message: `未知参数 / unknown option: ${argument}` };
    }
  }
  return { ok: true, args: { positionals, values }, ...(hints.length > 0 && { hints }) };
}

function parsePort(text: string): number | null {
  const port = Number(text);
  return /^\d+$/.test(text) && port >= 0 && port <= 65535 ? port : null;
}

/** The options start and exec share. */
function emulatorArgs(values: Map<string, string>, cwd: string, memoryByDefault: boolean): Parsed<Omit<StartArgs, 'watch'>> {
  if (values.has('memory') && values.has('data-dir'))
    return { ok: false, message: '--memory 与 --data-dir 不能同时使用 / --memory and --data-dir exclude each other' };
  let port: number | null = null;
  const portText = values.get('port');
  if (portText !== undefined) {
    port = parsePort(portText);
    if (port === null) return { ok: false, message: `端口无效 / invalid port: ${portText}` };
  }
  const resolved = (name: string) => {
    const value = values.get(name);
    return value !== undefined && value !== '' ? path.resolve(cwd, value) : null;
  };
  const dataDir = resolved('data-dir') ?? (values.has('memory') || memoryByDefault ? null : defaultDataDir(cwd));
  const importDir = resolved('import');
  const exportOnExit = resolved('export-on-exit');
  if (exportOnExit !== null && dataDir !== null && (exportOnExit === dataDir || exportOnExit.startsWith(`${dataDir}${path.sep}`)))
    return { ok: false, message: '--export-on-exit 不能在数据目录之内 / --export-on-exit must be outside the data folder' };
  return {
    ok: true,
    args: {
      port,
      dataDir,
      functionsRoot: resolved('functions') ?? defaultFunctionsRoot(cwd),
      env: values.get('env') || DEFAULT_ENV,
      build: !values.has('no-build'),
      importDir,
      exportOnExit,
    },
  };
}

const EMULATOR_OPTIONS = ['port', 'data-dir', 'functions', 'env', 'import', 'export-on-exit'];

export function parseStartArgs(argv: string[], cwd = process.cwd()): Parsed<StartArgs> {
  const split = splitArguments(argv, {
    flags: ['memory', 'no-build', 'no-watch', 'help'],
    options: EMULATOR_OPTIONS,
    renamed: { data: 'data-dir' },
  });
  if (!split.ok) return split;
  const { positionals, values } = split.args;
  if (values.has('help')) return { ok: false, message: '' };
  if (positionals.length > 0) return { ok: false, message: `多余的参数 / unexpected argument: ${positionals[0]}` };
  const common = emulatorArgs(values, cwd, false);
  if (!common.ok) return common;
  return {
    ok: true,
    args: { ...common.args, watch: common.args.build && !values.has('no-watch') },
    ...(split.hints && { hints: split.hints }),
  };
}

export function parseExecArgs(argv: string[], cwd = process.cwd()): Parsed<ExecArgs> {
  const split = splitArguments(argv, {
    flags: ['memory', 'no-build', 'help'],
    options: EMULATOR_OPTIONS,
    renamed: { data: 'data-dir' },
    stopAtPositional: true,
  });
  if (!split.ok) return split;
  const { positionals, values } = split.args;
  if (values.has('help')) return { ok: false, message: '' };
  if (positionals.length === 0 || positionals.every((part) => part.trim() === ''))
    return { ok: false, message: '缺少要运行的命令 / missing the command to run' };
  const common = emulatorArgs(values, cwd, true);
  if (!common.ok) return common;
  return { ok: true, args: { ...common.args, command: positionals }, ...(split.hints && { hints: split.hints }) };
}

function parseEvent(text: string, flag: string): Parsed<unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, message: `${flag} 不是合法的 JSON / ${flag} is not valid JSON: ${text}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, message: `${flag} 必须是 JSON 对象 / ${flag} must be a JSON object` };
  }
  return { ok: true, args: data };
}

export function parseInvokeArgs(argv: string[], cwd = process.cwd()): Parsed<InvokeArgs> {
  const split = splitArguments(argv, {
    flags: ['help'],
    options: ['openid', 'appid', 'unionid', 'event', 'url', 'functions', 'data-dir'],
    renamed: { data: 'event' },
  });
  if (!split.ok) return split;
  const { positionals, values } = split.args;
  if (values.has('help')) return { ok: false, message: '' };
  const [functionName, eventText, ...extra] = positionals;
  if (!functionName) return { ok: false, message: '缺少云函数名 / missing the function name' };
  if (extra.length > 0) return { ok: false, message: `多余的参数 / unexpected argument: ${extra[0]}` };
  if (eventText !== undefined && !/^\s*\{/.test(eventText))
    return { ok: false, message: `多余的参数（事件应为 JSON 对象） / unexpected argument (the event is a JSON object): ${eventText}` };
  if (eventText !== undefined && values.has('event'))
    return { ok: false, message: '事件只能给一次：位置参数或 --event / give the event once: as an argument or with --event' };
  const openid = values.get('openid');
  if (openid === undefined)
    return { ok: false, message: '缺少 --openid（"" 表示无身份调用） / --openid is required ("" for an anonymous call)' };

  let data: unknown = {};
  const text = eventText ?? values.get('event');
  if (text !== undefined) {
    const event = parseEvent(text, eventText !== undefined ? 'the event' : '--event');
    if (!event.ok) {
      // `--data DIR` meant the folder on start: say where that option went.
      const renamed = split.hints
        ? '\n--data 现在表示事件（--event）；数据目录请用 --data-dir / --data is now --event; for the data folder use --data-dir'
        : '';
      return { ok: false, message: `${event.message}${renamed}` };
    }
    data = event.args;
  }
  const url = values.get('url');
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) return { ok: false, message: `--url 无效 / invalid URL: ${url}` };

  const caller: Caller = { appid: values.get('appid') || DEFAULT_APPID };
  if (openid !== '') caller.openid = openid;
  const unionid = values.get('unionid');
  if (unionid) caller.unionid = unionid;
  const functions = values.get('functions');
  const dataDir = values.get('data-dir');
  return {
    ok: true,
    args: {
      functionName,
      caller,
      data,
      url: url !== undefined ? url.replace(/\/+$/, '') : null,
      dataDir: dataDir !== undefined ? path.resolve(cwd, dataDir) : null,
      functionsRoot: functions !== undefined ? path.resolve(cwd, functions) : defaultFunctionsRoot(cwd),
    },
    ...(split.hints && { hints: split.hints }),
  };
}

export type ClockChange = { verb: 'show' } | { verb: 'reset' } | { verb: 'set'; to: number } | { verb: 'advance'; by: number };

export interface ClockArgs {
  change: ClockChange;
  url: string | null;
  dataDir: string | null;
  functionsRoot: string;
}

export function parseClockArgs(argv: string[], cwd = process.cwd()): Parsed<ClockArgs> {
  const split = splitArguments(argv, { flags: ['help'], options: ['url', 'data-dir', 'functions'] });
  if (!split.ok) return split;
  const { positionals, values } = split.args;
  if (values.has('help')) return { ok: false, message: '' };
  const [verb = 'show', value, ...extra] = positionals;
  if (extra.length > 0) return { ok: false, message: `多余的参数 / unexpected argument: ${extra[0]}` };
  let change: ClockChange;
  if (verb === 'show' || verb === 'reset') {
    if (value !== undefined) return { ok: false, message: `多余的参数 / unexpected argument: ${value}` };
    change = { verb };
  } else if (verb === 'set') {
    const to = value === undefined ? Number.NaN : Date.parse(value);
    if (!Number.isFinite(to))
      return { ok: false, message: `set 需要 ISO 时间，如 2027-01-01T08:00:00+08:00 / set needs an ISO time: ${value ?? ''}` };
    change = { verb, to };
  } else if (verb === 'advance') {
    const by = value === undefined ? null : parseDuration(value);
    if (by === null)
      return { ok: false, message: `advance 需要时长，如 90m、2h、1d / advance needs a duration such as 90m, 2h, 1d: ${value ?? ''}` };
    change = { verb, by };
  } else {
    return { ok: false, message: `未知的 clock 命令 / unknown clock command: ${verb}` };
  }
  const url = values.get('url');
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) return { ok: false, message: `--url 无效 / invalid URL: ${url}` };
  const dataDir = values.get('data-dir');
  const functions = values.get('functions');
  return {
    ok: true,
    args: {
      change,
      url: url !== undefined ? url.replace(/\/+$/, '') : null,
      dataDir: dataDir !== undefined ? path.resolve(cwd, dataDir) : null,
      functionsRoot: functions !== undefined ? path.resolve(cwd, functions) : defaultFunctionsRoot(cwd),
    },
  };
}

/** The emulator recorded in `dataDir`, if the file is there and well-formed. */
export function readRunningRecord(dataDir: string): RunningRecord | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dataDir, RUNNING_FILE), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as RunningRecord).url === 'string') return parsed as RunningRecord;
  } catch {
    // No file, or a torn one: treat as not running.
  }
  return null;
}

/** True when an emulator answers at `url`. */
async function isAlive(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}

function isPortInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface StartHooks {
  output: Output;
  /** Builds the functions before starting (scripts/build.ts); skipped with --no-build. */
  build?: () => Promise<unknown>;
  /**
   * Starts rebuilding the functions in `functionsRoot` when their sources change, reporting on
   * `output`; resolves with the function that stops it. Skipped with --no-watch or --no-build.
   * The emulator needs no signal: the runtime notices a changed index.js at the next call.
   */
  watch?: (functionsRoot: string, output: Output) => Promise<() => Promise<void>>;
  /** Resolves when the emulator should stop. Default: SIGINT or SIGTERM. */
  stopSignal?: () => Promise<string>;
  /** More parts served beside the emulator's own (scripts/start.ts: the browser preview), made after the build. */
  modules?: () => Promise<EmulatorModule[]>;
  /** Lines printed under the emulator's URL (the preview's address). */
  banner?: (url: string) => string[];
  /** Where running emulators are recorded. Default: the system's temporary folder. */
  registry?: RunningRegistry;
  /** More emulator options (tests: a quiet function output, an offline dependency installer). */
  emulatorOptions?: EmulatorOptions;
}

export interface ExecHooks extends Omit<StartHooks, 'watch' | 'banner' | 'stopSignal'> {
  /** 'inherit' (default): the command shares this terminal; 'pipe': its output goes to `output`. */
  stdio?: 'inherit' | 'pipe';
}

function processSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

interface Started {
  emulator: Emulator;
  /** Saves the --export-on-exit snapshot, closes the emulator, removes its records. */
  stop(): Promise<void>;
}

/** What start and exec share: folder checks, build, port, import, records. null: failed (already said why). */
async function startEmulator(
  args: Omit<StartArgs, 'watch'>,
  hooks: Pick<StartHooks, 'output' | 'build' | 'modules' | 'registry' | 'emulatorOptions'>,
  ports: number[],
): Promise<Started | null> {
  const { output } = hooks;
  if (args.dataDir) {
    const problem = dataDirProblem(args.dataDir);
    if (problem) {
      output.stderr(`${problem}\n`);
      return null;
    }
    const running = readRunningRecord(args.dataDir);
    if (running && (await isAlive(running.url))) {
      output.stderr(`模拟器已在运行 / An emulator already runs on this data folder: ${running.url}\n`);
      return null;
    }
  }
  if (args.importDir) {
    try {
      readSnapshotManifest(args.importDir);
    } catch (error) {
      output.stderr(`--import: ${messageOf(error)}\n`);
      return null;
    }
  }
  if (args.exportOnExit) {
    const problem = exportTargetProblem(args.exportOnExit) ?? dataDirProblem(path.dirname(args.exportOnExit));
    if (problem) {
      output.stderr(`--export-on-exit: ${problem}\n`);
      return null;
    }
  }
  if (args.build && hooks.build) {
    output.stderr('构建云函数… / Building functions…\n');
    try {
      await hooks.build();
    } catch (error) {
      output.stderr(`构建失败 / Build failed: ${messageOf(error)}\n`);
      return null;
    }
  }

  let modules: EmulatorModule[] = [];
  try {
    modules = (await hooks.modules?.()) ?? [];
  } catch (error) {
    output.stderr(`附加模块启动失败，继续运行 / Extra modules failed, going on without them: ${messageOf(error)}\n`);
  }

  let emulator: Emulator | null = null;
  for (const port of ports) {
    try {
      emulator = await createEmulator({
        ...hooks.emulatorOptions,
        port,
        env: args.env,
        functionsRoot: args.functionsRoot,
        ...(args.dataDir ? { dataDir: args.dataDir } : { memory: true }),
        modules,
      });
      break;
    } catch (error) {
      if (!isPortInUse(error)) {
        output.stderr(`启动失败 / Could not start: ${messageOf(error)}\n`);
        return null;
      }
    }
  }
  if (!emulator) {
    output.stderr(`端口被占用 / Port in use: ${ports.join(', ')}\n`);
    return null;
  }
  const started = emulator;

  if (args.importDir) {
    output.stderr(`导入快照 / Importing the snapshot ${args.importDir}…\n`);
    try {
      const imported = await importSnapshot(started, args.importDir);
      output.stderr(
        `已导入 ${imported.collections} 个集合、${imported.documents} 个文档、${imported.files} 个文件 / Imported ${imported.collections} collections, ${imported.documents} documents, ${imported.files} files\n`,
      );
    } catch (error) {
      output.stderr(`导入失败 / Import failed: ${messageOf(error)}\n`);
      await started.close();
      return null;
    }
  }

  const record: RunningRecord = {
    url: started.url,
    pid: process.pid,
    env: started.env,
    dataDir: args.dataDir,
    functionsRoot: args.functionsRoot,
    startedAt: new Date().toISOString(),
  };
  const recordFile = args.dataDir ? path.join(args.dataDir, RUNNING_FILE) : null;
  if (recordFile && args.dataDir) {
    mkdirSync(args.dataDir, { recursive: true });
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  }
  let unregister: () => void = () => undefined;
  try {
    unregister = (hooks.registry ?? createRunningRegistry()).register(record);
  } catch (error) {
    output.stderr(
      `无法登记运行中的模拟器（invoke 需要 --url） / Could not record this emulator (invoke will need --url): ${messageOf(error)}\n`,
    );
  }

  return {
    emulator: started,
    async stop() {
      try {
        if (args.exportOnExit) {
          output.stderr(`保存快照 / Saving the snapshot to ${args.exportOnExit}…\n`);
          try {
            const manifest = await exportSnapshot(started, args.exportOnExit);
            output.stderr(
              `已保存 ${manifest.collections.length} 个集合、${manifest.files.length} 个文件 / Saved ${manifest.collections.length} collections, ${manifest.files.length} files\n`,
            );
          } catch (error) {
            output.stderr(`保存快照失败 / Saving the snapshot failed: ${messageOf(error)}\n`);
          }
        }
        await started.close();
      } finally {
        unregister();
        if (recordFile) rmSync(recordFile, { force: true });
      }
    },
  };
}

function printHints(parsed: { hints?: string[] }, output: Output): void {
  for (const hint of parsed.hints ?? []) output.stderr(`${hint}\n`);
}

/** `npm start`. Resolves with the exit code once the emulator has stopped. */
export async function runStart(argv: string[], hooks: StartHooks): Promise<number> {
  const { output } = hooks;
  const parsed = parseStartArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${START_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  printHints(parsed, output);
  const args = parsed.args;
  // Listen for Ctrl-C from the start: a build or start-up cut short still stops cleanly.
  const stopped = (hooks.stopSignal ?? processSignal)();

  const ports = args.port !== null ? [args.port] : Array.from({ length: PORT_ATTEMPTS }, (_, offset) => DEFAULT_PORT + offset);
  const started = await startEmulator(args, hooks, ports);
  if (!started) return 1;
  const { emulator } = started;

  const functions = emulator.functions.list();
  output.stdout(
    [
      '本地云开发模拟器已启动 / Local CloudBase emulator running',
      `  地址 URL:          ${emulator.url}`,
      ...(hooks.banner?.(emulator.url) ?? []),
      `  数据目录 Data:     ${args.dataDir ?? '（仅内存 / in memory）'}`,
      `  环境 Env:          ${emulator.env}`,
      `  云函数 Functions:  ${functions.length > 0 ? functions.join(', ') : '（无，先运行 npm run build / none, run npm run build）'}`,
      '按 Ctrl-C 停止 / Press Ctrl-C to stop',
      '',
    ].join('\n'),
  );

  let stopWatching: (() => Promise<void>) | null = null;
  if (args.watch && hooks.watch) {
    try {
      stopWatching = await hooks.watch(args.functionsRoot, output);
    } catch (error) {
      output.stderr(`无法监视云函数源码，继续运行 / Not watching the functions' sources: ${messageOf(error)}\n`);
    }
  }

  const signal = await stopped;
  output.stderr(`收到 ${signal}，正在停止… / ${signal}: stopping…\n`);
  try {
    await stopWatching?.();
  } finally {
    await started.stop();
  }
  output.stderr('已停止 / Stopped\n');
  return 0;
}

/** Signals name their exit code as a shell reports it: 128 + the signal's number. */
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/** `npm run emulator -- exec "<command>"`. Resolves with the command's exit code (1 when the emulator could not start). */
export async function runExec(argv: string[], hooks: ExecHooks): Promise<number> {
  const { output } = hooks;
  const parsed = parseExecArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${EXEC_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  printHints(parsed, output);
  const args = parsed.args;
  const started = await startEmulator(args, hooks, [args.port ?? 0]);
  if (!started) return 1;
  const { emulator } = started;
  output.stderr(`模拟器 / Emulator: ${emulator.url} · 运行 / running: ${args.command.join(' ')}\n`);

  const env = { ...process.env, ...emulator.sdkEnv(), [URL_VARIABLE]: emulator.url };
  const [program, ...rest] = args.command as [string, ...string[]];
  // One argument is a command line for the shell; several are a program and its arguments.
  const child =
    rest.length === 0
      ? spawn(program, { shell: true, env, stdio: hooks.stdio === 'pipe' ? 'pipe' : 'inherit' })
      : spawn(program, rest, { env, stdio: hooks.stdio === 'pipe' ? 'pipe' : 'inherit' });
  child.stdout?.on('data', (chunk: Buffer) => output.stdout(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.stderr(chunk.toString('utf8')));
  // Ctrl-C reaches the command through the terminal; a signal sent to this process alone is passed on.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      output.stderr(`无法运行命令 / Could not run the command: ${error.message}\n`);
      resolve(127);
    });
    child.once('close', (exitCode, signal) => resolve(exitCode ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 1)));
  });
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  await started.stop();
  output.stderr(`命令退出码 / The command exited with ${code}; 模拟器已停止 / emulator stopped\n`);
  return code;
}

/** What an HTTP callFunction answered: `{ result }` or wx.cloud.callFunction's `{ errCode, errMsg }`. */
type CallAnswer = { result: unknown } | { errCode: number; errMsg: string };

async function callRunning(url: string, args: InvokeArgs): Promise<CallAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (args.caller.openid) headers['x-wx-openid'] = args.caller.openid;
  if (args.caller.appid) headers['x-wx-appid'] = args.caller.appid;
  if (args.caller.unionid) headers['x-wx-unionid'] = args.caller.unionid;
  const response = await fetch(`${url}/callFunction/${encodeURIComponent(args.functionName)}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(args.data),
  });
  const answer = (await response.json()) as CallAnswer;
  return answer;
}

export interface InvokeOptions {
  /** Where running emulators are recorded. Default: the system's temporary folder. */
  registry?: RunningRegistry;
}

/** The emulator `invoke` should call: --url, else the one of --data-dir, else the project's newest live one. */
export async function findRunning(
  args: Pick<InvokeArgs, 'url' | 'dataDir' | 'functionsRoot'>,
  registry: RunningRegistry,
): Promise<string | null> {
  if (args.url !== null) return args.url;
  if (args.dataDir !== null) {
    const running = readRunningRecord(args.dataDir);
    return running && (await isAlive(running.url)) ? running.url : null;
  }
  for (const record of registry.list(args.functionsRoot)) if (await isAlive(record.url)) return record.url;
  return null;
}

/** `npm run invoke`. Prints only the function's JSON answer on stdout; resolves with the exit code. */
export async function runInvoke(argv: string[], output: Output, options: InvokeOptions = {}): Promise<number> {
  const parsed = parseInvokeArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${INVOKE_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  printHints(parsed, output);
  const args = parsed.args;
  const url = await findRunning(args, options.registry ?? createRunningRegistry());

  let answer: CallAnswer;
  if (url !== null) {
    output.stderr(`使用运行中的模拟器 / Using the running emulator at ${url}\n`);
    try {
      answer = await callRunning(url, args);
    } catch (error) {
      output.stderr(`无法连接模拟器 / Cannot reach the emulator at ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  } else {
    output.stderr(
      `没有运行中的模拟器${args.dataDir ? `（数据目录 ${args.dataDir}）` : ''}，使用内存模拟器（数据不会保留） / No running emulator${args.dataDir ? ` on ${args.dataDir}` : ' for this project'}: using an in-memory one (nothing is kept)\n`,
    );
    const emulator = await createEmulator({
      memory: true,
      functionsRoot: args.functionsRoot,
      onFunctionOutput: (name, _stream, chunk) => output.stderr(prefixLines(name, chunk.toString('utf8'))),
    });
    try {
      const invocation = await emulator.callFunction(args.functionName, args.data, args.caller);
      answer = invocation.error ? clientError(invocation.error) : { result: invocation.result };
    } finally {
      await emulator.close();
    }
  }

  if ('result' in answer) {
    output.stdout(`${JSON.stringify(answer.result, null, 2)}\n`);
    return 0;
  }
  output.stderr(`云函数调用失败 / The function failed: ${answer.errMsg}\n`);
  if (answer.errCode === -501000) output.stderr(`云函数 ${args.functionName} 不存在或未构建（npm run build） / not found or not built\n`);
  return 1;
}

function prefixLines(name: string, text: string): string {
  return `${text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `[${name}] ${line}`)
    .join('\n')}\n`;
}

/** What `clock` prints: the emulator's time, and how far it is from real time. */
function describeClock(state: ClockState): string {
  const offset = state.offsetMs === 0 ? '真实时间 / real time' : `偏移 / offset ${formatOffset(state.offsetMs)}`;
  return `模拟器时钟 / Emulator clock: ${state.now}（${offset}）\n`;
}

/** `npm run emulator -- clock …`: shows or moves the clock of the project's running emulator. */
export async function runClock(argv: string[], output: Output, options: InvokeOptions = {}): Promise<number> {
  const parsed = parseClockArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${CLOCK_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  const { change, ...where } = parsed.args;
  const url = await findRunning(where, options.registry ?? createRunningRegistry());
  if (url === null) {
    output.stderr(
      `没有运行中的模拟器${where.dataDir ? `（数据目录 ${where.dataDir}）` : ''}：先运行 npm start，或用 --url 指定 / No running emulator${where.dataDir ? ` on ${where.dataDir}` : ' for this project'}: start one with npm start, or pass --url\n`,
    );
    return 1;
  }
  const body = change.verb === 'set' ? { to: change.to } : change.verb === 'advance' ? { by: change.by } : {};
  let response: Response;
  try {
    response =
      change.verb === 'show'
        ? await fetch(`${url}${CLOCK_PATH}`)
        : await fetch(`${url}${CLOCK_PATH}/${change.verb}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
  } catch (error) {
    output.stderr(`无法连接模拟器 / Cannot reach the emulator at ${url}: ${messageOf(error)}\n`);
    return 1;
  }
  const answer = (await response.json().catch(() => null)) as (ClockState & { message?: string }) | null;
  if (!response.ok || !answer || typeof answer.now !== 'string') {
    output.stderr(`模拟器拒绝了请求 / The emulator refused: ${answer?.message ?? `HTTP ${response.status}`}\n`);
    return 1;
  }
  output.stdout(describeClock(answer));
  return 0;
}
