/**
 * The emulator's command lines: `npm start` (run the emulator until Ctrl-C) and `npm run invoke`
 * (call one function and print its JSON answer). scripts/start.ts and scripts/invoke.ts only wire
 * these to the process. Argument parsing is pure; the runners take their output streams and the
 * build step as parameters so tests can drive them.
 *
 * A running `npm start` writes `<dataDir>/emulator.json` ({ url, pid, ... }) and removes it on exit;
 * `npm run invoke` uses that emulator when it answers, else starts an in-memory one for the call.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clientError } from './functions';
import type { EmulatorModule } from './core/module';
import { createEmulator, DEFAULT_ENV, defaultFunctionsRoot, type Caller, type Emulator } from './server';

export const DEFAULT_PORT = 9093;
/** `npm start` tries this many ports from DEFAULT_PORT before giving up. */
const PORT_ATTEMPTS = 20;
/** The data folder, relative to the project (cwd) the emulator runs for. */
export function defaultDataDir(projectRoot: string = process.cwd()): string {
  return path.join(projectRoot, '.cloudbase');
}
export const DEFAULT_APPID = 'wx_local_app';
export const RUNNING_FILE = 'emulator.json';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export type Parsed<T> = { ok: true; args: T } | { ok: false; message: string };

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
}

export interface InvokeArgs {
  functionName: string;
  caller: Caller;
  data: unknown;
  /** A running emulator to use; else the one recorded in dataDir, else an in-memory one. */
  url: string | null;
  /** Where a running `npm start` records itself (emulator.json). */
  dataDir: string;
  functionsRoot: string;
}

export const START_USAGE = `用法 Usage: npm start -- [--port N] [--data DIR | --memory] [--functions DIR] [--env ID] [--no-build] [--no-watch]
  --port N         端口（默认 ${DEFAULT_PORT}，被占用时顺延） / port (default ${DEFAULT_PORT}, or the next free one)
  --data DIR       数据目录（默认 .cloudbase） / data folder (default .cloudbase)
  --memory         数据只在内存中 / keep data in memory only
  --functions DIR  云函数目录（默认 cloudfunctions） / functions folder
  --env ID         云开发环境 ID（默认 ${DEFAULT_ENV}） / CloudBase env id
  --no-build       不先构建云函数（也不监视） / do not build the functions first (nor watch them)
  --no-watch       源码变化时不重新构建 / do not rebuild the functions when their sources change
`;

export const INVOKE_USAGE = `用法 Usage: npm run invoke -- <function> --openid <id> [--appid <id>] [--unionid <id>] [--data '<json>'] [--url URL]
  --openid ID      调用者的 OPENID（"" 表示没有） / the caller's OPENID ("" for none)
  --appid ID       小程序 AppID（默认 ${DEFAULT_APPID}） / the mini-program's AppID
  --unionid ID     调用者的 UNIONID / the caller's UNIONID
  --data JSON      事件数据（JSON 对象，默认 {}） / event data (a JSON object)
  --url URL        使用这个正在运行的模拟器 / use this running emulator
  --data-dir DIR   在这个数据目录里找运行中的模拟器（默认 .cloudbase） / where to look for a running emulator
  --functions DIR  云函数目录 / functions folder (in-memory emulator only)
只在标准输出打印云函数返回的 JSON；日志在标准错误。 / Prints only the function's JSON on stdout; logs go to stderr.
`;

/** Splits `--name value` / `--name=value` / `--flag` arguments; positionals are kept in order. */
function splitArguments(
  argv: string[],
  flags: Set<string>,
  options: Set<string>,
): Parsed<{ positionals: string[]; values: Map<string, string> }> {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    const name = equals > 0 ? argument.slice(2, equals) : argument.slice(2);
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
  return { ok: true, args: { positionals, values } };
}

function parsePort(text: string): number | null {
  const port = Number(text);
  return /^\d+$/.test(text) && port >= 0 && port <= 65535 ? port : null;
}

export function parseStartArgs(argv: string[], cwd = process.cwd()): Parsed<StartArgs> {
  const split = splitArguments(argv, new Set(['memory', 'no-build', 'no-watch', 'help']), new Set(['port', 'data', 'functions', 'env']));
  if (!split.ok) return split;
  const { positionals, values } = split.args;
  if (values.has('help')) return { ok: false, message: '' };
  if (positionals.length > 0) return { ok: false, message: `多余的参数 / unexpected argument: ${positionals[0]}` };
  if (values.has('memory') && values.has('data'))
    return { ok: false, message: '--memory 与 --data 不能同时使用 / --memory and --data exclude each other' };
  let port: number | null = null;
  const portText = values.get('port');
  if (portText !== undefined) {
    port = parsePort(portText);
    if (port === null) return { ok: false, message: `端口无效 / invalid port: ${portText}` };
  }
  const data = values.get('data');
  const functions = values.get('functions');
  return {
    ok: true,
    args: {
      port,
      dataDir: values.has('memory') ? null : data !== undefined ? path.resolve(cwd, data) : defaultDataDir(cwd),
      functionsRoot: functions !== undefined ? path.resolve(cwd, functions) : defaultFunctionsRoot(cwd),
      env: values.get('env') || DEFAULT_ENV,
      build: !values.has('no-build'),
      watch: !values.has('no-build') && !values.has('no-watch'),
    },
  };
}

export function parseInvokeArgs(argv: string[], cwd = process.cwd()): Parsed<InvokeArgs> {
  const split = splitArguments(argv, new Set(['help']), new Set(['openid', 'appid', 'unionid', 'data', 'url', 'functions', 'data-dir']));
  if (!split.ok) return split;
  const { positionals, values } = split.args;
  if (values.has('help')) return { ok: false, message: '' };
  const [functionName, ...extra] = positionals;
  if (!functionName) return { ok: false, message: '缺少云函数名 / missing the function name' };
  if (extra.length > 0) return { ok: false, message: `多余的参数 / unexpected argument: ${extra[0]}` };
  const openid = values.get('openid');
  if (openid === undefined)
    return { ok: false, message: '缺少 --openid（"" 表示无身份调用） / --openid is required ("" for an anonymous call)' };

  let data: unknown = {};
  const dataText = values.get('data');
  if (dataText !== undefined) {
    try {
      data = JSON.parse(dataText);
    } catch {
      return { ok: false, message: `--data 不是合法的 JSON / --data is not valid JSON: ${dataText}` };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return { ok: false, message: '--data 必须是 JSON 对象 / --data must be a JSON object' };
    }
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
      dataDir: dataDir !== undefined ? path.resolve(cwd, dataDir) : defaultDataDir(cwd),
      functionsRoot: functions !== undefined ? path.resolve(cwd, functions) : defaultFunctionsRoot(cwd),
    },
  };
}

export interface RunningRecord {
  url: string;
  pid: number;
  env: string;
  dataDir: string;
  startedAt: string;
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

/** `npm start`. Resolves with the exit code once the emulator has stopped. */
export async function runStart(argv: string[], hooks: StartHooks): Promise<number> {
  const { output } = hooks;
  const parsed = parseStartArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${START_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  const args = parsed.args;
  // Listen for Ctrl-C from the start: a build or start-up cut short still stops cleanly.
  const stopped = (hooks.stopSignal ?? processSignal)();

  if (args.dataDir) {
    const running = readRunningRecord(args.dataDir);
    if (running && (await isAlive(running.url))) {
      output.stderr(`模拟器已在运行 / An emulator already runs on this data folder: ${running.url}\n`);
      return 1;
    }
  }
  if (args.build && hooks.build) {
    output.stderr('构建云函数… / Building functions…\n');
    try {
      await hooks.build();
    } catch (error) {
      output.stderr(`构建失败 / Build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }

  let modules: EmulatorModule[] = [];
  try {
    modules = (await hooks.modules?.()) ?? [];
  } catch (error) {
    output.stderr(
      `附加模块启动失败，继续运行 / Extra modules failed, going on without them: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }

  let emulator: Emulator | null = null;
  const ports = args.port !== null ? [args.port] : Array.from({ length: PORT_ATTEMPTS }, (_, offset) => DEFAULT_PORT + offset);
  for (const port of ports) {
    try {
      emulator = await createEmulator({
        port,
        env: args.env,
        functionsRoot: args.functionsRoot,
        ...(args.dataDir ? { dataDir: args.dataDir } : { memory: true }),
        modules,
      });
      break;
    } catch (error) {
      if (!isPortInUse(error)) {
        output.stderr(`启动失败 / Could not start: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
      }
    }
  }
  if (!emulator) {
    output.stderr(`端口被占用 / Port in use: ${ports.join(', ')}\n`);
    return 1;
  }

  const recordFile = args.dataDir ? path.join(args.dataDir, RUNNING_FILE) : null;
  if (recordFile && args.dataDir) {
    mkdirSync(args.dataDir, { recursive: true });
    const record: RunningRecord = {
      url: emulator.url,
      pid: process.pid,
      env: emulator.env,
      dataDir: args.dataDir,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  }
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
      output.stderr(
        `无法监视云函数源码，继续运行 / Not watching the functions' sources: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }

  const signal = await stopped;
  output.stderr(`收到 ${signal}，正在停止… / ${signal}: stopping…\n`);
  try {
    await stopWatching?.();
    await emulator.close();
  } finally {
    if (recordFile) rmSync(recordFile, { force: true });
  }
  output.stderr('已停止 / Stopped\n');
  return 0;
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

/** `npm run invoke`. Prints only the function's JSON answer on stdout; resolves with the exit code. */
export async function runInvoke(argv: string[], output: Output): Promise<number> {
  const parsed = parseInvokeArgs(argv);
  if (!parsed.ok) {
    output.stderr(`${parsed.message ? `${parsed.message}\n` : ''}${INVOKE_USAGE}`);
    return parsed.message ? 2 : 0;
  }
  const args = parsed.args;

  let url = args.url;
  if (url === null) {
    const running = readRunningRecord(args.dataDir);
    if (running && (await isAlive(running.url))) url = running.url;
  }

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
    output.stderr('没有运行中的模拟器，使用内存模拟器 / No running emulator: using an in-memory one\n');
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
