/**
 * Testing a project's database and storage permissions from jest (or any test runner), the way
 * Firebase's rules-unit-testing does: one test environment (an emulator for the project, started
 * here or already running), a client context per identity, and `assertSucceeds` / `assertFails`
 * around the same calls the mini-program makes.
 *
 *   const env = await initializeTestEnvironment({ projectDir });        // reads its cloudbaserc.json
 *   const alice = env.authenticatedContext('o-alice').database();
 *   await assertSucceeds(alice.collection('notes').add({ data: { text: 'hi' } }));
 *   await assertFails(env.authenticatedContext('o-bob').database().collection('users').get());
 *   await env.withSecurityRulesDisabled((admin) => admin.database.importCollection('users', '{"_id":"u1"}\n'));
 *   await env.cleanup();
 *
 * A context's calls go through the emulator's client endpoints (POST /client/database, the
 * storage routes) exactly as the preview's wx.cloud does, so the declared permissions decide.
 */
import { createClientDatabase, type ClientDatabase } from './client/database';
import { createEmulator, type Emulator, type EmulatorOptions } from './server';

export interface TestEnvironmentOptions {
  /** The project whose cloudbaserc.json declares the permissions (and whose cloudfunctions/ run). Default: cwd. */
  projectDir?: string;
  /** Test against an emulator that is already running (its URL) instead of starting one. */
  emulatorUrl?: string;
  /** More options for the emulator started here (memory is always on). */
  emulator?: Omit<EmulatorOptions, 'memory' | 'dataDir'>;
}

export interface RulesTestContext {
  /** `wx.cloud.database()` as this client. */
  database(): ClientDatabase;
  /** `wx.cloud.uploadFile` as this client, with the bytes given directly. */
  uploadFile(options: {
    cloudPath: string;
    fileContent: Uint8Array | string;
    contentType?: string;
  }): Promise<{ fileID: string; statusCode: number }>;
  /** `wx.cloud.getTempFileURL` as this client: one entry per file, `status` 0 or the refusal (-503002). */
  getTempFileURL(options: {
    fileList: string[];
  }): Promise<{ fileList: { fileID: string; tempFileURL: string; status: number; errMsg: string }[] }>;
  /** `wx.cloud.downloadFile` as this client: the bytes; a refusal rejects with errCode -503002. */
  downloadFile(options: { fileID: string }): Promise<{ statusCode: number; bytes: Uint8Array }>;
  /** `wx.cloud.deleteFile` as this client: one entry per file, `status` 0 or the refusal (-503002). */
  deleteFile(options: { fileList: string[] }): Promise<{ fileList: { fileID: string; status: number; errMsg: string }[] }>;
}

export interface RulesTestEnvironment {
  /** The emulator's URL. */
  url: string;
  /** The emulator started by initializeTestEnvironment; undefined when testing one at `emulatorUrl`. */
  emulator: Emulator | undefined;
  /** A mini-program user with this openid. */
  authenticatedContext(openid: string, identity?: { appid?: string; unionid?: string }): RulesTestContext;
  /** A client that is not signed in (no openid: 单页模式, a web page without login). */
  unauthenticatedContext(): RulesTestContext;
  /** Runs `work` as an administrator (the emulator itself: seed data, read everything). Needs the emulator started here. */
  withSecurityRulesDisabled<T>(work: (emulator: Emulator) => Promise<T>): Promise<T>;
  /** Stops the emulator started here. */
  cleanup(): Promise<void>;
}

const DEFAULT_APPID = 'wx-rules-test';

/** A per-file status of getTempFileURL / deleteFile, as wx.cloud reports CloudBase's codes. */
function fileStatus(code: unknown): number {
  if (code === 'SUCCESS') return 0;
  if (code === 'STORAGE_EXCEED_AUTHORITY') return -503002;
  if (code === 'STORAGE_FILE_NONEXIST') return -503003;
  return -1;
}

export async function initializeTestEnvironment(options: TestEnvironmentOptions = {}): Promise<RulesTestEnvironment> {
  const projectDir = options.projectDir ?? process.cwd();
  const emulator = options.emulatorUrl
    ? undefined
    : await createEmulator({
        functionsRoot: `${projectDir}/cloudfunctions`,
        projectDir,
        onClientDenied: () => undefined,
        ...options.emulator,
        memory: true,
      });
  const url = options.emulatorUrl ?? (emulator as Emulator).url;

  function context(caller: Record<string, string>): RulesTestContext {
    const headers: Record<string, string> = {};
    if (caller.openid) headers['x-wx-openid'] = caller.openid;
    if (caller.appid) headers['x-wx-appid'] = caller.appid;
    if (caller.unionid) headers['x-wx-unionid'] = caller.unionid;

    async function post(
      path: string,
      body: string | Uint8Array,
      contentType: string,
      signal?: AbortSignal,
    ): Promise<Record<string, unknown>> {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': contentType },
        body: typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]),
        ...(signal && { signal }),
      });
      return (await response.json()) as Record<string, unknown>;
    }

    async function tempFileUrls({ fileList }: { fileList: string[] }) {
      const reply = await post(
        '/storage/temp-url',
        JSON.stringify({ file_list: fileList.map((fileid) => ({ fileid })) }),
        'application/json',
      );
      if (!Array.isArray(reply.download_list)) throw Object.assign(new Error(String(reply.errMsg ?? 'cloud.getTempFileURL:fail')), reply);
      return {
        fileList: (reply.download_list as Record<string, unknown>[]).map((item) => ({
          fileID: String(item.fileID ?? ''),
          tempFileURL: String(item.tempFileURL ?? ''),
          status: fileStatus(item.code),
          errMsg: item.code === 'SUCCESS' ? 'ok' : String(item.message ?? item.code),
        })),
      };
    }

    return {
      database: () =>
        createClientDatabase({
          send: (action, params, signal) => post('/client/database', JSON.stringify({ ...params, action }), 'application/json', signal),
        }),

      async uploadFile({ cloudPath, fileContent, contentType }) {
        const bytes = typeof fileContent === 'string' ? new TextEncoder().encode(fileContent) : fileContent;
        const reply = await post(
          `/storage/upload?cloudPath=${encodeURIComponent(cloudPath)}`,
          bytes,
          contentType ?? 'application/octet-stream',
        );
        if (typeof reply.fileID !== 'string') throw Object.assign(new Error(String(reply.errMsg ?? 'cloud.uploadFile:fail')), reply);
        return { fileID: reply.fileID, statusCode: typeof reply.statusCode === 'number' ? reply.statusCode : 200 };
      },

      getTempFileURL: tempFileUrls,

      async downloadFile({ fileID }) {
        const [entry] = (await tempFileUrls({ fileList: [fileID] })).fileList;
        if (entry?.status !== 0) {
          const errMsg = `cloud.downloadFile:fail ${entry?.errMsg ?? 'no answer'}`;
          throw Object.assign(new Error(errMsg), { errCode: entry?.status ?? -1, errMsg });
        }
        const response = await fetch(encodeURI(entry.tempFileURL));
        return { statusCode: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
      },

      async deleteFile({ fileList }) {
        const reply = await post('/storage/delete', JSON.stringify({ fileid_list: fileList }), 'application/json');
        if (!Array.isArray(reply.delete_list)) throw Object.assign(new Error(String(reply.errMsg ?? 'cloud.deleteFile:fail')), reply);
        return {
          fileList: (reply.delete_list as Record<string, unknown>[]).map((item) => ({
            fileID: String(item.fileID ?? ''),
            status: fileStatus(item.code),
            errMsg: item.code === 'SUCCESS' ? 'ok' : String(item.message ?? item.code),
          })),
        };
      },
    };
  }

  return {
    url,
    emulator,
    authenticatedContext: (openid, identity = {}) => {
      if (!openid) throw new Error('authenticatedContext needs an openid; use unauthenticatedContext() for a client that is not signed in');
      return context({ openid, appid: identity.appid ?? DEFAULT_APPID, ...(identity.unionid && { unionid: identity.unionid }) });
    },
    unauthenticatedContext: () => context({}),
    async withSecurityRulesDisabled(work) {
      if (!emulator) throw new Error('withSecurityRulesDisabled needs the emulator started by initializeTestEnvironment');
      return work(emulator);
    },
    cleanup: async () => {
      await emulator?.close();
    },
  };
}

/** Error codes and names that mean "the permissions refused this" (database and storage). */
const DENIAL_CODES = new Set([-502003, -503002]);
const DENIAL_MARKERS = ['DATABASE_PERMISSION_DENIED', 'STORAGE_EXCEED_AUTHORITY', 'PERMISSION_DENIED', 'permission denied'];

function isDenial(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { errCode, errMsg, message } = error as { errCode?: unknown; errMsg?: unknown; message?: unknown };
  if (typeof errCode === 'number' && DENIAL_CODES.has(errCode)) return true;
  const text = `${String(errMsg ?? '')} ${String(message ?? '')}`;
  return DENIAL_MARKERS.some((marker) => text.includes(marker));
}

/** Resolves with the call's answer; rejects (failing the test) when the call failed, with its error. */
export async function assertSucceeds<T>(call: PromiseLike<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const text =
      typeof error === 'object' && error !== null && 'errMsg' in error ? String((error as { errMsg: unknown }).errMsg) : String(error);
    throw new Error(`Expected the call to succeed, it failed: ${text}`);
  }
}

/**
 * Resolves with the error when the call was refused by the permissions (errCode -502003 / -503002,
 * or a deleteFile entry refused); rejects when it succeeded or failed for another reason, so a typo
 * in a collection name cannot pass for a working rule.
 */
export async function assertFails(call: PromiseLike<unknown>): Promise<unknown> {
  let answer: unknown;
  try {
    answer = await call;
  } catch (error) {
    if (isDenial(error)) return error;
    const text =
      typeof error === 'object' && error !== null && 'errMsg' in error ? String((error as { errMsg: unknown }).errMsg) : String(error);
    throw new Error(`Expected a permission denial, the call failed for another reason: ${text}`);
  }
  // getTempFileURL and deleteFile answer per file: refused entries are a denial.
  const entries = (answer as { fileList?: { status?: unknown }[] } | undefined)?.fileList;
  if (Array.isArray(entries) && entries.length > 0 && entries.every((entry) => entry.status === -503002)) return answer;
  throw new Error(`Expected a permission denial, the call succeeded: ${JSON.stringify(answer)?.slice(0, 300)}`);
}
