/**
 * The local CloudBase emulator: one HTTP server on 127.0.0.1 that speaks the admin API the
 * unmodified wx-server-sdk sends (`POST /admin`), runs the built cloud functions, and shows what
 * is in the database.
 *
 *   POST …/admin              admin API: JSON or multipart body -> module action -> envelope
 *   POST /callFunction/<name> call a function as the mini-program would (browser preview, tests)
 *   POST /client/database     wx.cloud.database() as a mini-program user, under the declared permissions (client-access/)
 *   GET  /api/collections/<name>/export|import   transfer-module.ts (JSON lines)
 *   GET  /, /api/health, /api/collections          status-module.ts
 *   GET  /api/clock, POST /api/clock/<verb>      clock-module.ts (the emulator clock)
 *   POST /api/push            a WeChat message push, delivered as WeChat would (push/push-module.ts)
 *   other routes              from the modules (storage up/downloads, the preview)
 *
 * Everything but /admin and the security checks is a module (core/module.ts); this file wires
 * them, owns the port, and stops the parts in SHUTDOWN_ORDER.
 *
 * Functions reach the emulator through the SDK's own environment variables (sdkEnv()), so
 * production code runs unchanged. One clock (emulator-clock.ts) is "now" for the functions, the
 * database, storage and the open API; tests and the CLI move it (clock-module.ts). Every admin
 * request is attributed to the function invocation that made it (request-log.ts) and can be
 * failed or slowed down on purpose (faults.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
// Node's URL, not the global one: in a page test the emulator runs in a jsdom sandbox, whose global URL
// is jsdom's JavaScript implementation (~0.5 ms of CPU per request parsed there).
import { URL } from 'node:url';
import {
  ServiceError,
  type AdminHandler,
  type AdminReply,
  type AdminRequest,
  type EmulatorHost,
  type EmulatorModule,
  type HttpRoute,
} from './core/module';
import { dataDirProblem } from './data-dir';
import { createDatabase, type DatabaseModule } from './database';
import { readDeclaredIndexes } from './database/declared-indexes';
import { createFaultInjector, type FaultInjector } from './faults';
import { createFunctionService, type Invocation } from './functions';
import { createFunctionDependencies, type DependencyOptions } from './functions/dependencies';
import { createFunctionRuntime, type FunctionStats, printFunctionOutput } from './functions/runtime';
import { createActivityLog, type ClientDenial } from './activity-log';
import { createClientAccess, printDenial } from './client-access';
import { decideStorageAccess } from './client-access/storage-access';
import { readDeclaredPermissions } from './client-access/declarations';
import { createClockModule } from './clock-module';
import { createEmulatorClock, type EmulatorClock } from './emulator-clock';
import { BodyRefusedError, type BodyGate, BodyTooLargeError, guardBody, header, readBody, send, sendJson } from './http';
import { jsonDeeperThan, tooDeepMessage } from './json-depth';
import { multipartBoundary, parseMultipart } from './multipart';
import { createOpenApi, type OpenApiModule, type OpenApiOptions } from './openapi';
import { createPushService, type PushDelivery, type PushTarget } from './push/push-module';
import { createRequestLog, type Caller } from './request-log';
import { createStatusModule } from './status-module';
import { createStorage, type StorageModule } from './storage';
import { createTransferModule } from './transfer-module';

export type { Caller, RequestRecord } from './request-log';
export type { FaultInjector, FaultRule } from './faults';
export type { Invocation } from './functions';
export type { FunctionStats } from './functions/runtime';
export type { DependencyInstaller, DependencyInstallRequest, DependencyOptions } from './functions/dependencies';
export type { ClockState, EmulatorClock } from './emulator-clock';
export type { PushDelivery, PushTarget } from './push/push-module';

/** Defaults are relative to the project the emulator runs for (the process's cwd), never to this package. */
export function defaultFunctionsRoot(projectRoot: string = process.cwd()): string {
  return path.join(projectRoot, 'cloudfunctions');
}
export const DEFAULT_ENV = 'local-dev';

export interface EmulatorOptions {
  /** 0 / undefined = a random free port (tests); `npm start` uses 9093 unless busy. */
  port?: number;
  /** Persist data here. Without it (or with `memory`) nothing is written to disk. */
  dataDir?: string;
  /** Nothing on disk (tests, `npm run invoke`); wins over dataDir. */
  memory?: boolean;
  /** Default <project>/cloudfunctions; runs the BUILT <name>/index.js. */
  functionsRoot?: string;
  /**
   * The project folder whose cloudbaserc.json declares the database indexes (queries are served
   * from those and `_id`, unique ones enforced, unindexed scans of large collections reported).
   * Default: the folder holding `functionsRoot`.
   */
  projectDir?: string;
  /**
   * Create the collections cloudbaserc.json declares at start, as `tcb framework deploy` would
   * (default true). false: a project deployed without the framework plugin, whose functions create
   * their collections on first use.
   */
  deployDeclaredCollections?: boolean;
  /** Where a client request refused by the declared permissions is reported. Default: a line on stderr. */
  onClientDenied?: (denial: ClientDenial) => void;
  /** Where database warnings go (an unindexed query scanning a large collection). Default console.warn. */
  onDatabaseWarning?: (message: string) => void;
  /** CloudBase env id. Default 'local-dev'. */
  env?: string;
  /** wx.openApi behaviour: test phone codes, risky words. */
  openapi?: OpenApiOptions;
  /** Instances per function. Default 100. */
  maxInstances?: number;
  /** Time limit of every invocation (tests raise or lower it). Default: cloudbaserc.json, else 3 s. */
  functionTimeoutMs?: number;
  /** Start instances from V8's code cache of the function file (faster cold starts). Default true. */
  codeCache?: boolean;
  /**
   * Keep that code cache in this folder too, so that later emulators (a test run's, one per test
   * file, the next `start`) start their first instance from it. Default: CLOUDBASE_EMULATOR_CODE_CACHE_DIR,
   * else `~/.cache/cloudbase-emulator/code-cache` (functions/runtime.ts); null: in memory only.
   */
  codeCacheDir?: string | null;
  /**
   * Functions whose package.json declares dependencies their folder lacks get them installed into
   * a cache outside the folder (functions/dependencies.ts): where, with which installer (tests pass
   * one that works offline), where progress lines go. Default: npm, ~/.cache/cloudbase-emulator.
   */
  functionDependencies?: DependencyOptions;
  /** Where functions' console output goes. Default: process.stderr, prefixed with the function name. */
  onFunctionOutput?: (functionName: string, stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Sees every parsed admin request before it is handled (protocol recording in tests). */
  onAdminRequest?: (request: AdminRequest, http: { method: string; path: string; query: string[]; contentType: string }) => void;
  /**
   * Bytes of request bodies the emulator holds at once, over all requests; a body that would go past
   * it is refused with 503 (retry later), so memory stays bounded whatever the concurrency.
   * Default 256 MB.
   */
  maxInFlightBodyBytes?: number;
  /** Time allowed to receive one request body; a trickled body is answered 408 and cut off. Default 30 s. */
  bodyReadTimeoutMs?: number;
  /** More parts served beside the built-in ones, e.g. the browser preview (@wx-cloud-login/miniprogram-preview). */
  modules?: EmulatorModule[];
  /**
   * WeChat's 消息推送配置 of the mini-program: which function serves the push URL, its Token,
   * EncodingAESKey and the AppID (push/push-module.ts). Without it `POST /api/push` says how to set one.
   */
  push?: PushTarget;
  /**
   * What `{{env.NAME}}` templates in cloudbaserc.json envVariables are filled from, over the process
   * environment (what a deploy's `.env` gives the tcb CLI).
   */
  templateVariables?: Record<string, string>;
}

export interface EmulatorCheckpoint {
  restore(): Promise<void>;
}

export interface Emulator {
  /** http://127.0.0.1:PORT (status page at '/'). */
  url: string;
  env: string;
  /** Where data persists, or null when in memory. */
  dataDir: string | null;
  /** Environment variables that point an unmodified wx-server-sdk at this emulator. */
  sdkEnv(): Record<string, string>;
  /** Runs a function as a call from the mini-program of `caller`. */
  callFunction(name: string, data: unknown, caller?: Caller): Promise<Invocation>;
  /** Delivers a WeChat message push to the configured push function, as WeChat would (options.push). */
  push(message: Record<string, unknown>): Promise<PushDelivery>;
  faults: FaultInjector;
  database: DatabaseModule;
  storage: StorageModule;
  openapi: OpenApiModule;
  /**
   * The emulator's time: real time + an offset (emulator-clock.ts). Moving it moves what functions'
   * Date answers, db.serverDate(), phone-code and signed-URL expiry; not invocation time limits.
   */
  clock: EmulatorClock;
  functions: { list(): string[]; stats(name: string): FunctionStats };
  /**
   * The data as it is now — every collection and document, every stored file — to go back to with
   * `restore()`, which also aborts the transactions still open. For tests that prepare a world
   * once and reset it before each case instead of preparing it again. In-memory emulators only.
   * Warm function instances stay: what a function caches in its instance is not restored.
   */
  checkpoint(): Promise<EmulatorCheckpoint>;
  /** Stops instances, closes the port, flushes data. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Environment variables that point an unmodified wx-server-sdk at the emulator listening on `url`
 * (the admin API under `/admin`) as environment `env` — for functions and for scripts alike.
 */
export function sdkEnvFor(url: string, env: string): Record<string, string> {
  return {
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${url}/admin` }),
    // SCF lists its TCB_* variables here; @cloudbase/node-sdk 2.x (under wx-server-sdk 2.x) reads
    // TCB_CONTEXT_CNFG only through this list and otherwise calls tcb-open.tencentyun.com.
    TCB_CONTEXT_KEYS: 'TCB_CONTEXT_CNFG',
    // Any non-empty pair: the SDK signs with it, the emulator does not check signatures.
    TENCENTCLOUD_SECRETID: 'local-emulator',
    TENCENTCLOUD_SECRETKEY: 'local-emulator',
    // SCF: the SDK skips its metadata-server probe and reads the env from TCB_ENV/SCF_NAMESPACE.
    TENCENTCLOUD_RUNENV: 'SCF',
    TENCENTCLOUD_REGION: 'ap-shanghai',
    TCB_ENV: env,
    SCF_NAMESPACE: env,
  };
}

/** Admin bodies can carry whole documents; the SDK itself caps a request well below this. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_IN_FLIGHT_BODY_BYTES = 256 * 1024 * 1024;
const DEFAULT_BODY_READ_TIMEOUT_MS = 30_000;

/**
 * How the emulator stops, first to last (declared as data, not implied by code order):
 * the function runtime first, so that no new admin request starts; then the port; then the
 * modules the host added (the preview) and the built-in pages; the services holding data last,
 * the database at the very end.
 */
export const SHUTDOWN_ORDER = ['functions', 'http', 'extensions', 'storage', 'openapi', 'database'] as const;
export type ShutdownStep = (typeof SHUTDOWN_ORDER)[number];

/**
 * Browsers may call the emulator only from pages served on this machine. Without the check, any
 * website open in the developer's browser could write to the local database through /admin.
 */
export function isLocalOrigin(origin: string): boolean {
  return /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(origin);
}

/**
 * Whether a Host header names this server on a loopback name. The Origin check above cannot stop
 * DNS rebinding: a website whose name is re-pointed at 127.0.0.1 makes same-origin GETs, and those
 * carry no Origin, so it could read /api/collections/* and the exports (openids, full phone
 * numbers). Its requests still carry the site's own name in Host, which is what this refuses.
 * No Host at all (HTTP/1.0; Node answers 400 to HTTP/1.1 without one) is allowed: a rebinding page
 * runs in a browser, and browsers always send it. Without a port the header means port 80.
 */
export function isOwnHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return true;
  const match = /^(localhost|127\.0\.0\.1|\[::1\])(?::(\d+))?$/i.exec(host);
  if (!match) return false;
  return Number(match[2] ?? '80') === port;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const env = options.env ?? DEFAULT_ENV;
  const dataDir = options.memory || options.dataDir === undefined ? null : path.resolve(options.dataDir);
  const persistence = dataDir === null ? { memory: true } : { dataDir };
  let url = '';
  /** The port listened on, known once listening; requests only arrive after that. */
  let port = 0;

  // A folder that cannot hold data is refused with its reason before anything opens it (data-dir.ts).
  if (dataDir !== null) {
    const problem = dataDirProblem(dataDir);
    if (problem) throw new Error(problem);
  }
  const functionsRoot = options.functionsRoot ?? defaultFunctionsRoot();
  const onDatabaseWarning = options.onDatabaseWarning ?? console.warn;
  const projectDir = options.projectDir ?? path.dirname(path.resolve(functionsRoot));
  const declaredIndexes = readDeclaredIndexes(projectDir, onDatabaseWarning);
  const permissions = readDeclaredPermissions(projectDir, onDatabaseWarning);
  const clock = createEmulatorClock();
  const database = await createDatabase({ ...persistence, declaredIndexes, onWarning: onDatabaseWarning, now: clock.now });
  // Declared collections exist as after `tcb framework deploy`.
  for (const name of options.deployDeclaredCollections === false ? [] : permissions.collections.keys()) {
    if (!database.listCollections().includes(name)) await database.importCollection(name, '');
  }
  // Sub-millisecond request times (still milliseconds since the epoch): the benchmark's breakdown adds them up.
  const log = createRequestLog(() => performance.timeOrigin + performance.now());
  const faults = createFaultInjector();
  const activity = createActivityLog();
  const printOutput = options.onFunctionOutput ?? printFunctionOutput;
  const runtime = createFunctionRuntime({
    functionsRoot,
    baseEnv: sdkEnv,
    ...(options.maxInstances !== undefined && { maxInstances: options.maxInstances }),
    ...(options.functionTimeoutMs !== undefined && { timeoutMs: options.functionTimeoutMs }),
    ...(options.codeCache !== undefined && { codeCache: options.codeCache }),
    ...(options.codeCacheDir !== undefined && { codeCacheDir: options.codeCacheDir }),
    dependencies: createFunctionDependencies(options.functionDependencies),
    templateVariables: () => ({ ...process.env, ...options.templateVariables }),
    time: clock,
    onOutput: (name, stream, chunk) => {
      activity.output(name, stream, chunk);
      printOutput(name, stream, chunk);
    },
  });
  const functions = createFunctionService({ runtime, log, env, onCall: (record) => activity.call(record) });
  const push = createPushService({ functions, target: options.push ?? null, now: clock.now, env });
  const reportDenial = (denial: ClientDenial): void => {
    activity.denial(denial);
    (options.onClientDenied ?? printDenial)(denial);
  };
  const storage = createStorage({
    ...persistence,
    env,
    publicUrl: () => url,
    now: clock.now,
    clientAccess: (operation, caller, resource) => {
      const refusal = decideStorageAccess(operation, caller, permissions.storage, resource, clock.now());
      if (refusal) {
        reportDenial({
          openid: caller?.openid ?? '',
          service: 'storage',
          operation,
          target: resource.path,
          rule: `${refusal.rule} (${permissions.storage.source})`,
          message: refusal.message,
        });
      }
      return refusal;
    },
  });
  // getPhoneNumber's watermark carries the calling mini-program's appid, as WeChat's does.
  const openapi = createOpenApi(
    { now: clock.now, ...options.openapi },
    { callerAppid: (invocationId) => log.callerOf(invocationId)?.appid },
  );
  const extensions: EmulatorModule[] = [
    ...(options.modules ?? []),
    // Last: their routes are prefixes of others' ('/' for the status page).
    createTransferModule(database),
    createStatusModule({ database, storage, activity, clock, functions: () => runtime.list(), links: () => statusLinks }),
  ];
  const clientAccess = createClientAccess({
    database,
    permissions: () => permissions,
    activity,
    now: clock.now,
    env,
    onDenied: (denial) => (options.onClientDenied ?? printDenial)(denial),
  });
  const modules: EmulatorModule[] = [
    functions.module,
    database,
    storage,
    openapi,
    createClockModule(clock),
    push.module,
    clientAccess,
    ...extensions,
  ];
  const statusLinks = modules.flatMap((module) => (module.statusLink ? [module.statusLink] : []));

  const actions = new Map<string, AdminHandler>();
  const routes: HttpRoute[] = [];
  for (const module of modules) {
    for (const [action, handler] of Object.entries(module.actions ?? {})) {
      if (actions.has(action)) throw new Error(`emulator: action ${action} is claimed by two modules`);
      actions.set(action, handler);
    }
    routes.push(...(module.routes ?? []));
  }

  function sdkEnv(): Record<string, string> {
    return sdkEnvFor(url, env);
  }

  async function handleAdmin(request: IncomingMessage, response: ServerResponse, requestUrl: URL): Promise<void> {
    const requestId = randomUUID();
    const parsed = await parseAdminBody(request);
    if (!parsed.ok) {
      sendJson(response, 200, { requestId, code: 'INVALID_PARAM', message: parsed.message });
      return;
    }
    const { body, files } = parsed;
    const action = typeof body['action'] === 'string' ? body['action'] : '';
    const adminRequest: AdminRequest = {
      action,
      body,
      files,
      env: stringField(body, 'envName') || requestUrl.searchParams.get('env') || env,
      invocationId: stringField(body, 'wxCloudApiToken'),
    };
    const collection = stringField(body, 'collectionName') || undefined;
    options.onAdminRequest?.(adminRequest, {
      method: request.method ?? 'POST',
      path: requestUrl.pathname,
      query: [...requestUrl.searchParams.keys()],
      contentType: (header(request, 'content-type') ?? '').split(';')[0] ?? '',
    });
    const end = log.begin(adminRequest.invocationId, collection === undefined ? { action } : { action, collection });
    try {
      const effect = faults.effectFor(collection === undefined ? { action } : { action, collection });
      if (effect && effect.latencyMs > 0) await delay(effect.latencyMs);
      if (effect?.error && effect.when === 'before') throw new ServiceError(effect.error.code, effect.error.message);
      const handler = actions.get(action);
      if (!handler) throw new ServiceError('INVALID_PARAM', action ? `unsupported action: ${action}` : 'action is required');
      const reply = await handler(adminRequest);
      if (effect?.error && effect.when === 'after') throw new ServiceError(effect.error.code, effect.error.message);
      writeReply(response, requestId, reply);
      end();
    } catch (error) {
      const failure = toServiceError(error, action);
      // Sent with this exact content type so node-sdk parses it as JSON even for wx.openApi.
      sendJson(response, 200, { requestId, code: failure.code, message: failure.message });
      end(failure.code);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', 'http://127.0.0.1');
    const host = header(request, 'host');
    if (!isOwnHost(host, port)) {
      sendJson(response, 403, { code: 'INVALID_REQUEST_SOURCE', message: `host ${host ?? ''} is not this emulator; use ${url}` });
      return;
    }
    const origin = header(request, 'origin');
    if (origin !== undefined) {
      if (!isLocalOrigin(origin)) {
        sendJson(response, 403, { code: 'INVALID_REQUEST_SOURCE', message: `origin ${origin} may not call the local emulator` });
        return;
      }
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'origin');
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
        'access-control-allow-headers': 'content-type, x-wx-openid, x-wx-appid, x-wx-unionid, x-wx-source, x-wx-clientip, authorization',
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    if (request.method === 'POST' && (requestUrl.pathname === '/admin' || requestUrl.pathname.endsWith('/admin'))) {
      await handleAdmin(request, response, requestUrl);
      return;
    }
    for (const route of routes) {
      const matches =
        route.method === request.method &&
        (route.path.endsWith('/') ? requestUrl.pathname.startsWith(route.path) : requestUrl.pathname === route.path);
      if (matches && (await route.handle(request, response, requestUrl)) !== false) return;
    }
    sendJson(response, 404, { code: 'NOT_FOUND', message: `${request.method ?? ''} ${requestUrl.pathname} is not served here` });
  }

  const bodyGate: BodyGate = {
    maxInFlightBytes: options.maxInFlightBodyBytes ?? DEFAULT_MAX_IN_FLIGHT_BODY_BYTES,
    readTimeoutMs: options.bodyReadTimeoutMs ?? DEFAULT_BODY_READ_TIMEOUT_MS,
    inFlightBytes: 0,
  };
  const server = createServer((request, response) => {
    guardBody(request, response, bodyGate);
    handle(request, response).catch((error: unknown) => {
      if (error instanceof BodyRefusedError && !response.headersSent) {
        sendJson(response, error.status, { code: error.code, message: error.message });
        return;
      }
      process.stderr.write(`[emulator] ${request.method} ${request.url}: ${describeError(error)}\n`);
      if (!response.headersSent) sendJson(response, 500, { code: 'SYS_ERR', message: 'internal emulator error' });
      else response.destroy();
    });
  });
  // Many instances open a fresh connection per request (the SDK disables keep-alive in SCF).
  server.maxConnections = 10_000;
  // Node 19+'s global agent (which the SDK uses) keeps idle sockets for 5 s, the same as the
  // server's default keep-alive timeout: a request sent on a socket the server is just closing dies
  // with ECONNRESET. The server waits longer, so the client always closes its idle sockets first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const stops: Record<ShutdownStep, () => Promise<void>> = {
    functions: () => runtime.close(),
    http: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    extensions: async () => {
      for (const module of extensions) await module.close?.();
    },
    storage: () => storage.close(),
    openapi: async () => openapi.close?.(),
    database: () => database.close(),
  };
  async function stop(): Promise<void> {
    for (const step of SHUTDOWN_ORDER) await stops[step]();
  }

  try {
    await listen(server, options.port ?? 0);
  } catch (error) {
    await stop();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  const host: EmulatorHost = { url, env, dataDir };
  for (const module of modules) await module.start?.(host);

  let closing: Promise<void> | null = null;

  return {
    url,
    env,
    dataDir,
    sdkEnv,
    callFunction: functions.callFunction,
    push: push.deliver,
    faults,
    database,
    storage,
    openapi,
    clock,
    functions: { list: () => runtime.list(), stats: (name) => runtime.stats(name) },
    async checkpoint() {
      const data = database.checkpoint();
      const files = await storage.checkpoint();
      return {
        async restore() {
          data.restore();
          await files.restore();
        },
      };
    },
    close: () => (closing ??= stop()),
  };
}

type ParsedAdminBody = { ok: true; body: Record<string, unknown>; files: Record<string, Buffer> } | { ok: false; message: string };

async function parseAdminBody(request: IncomingMessage): Promise<ParsedAdminBody> {
  let raw: Buffer;
  try {
    raw = await readBody(request, MAX_ADMIN_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyRefusedError) throw error;
    return { ok: false, message: error instanceof BodyTooLargeError ? error.message : 'the request body could not be read' };
  }
  const boundary = multipartBoundary(header(request, 'content-type'));
  if (boundary) {
    const form = parseMultipart(raw, boundary);
    return form ? { ok: true, body: form.fields, files: form.files } : { ok: false, message: 'malformed multipart/form-data body' };
  }
  // The SDK's JSON requests do not always say application/json: parse whatever came.
  const text = raw.toString('utf8');
  if (jsonDeeperThan(text)) return { ok: false, message: tooDeepMessage('the request body') };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the request body is not valid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, message: 'the request body must be a JSON object' };
  return { ok: true, body: body as Record<string, unknown>, files: {} };
}

function writeReply(response: ServerResponse, requestId: string, reply: AdminReply): void {
  if (reply.kind === 'raw') {
    send(response, 200, reply.contentType, reply.body);
    return;
  }
  const envelope: Record<string, unknown> = { requestId };
  if (reply.data !== undefined) envelope['data'] = reply.data;
  sendJson(response, 200, { ...envelope, ...reply.top });
}

function toServiceError(error: unknown, action: string): ServiceError {
  if (error instanceof ServiceError) return error;
  // A bug in a module, not a platform error: say so loudly here, answer like the service would.
  process.stderr.write(`[emulator] ${action || 'admin request'} failed: ${describeError(error)}\n`);
  return new ServiceError('SYS_ERR', error instanceof Error ? error.message : String(error));
}

function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  return typeof value === 'string' ? value : '';
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}
