/**
 * The one client of the emulator's mini-program endpoints, shared by the browser preview
 * (runtime/wx/cloud.ts, over the page's fetch) and by page tests that run against the emulator
 * (over node:http, since jsdom has no fetch):
 *
 *   callFunction  POST /callFunction/<name>, the event as JSON, the caller in x-wx-* headers (what
 *                 CloudBase attaches to a call from the mini-program); the emulator answers
 *                 `{ result }` or `{ errCode, errMsg }`
 *   uploadFile    POST /storage/upload?cloudPath=..., the file's bytes, the caller in x-wx-* headers (the
 *                 emulator lets a user overwrite only files they created); answers `{ fileID, statusCode }`
 *   deleteFile    POST /storage/delete, `{ fileid_list }`, the caller in x-wx-* headers (own files only);
 *                 answers `{ delete_list }` as the admin action storage.batchDeleteFile does
 *   tempFileUrls  POST /storage/temp-url, `{ file_list }`, the caller in x-wx-* headers: temporary URLs of
 *                 the files the project's storage permission lets the caller read; answers `{ download_list }`
 *   downloadFile  the fileID's temporary URL (tempFileUrls as the caller; without one, the admin action
 *                 storage.batchGetDownloadUrl), then GET of that URL
 *   admin         POST /admin, a JSON action as wx-server-sdk sends it; answers `{ data }` or `{ code, message }`
 *   clientDatabase  POST /client/database, a `database.*` action as @cloudbase/database builds it, the caller in
 *                 x-wx-* headers: wx.cloud.database() under the permissions the project declares; answers the
 *                 envelope `{ data }` or `{ code, message }` (the client database turns it into wx's answers)
 *
 * Failures are thrown the way wx.cloud rejects: plain objects `{ errMsg: 'cloud.<api>:fail ...' }`,
 * with errCode when the emulator gave one and errno 600001 when the request did not get through
 * (platform/wx-failure.ts in the mini-program reads "request:fail" as a network failure).
 * Neither DOM nor Node: this file is compiled for both.
 */

export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  /** A Blob in the browser, a Uint8Array (Buffer) in Node. */
  body?: string | Blob | Uint8Array<ArrayBuffer>;
  /** Ends the request (a closed watch's open round). */
  signal?: AbortSignal;
}

/** The part of `fetch` the transport uses; tests without fetch adapt node:http to it. */
export type TransportFetch = (
  url: string,
  init: TransportRequest,
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; arrayBuffer(): Promise<ArrayBuffer> }>;

/** Who is calling: the WeChat identity CloudBase would put in the function's getWXContext(). */
export interface TransportCaller {
  openid: string;
  appid: string;
  /** '' or absent when the app has no UnionID for the user. */
  unionid?: string;
}

export interface TransportFailure {
  errMsg: string;
  errCode?: number;
  errno?: number;
}

export interface EmulatorTransport {
  /** Resolves with the function's return value (wx.cloud.callFunction's `result`). */
  callFunction(name: string, data: unknown, caller: TransportCaller): Promise<unknown>;
  /** Uploads as `caller`: CloudBase records them as the file's creator, the only user who may overwrite it. */
  uploadFile(
    cloudPath: string,
    body: Blob | Uint8Array<ArrayBuffer>,
    caller: TransportCaller,
    contentType?: string,
  ): Promise<{ fileID: string; statusCode: number }>;
  /** Deletes as `caller`; each entry's `code` is 'SUCCESS' or the reason (STORAGE_EXCEED_AUTHORITY for another's file). */
  deleteFile(fileIDs: string[], caller: TransportCaller): Promise<Record<string, unknown>[]>;
  /**
   * A stored file's bytes, by fileID. A missing file fails as wx.cloud.downloadFile does (the
   * storage code in errMsg, errCode -1); an HTTP failure of the GET resolves with its status.
   */
  downloadFile(fileID: string, caller?: TransportCaller): Promise<{ statusCode: number; bytes: Uint8Array<ArrayBuffer> }>;
  /** Temporary URLs as `caller`: each entry `{ fileID, tempFileURL, code: 'SUCCESS' | <refusal or missing> }`. */
  tempFileUrls(fileList: { fileid: string; max_age?: number }[], caller: TransportCaller): Promise<Record<string, unknown>[]>;
  /**
   * One `database.*` action as `caller`, for wx.cloud.database() (the emulator's createClientDatabase
   * is its `send`): resolves with the emulator's envelope, errors included; rejects only when the
   * request did not get through. `database.watch` rounds stay open until a change (long-poll);
   * `signal` ends one.
   */
  clientDatabase(
    action: string,
    params: Record<string, unknown>,
    caller: TransportCaller,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>>;
  /** An admin action's `data` object ({} when it has none). `api` names the wx API for failures. */
  admin(api: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface EmulatorTransportOptions {
  fetch: TransportFetch;
  /** The emulator's URL; '' when the page is served by the emulator itself (same origin). */
  baseUrl: string;
}

/** The headers the emulator reads the caller from (packages/cloudbase-emulator: POST /callFunction/<name>). */
export function callerHeaders(caller: TransportCaller): Record<string, string> {
  const headers: Record<string, string> = { 'x-wx-openid': caller.openid, 'x-wx-appid': caller.appid };
  if (caller.unionid) headers['x-wx-unionid'] = caller.unionid;
  return headers;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function failure(api: string, reason: string, extra: { errCode?: number; errno?: number } = {}): TransportFailure {
  return { errMsg: `cloud.${api}:fail ${reason}`, ...extra };
}

function errCodeOf(reply: unknown): number {
  return isObject(reply) && typeof reply['errCode'] === 'number' ? reply['errCode'] : -1;
}

export function createEmulatorTransport(options: EmulatorTransportOptions): EmulatorTransport {
  async function send(api: string, path: string, init: TransportRequest): Promise<unknown> {
    let response: Awaited<ReturnType<TransportFetch>>;
    try {
      response = await options.fetch(`${options.baseUrl}${path}`, init);
    } catch (error) {
      throw failure(api, `request:fail ${error instanceof Error ? error.message : String(error)}`, { errno: 600001 });
    }
    try {
      return await response.json();
    } catch {
      throw failure(api, `the emulator answered HTTP ${response.status} without JSON`);
    }
  }

  async function admin(api: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await send(api, '/admin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!isObject(reply)) throw failure(api, 'unexpected answer from the emulator');
    if (typeof reply['code'] === 'string') throw failure(api, `${reply['code']}: ${String(reply['message'] ?? '')}`);
    return isObject(reply['data']) ? reply['data'] : {};
  }

  async function tempFileUrls(
    fileList: { fileid: string; max_age?: number }[],
    caller: TransportCaller,
  ): Promise<Record<string, unknown>[]> {
    const reply = await send('getTempFileURL', '/storage/temp-url', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...callerHeaders(caller) },
      body: JSON.stringify({ file_list: fileList }),
    });
    if (isObject(reply) && Array.isArray(reply['download_list'])) return reply['download_list'].filter(isObject);
    const errMsg =
      isObject(reply) && typeof reply['errMsg'] === 'string'
        ? reply['errMsg']
        : 'cloud.getTempFileURL:fail unexpected answer from the emulator';
    throw { errMsg, errCode: errCodeOf(reply) } satisfies TransportFailure;
  }

  return {
    async callFunction(name, data, caller) {
      const reply = await send('callFunction', `/callFunction/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...callerHeaders(caller) },
        body: JSON.stringify(data ?? {}),
      });
      if (isObject(reply) && 'result' in reply) return reply['result'];
      if (isObject(reply) && typeof reply['errMsg'] === 'string')
        throw { errMsg: reply['errMsg'], errCode: errCodeOf(reply) } satisfies TransportFailure;
      throw failure('callFunction', 'unexpected answer from the emulator');
    },

    async uploadFile(cloudPath, body, caller, contentType) {
      const reply = await send('uploadFile', `/storage/upload?cloudPath=${encodeURIComponent(cloudPath)}`, {
        method: 'POST',
        headers: { ...(contentType && { 'content-type': contentType }), ...callerHeaders(caller) },
        body,
      });
      if (isObject(reply) && typeof reply['fileID'] === 'string') {
        return { fileID: reply['fileID'], statusCode: typeof reply['statusCode'] === 'number' ? reply['statusCode'] : 200 };
      }
      const errMsg =
        isObject(reply) && typeof reply['errMsg'] === 'string'
          ? reply['errMsg']
          : 'cloud.uploadFile:fail unexpected answer from the emulator';
      throw { errMsg, errCode: errCodeOf(reply) } satisfies TransportFailure;
    },

    async deleteFile(fileIDs, caller) {
      const reply = await send('deleteFile', '/storage/delete', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...callerHeaders(caller) },
        body: JSON.stringify({ fileid_list: fileIDs }),
      });
      if (isObject(reply) && Array.isArray(reply['delete_list'])) return reply['delete_list'].filter(isObject);
      const errMsg =
        isObject(reply) && typeof reply['errMsg'] === 'string'
          ? reply['errMsg']
          : 'cloud.deleteFile:fail unexpected answer from the emulator';
      throw { errMsg, errCode: errCodeOf(reply) } satisfies TransportFailure;
    },

    admin,

    async clientDatabase(action, params, caller, signal) {
      const reply = await send('database', '/client/database', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...callerHeaders(caller) },
        body: JSON.stringify({ ...params, action }),
        ...(signal && { signal }),
      });
      if (!isObject(reply)) throw failure('database', 'unexpected answer from the emulator');
      return reply;
    },

    tempFileUrls,

    async downloadFile(fileID, caller) {
      const list = caller
        ? await tempFileUrls([{ fileid: fileID }], caller)
        : ((await admin('downloadFile', { action: 'storage.batchGetDownloadUrl', file_list: [{ fileid: fileID }] }))['download_list'] ??
          []);
      const entry = Array.isArray(list) ? list.find(isObject) : undefined;
      if (entry?.['code'] !== 'SUCCESS' || typeof entry['tempFileURL'] !== 'string') {
        throw failure('downloadFile', String(entry?.['code'] ?? 'no download URL'), { errCode: -1 });
      }
      let response: Awaited<ReturnType<TransportFetch>>;
      try {
        // The URL holds the cloud path unencoded (node-sdk encodes it before fetching, so do we).
        response = await options.fetch(encodeURI(entry['tempFileURL']), { method: 'GET', headers: {} });
      } catch (error) {
        throw failure('downloadFile', `request:fail ${error instanceof Error ? error.message : String(error)}`, { errno: 600001 });
      }
      return { statusCode: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
    },
  };
}
