/**
 * wx.cloud against the local emulator (packages/cloudbase-emulator), as the mini-program's client SDK
 * talks to CloudBase. The HTTP exchange is shared/emulator-transport.ts (the page tests use the same
 * one); this file adds what wx.cloud itself does: callbacks or a Promise, `errMsg: 'cloud.<api>:ok'`,
 * temporary file paths, the call log.
 *
 *   callFunction    POST /callFunction/<name>, the caller in x-wx-* headers
 *   uploadFile      POST /storage/upload?cloudPath=..., the bytes of the temporary file, the caller in x-wx-* headers
 *   getTempFileURL  POST /storage/temp-url as this user (the project's storage permission decides per file)
 *   downloadFile    the same, then GET of the temporary URL; the bytes become a temporary file
 *   deleteFile      POST /storage/delete, the caller in x-wx-* headers (a user deletes only their own files)
 *   database()      the emulator's client database (the real @cloudbase/database query builder, wx-style
 *                   answers) over POST /client/database, as this user, under the project's declared permissions
 *
 * `fetch` and the base URL are injected: '' in the browser (same origin as the emulator), the
 * emulator's URL in tests. Every call is reported to `onCall` for the preview's call log.
 */
import { type ClientDatabase, createClientDatabase } from '@wx-cloud-login/cloudbase-emulator/client';
import { createEmulatorTransport, type TransportFetch } from '../../shared/emulator-transport';
import type { PreviewIdentity } from '../identity';
import { answer, WxApiError, type WxCallbacks } from './callbacks';
import type { TempFiles } from './temp-files';

export type Fetch = TransportFetch;

export interface CloudCallRecord {
  /** 'callFunction login (login)', 'uploadFile avatars/…' */
  label: string;
  ok: boolean;
  durationMs: number;
  /** errMsg when it failed. */
  error?: string;
}

export interface WxCloudOptions {
  fetch: Fetch;
  baseUrl: string;
  identity: PreviewIdentity;
  files: TempFiles;
  now?: () => number;
  onCall?: (record: CloudCallRecord) => void;
}

/** WeChat's marker for "the env selected in DevTools / the default env": any env works locally. */
export const DYNAMIC_CURRENT_ENV = Symbol('DYNAMIC_CURRENT_ENV');

interface CallFunctionOptions extends WxCallbacks<{ result: unknown; requestID: string }> {
  name: string;
  data?: unknown;
}

interface UploadFileOptions extends WxCallbacks<{ fileID: string; statusCode: number }> {
  cloudPath: string;
  filePath: string;
}

interface DownloadFileOptions extends WxCallbacks<{ tempFilePath: string; statusCode: number }> {
  fileID: string;
}

type FileListEntry = string | { fileID: string; maxAge?: number };

interface TempFileUrlResult {
  fileList: { fileID: string; tempFileURL: string; maxAge: number; status: number; errMsg: string }[];
}

interface DeleteFileResult {
  fileList: { fileID: string; status: number; errMsg: string }[];
}

export interface WxCloud {
  DYNAMIC_CURRENT_ENV: symbol;
  init(config?: { env?: unknown; traceUser?: boolean }): void;
  callFunction(options: CallFunctionOptions): Promise<unknown> | undefined;
  uploadFile(options: UploadFileOptions): Promise<unknown> | undefined;
  downloadFile(options: DownloadFileOptions): Promise<unknown> | undefined;
  getTempFileURL(options: { fileList: FileListEntry[] } & WxCallbacks<TempFileUrlResult>): Promise<unknown> | undefined;
  deleteFile(options: { fileList: string[] } & WxCallbacks<DeleteFileResult>): Promise<unknown> | undefined;
  database(config?: { env?: unknown; throwOnNotFound?: boolean }): ClientDatabase;
}

/** CloudBase reports a missing file in getTempFileURL / deleteFile with this status. */
const FILE_NOT_EXIST = -503003;
/** deleteFile's per-file status for the emulator's per-file codes (wx-server-sdk's numbers for the same names). */
const FILE_STATUS: Record<string, number> = { STORAGE_FILE_NONEXIST: FILE_NOT_EXIST, STORAGE_EXCEED_AUTHORITY: -503002 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function createWxCloud(options: WxCloudOptions): WxCloud {
  const now = options.now ?? Date.now;
  let requestCount = 0;

  async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const started = now();
    try {
      const result = await work();
      options.onCall?.({ label, ok: true, durationMs: now() - started });
      return result;
    } catch (error) {
      const errMsg =
        isObject(error) && typeof error['errMsg'] === 'string' ? error['errMsg'] : error instanceof Error ? error.message : String(error);
      options.onCall?.({ label, ok: false, durationMs: now() - started, error: errMsg });
      throw error;
    }
  }

  const transport = createEmulatorTransport({ fetch: options.fetch, baseUrl: options.baseUrl });

  return {
    DYNAMIC_CURRENT_ENV,
    init() {
      // One emulator, one env: nothing to choose.
    },

    callFunction(callOptions) {
      const { name } = callOptions;
      const action = isObject(callOptions.data) && typeof callOptions.data['action'] === 'string' ? ` (${callOptions.data['action']})` : '';
      return answer('cloud.callFunction', callOptions, () =>
        timed(`callFunction ${name}${action}`, async () => {
          if (typeof name !== 'string' || name === '') throw new WxApiError('parameter.name should be a non-empty string');
          const result = await transport.callFunction(name, callOptions.data, options.identity);
          requestCount += 1;
          return { result, requestID: `preview-${requestCount}` };
        }),
      );
    },

    uploadFile(uploadOptions) {
      return answer('cloud.uploadFile', uploadOptions, () =>
        timed(`uploadFile ${uploadOptions.cloudPath}`, async () => {
          const blob = options.files.get(uploadOptions.filePath);
          if (!blob) throw new WxApiError(`file not found: ${uploadOptions.filePath}`);
          return transport.uploadFile(uploadOptions.cloudPath, blob, options.identity, blob.type || undefined);
        }),
      );
    },

    downloadFile(downloadOptions) {
      const { fileID } = downloadOptions;
      return answer('cloud.downloadFile', downloadOptions, () =>
        timed(`downloadFile ${fileID}`, async () => {
          if (typeof fileID !== 'string' || !fileID.startsWith('cloud://'))
            throw new WxApiError('parameter.fileID should be a cloud:// fileID');
          const { statusCode, bytes } = await transport.downloadFile(fileID, options.identity);
          const extension = /\.(\w{1,8})$/.exec(fileID)?.[1] ?? 'bin';
          const type = extension === 'json' ? 'application/json' : '';
          return { tempFilePath: options.files.add(new Blob([bytes], { type }), extension), statusCode };
        }),
      );
    },

    getTempFileURL(urlOptions) {
      return answer('cloud.getTempFileURL', urlOptions, () =>
        timed(`getTempFileURL ×${urlOptions.fileList.length}`, async () => {
          const fileList = urlOptions.fileList.map((entry) =>
            typeof entry === 'string'
              ? { fileid: entry }
              : { fileid: entry.fileID, ...(entry.maxAge !== undefined && { max_age: entry.maxAge }) },
          );
          const list = await transport.tempFileUrls(fileList, options.identity);
          return {
            fileList: list.map((item) => {
              const ok = item['code'] === 'SUCCESS';
              return {
                fileID: String(item['fileID'] ?? ''),
                tempFileURL: ok ? String(item['tempFileURL'] ?? '') : '',
                maxAge: typeof item['maxAge'] === 'number' ? item['maxAge'] : 0,
                status: ok ? 0 : (FILE_STATUS[String(item['code'])] ?? -1),
                errMsg: ok ? 'ok' : String(item['message'] ?? item['code'] ?? 'failed'),
              };
            }),
          };
        }),
      );
    },

    deleteFile(deleteOptions) {
      return answer('cloud.deleteFile', deleteOptions, () =>
        timed(`deleteFile ×${deleteOptions.fileList.length}`, async () => {
          const list = await transport.deleteFile(deleteOptions.fileList, options.identity);
          return {
            fileList: list.map((item) => {
              const ok = item['code'] === 'SUCCESS';
              return {
                fileID: String(item['fileID'] ?? ''),
                status: ok ? 0 : (FILE_STATUS[String(item['code'])] ?? -1),
                errMsg: ok ? 'ok' : String(item['message'] ?? item['code'] ?? 'failed'),
              };
            }),
          };
        }),
      );
    },

    database() {
      // One database object per call, as wx.cloud.database() is cheap: it holds no connection.
      return createClientDatabase({
        send: (action, params, signal) => transport.clientDatabase(action, params, options.identity, signal),
        ...(options.onCall && { onCall: options.onCall }),
        now,
      });
    },
  };
}
