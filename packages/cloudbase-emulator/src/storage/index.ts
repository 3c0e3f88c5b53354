/**
 * The emulator's cloud storage: what wx-server-sdk's `cloud.uploadFile`, `getTempFileURL`,
 * `downloadFile` and `deleteFile` reach, plus an upload route for the mini-program preview.
 *
 * As with CloudBase, the SDK never sends file bytes to the admin API:
 *   uploadFile     storage.getUploadMetadata { path } -> { url, authorization, token, fileId, ... },
 *                  then PUT <url> with the bytes and `Authorization` (COS in production; here
 *                  PUT /storage/cos/<bucket>/<path>). Success is an empty 200; failure COS XML.
 *   getTempFileURL storage.batchGetDownloadUrl { file_list: [{ fileid, max_age? }] }
 *                  -> { download_list: [{ fileID, tempFileURL, code: 'SUCCESS' | <error name>, maxAge }] }
 *   downloadFile   the same, then GET <tempFileURL> (here GET /storage/files/<bucket>/<path>?sign=&t=)
 *   deleteFile     storage.batchDeleteFile { fileid_list } -> { delete_list: [{ fileID, code }] }
 * A missing file is a per-file `code: 'STORAGE_FILE_NONEXIST'` in the batch answers, which the SDK
 * turns into `status: -503003` (getTempFileURL, deleteFile). downloadFile throws it as errCode -1:
 * node-sdk throws the code and wx-server-sdk 4.0.2 maps only returned codes, so production does too.
 * Likewise uploadFile's statusCode is -1: node-sdk 3.17.2 never reports the PUT's status back.
 *
 * For pages (wx.cloud in the mini-program, which CloudBase knows by the user's openid):
 *   POST /storage/upload?cloudPath=<path> with the raw bytes answers
 *   `{ fileID, statusCode: 200, errMsg: 'cloud.uploadFile:ok' }`, the success shape of wx.cloud.uploadFile;
 *   POST /storage/delete with `{ fileid_list }` answers `{ delete_list }` like storage.batchDeleteFile.
 *   POST /storage/temp-url with `{ file_list }` answers `{ download_list }` like storage.batchGetDownloadUrl.
 * All carry the caller in `x-wx-openid` (and `x-wx-appid`), as POST /callFunction/<name> does.
 *
 * Client access follows the storage permission the project declares (`clientAccess`,
 * client-access/storage-access.ts); by default CloudBase's default "all users may read, only the
 * creator and admins may write": a file remembers the openid that uploaded it; a mini-program user
 * may overwrite or delete only their own files (STORAGE_EXCEED_AUTHORITY, errCode -503002, otherwise). wx-server-sdk is an
 * admin, as in production: its uploads (getUploadMetadata + the signed PUT) and deletions may touch
 * any file, and what it uploads has no user as creator, so no user may overwrite it afterwards.
 * `list()` shows each file's creator, so a test can see who wrote where.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ServiceError, type AdminReply, type AdminRequest, type EmulatorModule, type HttpRoute } from '../core/module';
import { contentTypeFor, DEFAULT_CONTENT_TYPE } from './content-type';
import { bucketFor, cloudPathProblem, fileIdFor, parseFileId } from './file-id';
import {
  ADMIN,
  createMemoryFileStore,
  mayWrite,
  openDiskFileStore,
  StorageAccessDenied,
  type FileStore,
  type StoredFile,
  type Writer,
} from './file-store';
import { BodyRefusedError, BodyTooLargeError, header, readBody, sendJson } from '../http';
import { multipartBoundary, parseMultipart } from '../multipart';
import { sendCosError } from './cos-error';
import { sign, uploadAuthorization, verify, verifyUploadAuthorization } from './signing';

export interface StorageOptions {
  /** Files persist under `<dataDir>/storage`. */
  dataDir?: string;
  /** Keep files in memory only (also the default without dataDir). */
  memory?: boolean;
  /** The CloudBase env id, part of every fileID. */
  env: string;
  /** Base URL of the emulator's HTTP server, e.g. http://127.0.0.1:9093 (read when a URL is made). */
  publicUrl: () => string;
  /** Largest accepted upload. Default 50 MB. */
  maxUploadBytes?: number;
  /** Clock (ms since the epoch). Default Date.now. */
  now?: () => number;
  /**
   * Decides a mini-program client's read or write of a file (the declared storage permission,
   * client-access/storage-access.ts) and reports a refusal; returns it, or undefined to allow.
   * Default: READONLY, CloudBase's default (everyone reads, only the creator writes).
   */
  clientAccess?: ClientStorageAccess;
}

export type ClientStorageAccess = (
  operation: 'read' | 'write',
  caller: { openid: string } | null,
  resource: { openid: string; path: string },
) => { message: string } | undefined;

const defaultClientAccess: ClientStorageAccess = (operation, caller, resource) => {
  if (operation === 'read') return undefined;
  if (caller && caller.openid === resource.openid) return undefined;
  return { message: `STORAGE_EXCEED_AUTHORITY: only the creator of ${resource.path} or an admin may overwrite or delete it` };
};

export interface StoredFileInfo {
  fileID: string;
  cloudPath: string;
  size: number;
  contentType: string;
  /** Milliseconds since the epoch. */
  uploadedAt: number;
  /** The openid of the mini-program user who uploaded it; '' when an admin (server SDK) did. */
  openid: string;
}

export interface StorageModule extends EmulatorModule {
  name: 'storage';
  fileIdFor(cloudPath: string): string;
  /** Stored files, for the status page and tests. */
  list(): StoredFileInfo[];
  /** The bytes of a file, or null when there is none. */
  read(fileID: string): Promise<Buffer | null>;
  /**
   * Stores bytes directly (seeding, tests); returns the fileID. As an admin unless `openid` names
   * the mini-program user uploading it (then the write rule applies, as for /storage/upload).
   */
  write(cloudPath: string, bytes: Buffer, contentType?: string, options?: { openid?: string }): Promise<string>;
  /**
   * The stored files as they are now, to go back to with `restore()`: files stored since are
   * deleted, replaced or deleted ones come back with their bytes, type, time and uploader (tests).
   */
  checkpoint(): Promise<StorageCheckpoint>;
  close(): Promise<void>;
}

export interface StorageCheckpoint {
  restore(): Promise<void>;
}

/** CloudBase: at most 50 files per getTempFileURL / deleteFile call. */
export const MAX_FILES_PER_BATCH = 50;
/** Temporary URLs without max_age live one day, the documented default. */
export const DEFAULT_TEMP_URL_MAX_AGE_SECONDS = 24 * 60 * 60;
/** How long the authorization from getUploadMetadata stays valid. */
export const UPLOAD_AUTHORIZATION_SECONDS = 15 * 60;
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Per-file answer codes of the batch actions, as CloudBase names them. */
type FileCode = 'SUCCESS' | 'STORAGE_FILE_NONEXIST' | 'STORAGE_EXCEED_AUTHORITY' | 'INVALID_PARAM';
type Lookup = { ok: true; file: StoredFile } | { ok: false; code: Exclude<FileCode, 'SUCCESS'>; message: string };

const COS_PREFIX = '/storage/cos/';
const FILES_PREFIX = '/storage/files/';
const CLIENT_UPLOAD_PATH = '/storage/upload';
const CLIENT_DELETE_PATH = '/storage/delete';
const CLIENT_TEMP_URL_PATH = '/storage/temp-url';
/** A list of at most 50 file ids is far below this. */
const MAX_DELETE_BODY_BYTES = 256 * 1024;
/** wx.cloud's errCode for STORAGE_EXCEED_AUTHORITY (wx-server-sdk maps the name to the same number). */
const EXCEED_AUTHORITY_ERRCODE = -503002;

export function createStorage(options: StorageOptions): StorageModule {
  const { env } = options;
  const now = options.now ?? Date.now;
  const nowSeconds = (): number => Math.floor(now() / 1000);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const clientAccess = options.clientAccess ?? defaultClientAccess;
  const bucket = bucketFor(env);
  const store: FileStore =
    options.memory || options.dataDir === undefined ? createMemoryFileStore() : openDiskFileStore(join(options.dataDir, 'storage'));

  /** Raw path on purpose: node-sdk runs encodeURI over tempFileURL before fetching it. */
  const objectUrl = (prefix: string, cloudPath: string): string => `${options.publicUrl()}${prefix}${bucket}/${cloudPath}`;

  function tempFileUrl(cloudPath: string, maxAgeSeconds: number): string {
    const expiresAt = nowSeconds() + maxAgeSeconds;
    return `${objectUrl(FILES_PREFIX, cloudPath)}?sign=${sign(store.secret, 'download', cloudPath, expiresAt)}&t=${expiresAt}`;
  }

  async function getUploadMetadata(request: AdminRequest): Promise<AdminReply> {
    const cloudPath = request.body['path'];
    if (typeof cloudPath !== 'string') throw new ServiceError('INVALID_PARAM', 'path is required');
    const problem = cloudPathProblem(cloudPath);
    if (problem) throw new ServiceError('INVALID_PARAM', problem);
    const encodedPath = cloudPath.split('/').map(encodeURIComponent).join('/');
    return {
      kind: 'json',
      data: {
        url: `${options.publicUrl()}${COS_PREFIX}${bucket}/${encodedPath}`,
        token: randomBytes(24).toString('base64'),
        authorization: uploadAuthorization(store.secret, cloudPath, nowSeconds(), UPLOAD_AUTHORIZATION_SECONDS),
        fileId: fileIdFor(env, cloudPath),
        cosFileId: randomBytes(16).toString('hex'),
        download_url: objectUrl(FILES_PREFIX, cloudPath),
      },
    };
  }

  async function batchGetDownloadUrl(request: AdminRequest): Promise<AdminReply> {
    return { kind: 'json', data: { download_list: downloadUrls(batch(request.body['file_list'], 'file_list'), null) } };
  }

  /** Temporary URLs for `list`; `caller` set: a client's request, each file checked for reading. */
  function downloadUrls(list: unknown[], caller: { client: { openid: string } | null } | null) {
    return list.map((item) => {
      const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
      const fileID = typeof entry['fileid'] === 'string' ? entry['fileid'] : '';
      const maxAge = positiveInteger(entry['max_age']) ?? DEFAULT_TEMP_URL_MAX_AGE_SECONDS;
      const found = lookup(fileID);
      if (!found.ok) return { fileID, tempFileURL: '', code: found.code, message: found.message };
      const refusal = caller && clientAccess('read', caller.client, { openid: found.file.openid, path: found.file.cloudPath });
      if (refusal) return { fileID, tempFileURL: '', code: 'STORAGE_EXCEED_AUTHORITY' satisfies FileCode, message: refusal.message };
      const code: FileCode = 'SUCCESS';
      return { fileID, tempFileURL: tempFileUrl(found.file.cloudPath, maxAge), code, maxAge };
    });
  }

  async function batchDeleteFile(request: AdminRequest): Promise<AdminReply> {
    return { kind: 'json', data: { delete_list: await deleteAll(batch(request.body['fileid_list'], 'fileid_list'), ADMIN) } };
  }

  async function deleteAll(list: unknown[], writer: Writer): Promise<{ fileID: string; code: FileCode; message?: string }[]> {
    const deleteList: { fileID: string; code: FileCode; message?: string }[] = [];
    for (const item of list) {
      const fileID = typeof item === 'string' ? item : '';
      const found = lookup(fileID);
      let failure: (Lookup & { ok: false }) | null = found.ok ? null : found;
      if (found.ok && !writer.admin) {
        const refusal = clientAccess('write', { openid: writer.openid }, { openid: found.file.openid, path: found.file.cloudPath });
        if (refusal) failure = { ok: false, code: 'STORAGE_EXCEED_AUTHORITY', message: refusal.message };
      }
      if (found.ok && !failure) {
        try {
          // Allowed by the permission: a custom rule may let a user delete another's file.
          if (!(await store.delete(found.file.cloudPath, writer.admin || mayWrite(found.file, writer) ? writer : ADMIN)))
            failure = missing(fileID);
        } catch (error) {
          if (!(error instanceof StorageAccessDenied)) throw error;
          failure = { ok: false, code: 'STORAGE_EXCEED_AUTHORITY', message: error.message };
        }
      }
      deleteList.push(failure ? { fileID, code: failure.code, message: failure.message } : { fileID, code: 'SUCCESS' });
    }
    return deleteList;
  }

  function lookup(fileID: string): Lookup {
    const parsed = parseFileId(env, fileID);
    if (!parsed.ok) {
      return parsed.reason === 'malformed' ? { ok: false, code: 'INVALID_PARAM', message: `invalid fileID: ${fileID}` } : missing(fileID);
    }
    const file = store.get(parsed.cloudPath);
    return file ? { ok: true, file } : missing(fileID);
  }

  async function putFromSdk(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const target = objectPath(url, COS_PREFIX);
    if (!target) return sendCosError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist.', url.pathname);
    const verdict = verifyUploadAuthorization(store.secret, target, header(request, 'authorization') ?? '', nowSeconds());
    if (verdict !== 'ok') {
      request.resume();
      return verdict === 'expired'
        ? sendCosError(response, 403, 'AccessDenied', 'Request has expired', url.pathname)
        : sendCosError(response, 403, 'SignatureDoesNotMatch', 'The calculated signature does not match.', url.pathname);
    }
    let bytes: Buffer;
    try {
      bytes = await readBody(request, maxUploadBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendCosError(response, 400, 'EntityTooLarge', error.message, url.pathname);
      }
      throw error;
    }
    // Only the server SDK holds an upload authorization (getUploadMetadata is an admin action).
    const file = await store.put(target, bytes, contentTypeFor(target), now(), ADMIN);
    response.writeHead(200, { etag: file.etag, 'content-length': 0 });
    response.end();
  }

  /**
   * The upload of older SDKs (wx-server-sdk 2.x, which DevTools' templates still declare, through
   * @cloudbase/node-sdk 2.x): COS's POST Object, a multipart form with `Signature` (the
   * authorization from getUploadMetadata), `key` and `file`. COS answers 204 with no body.
   */
  async function postFromSdk(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const target = objectPath(url, COS_PREFIX);
    if (!target) return sendCosError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist.', url.pathname);
    const boundary = multipartBoundary(header(request, 'content-type'));
    let body: Buffer;
    try {
      body = await readBody(request, maxUploadBytes + 64 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return sendCosError(response, 400, 'EntityTooLarge', error.message, url.pathname);
      throw error;
    }
    const form = boundary ? parseMultipart(body, boundary) : null;
    const file = form?.files['file'] ?? (form?.fields['file'] !== undefined ? Buffer.from(form.fields['file']) : undefined);
    if (!form || !file)
      return sendCosError(response, 400, 'InvalidArgument', 'POST Object needs a multipart form with a file.', url.pathname);
    if ((form.fields['key'] ?? target) !== target)
      return sendCosError(response, 400, 'InvalidArgument', 'The key does not match the object path.', url.pathname);
    const verdict = verifyUploadAuthorization(store.secret, target, form.fields['Signature'] ?? '', nowSeconds());
    if (verdict !== 'ok') {
      return verdict === 'expired'
        ? sendCosError(response, 403, 'AccessDenied', 'Request has expired', url.pathname)
        : sendCosError(response, 403, 'SignatureDoesNotMatch', 'The calculated signature does not match.', url.pathname);
    }
    if (file.length > maxUploadBytes) return sendCosError(response, 400, 'EntityTooLarge', 'the file is too large', url.pathname);
    const stored = await store.put(target, file, contentTypeFor(target), now(), ADMIN);
    response.writeHead(204, { etag: stored.etag });
    response.end();
  }

  async function getTempFile(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    request.resume();
    const target = objectPath(url, FILES_PREFIX);
    if (!target) return sendCosError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist.', url.pathname);
    const verdict = verify(
      store.secret,
      'download',
      target,
      url.searchParams.get('sign') ?? '',
      Number(url.searchParams.get('t')),
      nowSeconds(),
    );
    if (verdict !== 'ok') {
      const message = verdict === 'expired' ? 'Request has expired' : 'Access Denied.';
      return sendCosError(response, 403, 'AccessDenied', message, url.pathname);
    }
    const file = store.get(target);
    if (!file) return sendCosError(response, 404, 'NoSuchKey', 'The specified key does not exist.', url.pathname);
    const bytes = await store.read(file);
    response.writeHead(200, {
      'content-type': file.contentType,
      'content-length': bytes.length,
      etag: file.etag,
      'last-modified': new Date(file.uploadedAt).toUTCString(),
    });
    response.end(bytes);
  }

  /**
   * The preview's wx.cloud.uploadFile. Send the bytes without a Content-Type (or text/plain) so a
   * cross-origin page needs no CORS preflight; the type follows the extension unless one is given.
   */
  async function uploadFromClient(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const fail = (status: number, errCode: number, reason: string): void =>
      sendJson(response, status, { errCode, errMsg: `cloud.uploadFile:fail ${reason}` });
    const cloudPath = url.searchParams.get('cloudPath') ?? '';
    const problem = cloudPathProblem(cloudPath);
    const writer = clientWriter(request);
    const refuse = (refusal: Refusal): void => {
      request.resume();
      fail(refusal.status, refusal.errCode, refusal.reason);
    };
    if (problem) return refuse({ status: 400, errCode: -501007, reason: problem });
    if (!writer) return refuse(noCaller());
    // Refused before the body is read; the creator is checked again when the file is stored (a racing upload).
    const existing = store.get(cloudPath);
    const refusal = clientAccess('write', { openid: writer.openid }, { openid: existing?.openid ?? writer.openid, path: cloudPath });
    if (refusal) return refuse({ status: 403, errCode: EXCEED_AUTHORITY_ERRCODE, reason: refusal.message });
    let bytes: Buffer;
    try {
      bytes = await readBody(request, maxUploadBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return fail(413, -501007, error.message);
      throw error;
    }
    let file: StoredFile;
    try {
      // A custom rule may let a user replace another's file: stored as an admin write then.
      const as = existing && !mayWrite(existing, writer) ? ADMIN : writer;
      file = await store.put(cloudPath, bytes, clientContentType(request, cloudPath), now(), as);
    } catch (error) {
      if (!(error instanceof StorageAccessDenied)) throw error;
      const { status, errCode, reason } = denied(cloudPath);
      return fail(status, errCode, reason);
    }
    sendJson(response, 200, { fileID: fileIdFor(env, file.cloudPath), statusCode: 200, errMsg: 'cloud.uploadFile:ok' });
  }

  /** The preview's wx.cloud.deleteFile: the caller's own files only. */
  async function deleteFromClient(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const fail = (status: number, errCode: number, reason: string): void =>
      sendJson(response, status, { errCode, errMsg: `cloud.deleteFile:fail ${reason}` });
    const writer = clientWriter(request);
    if (!writer) {
      request.resume();
      const { status, errCode, reason } = noCaller();
      return fail(status, errCode, reason);
    }
    let list: unknown[];
    try {
      const body: unknown = JSON.parse((await readBody(request, MAX_DELETE_BODY_BYTES)).toString('utf8'));
      list = batch(typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['fileid_list'] : undefined, 'fileid_list');
    } catch (error) {
      if (error instanceof BodyRefusedError) throw error;
      return fail(
        400,
        -501007,
        error instanceof ServiceError || error instanceof BodyTooLargeError ? error.message : 'the body is not JSON',
      );
    }
    sendJson(response, 200, { delete_list: await deleteAll(list, writer) });
  }

  /** The preview's wx.cloud.getTempFileURL / downloadFile: `{ file_list }` as the caller, each file checked for reading. */
  async function tempUrlsForClient(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const openid = header(request, 'x-wx-openid') ?? '';
    let list: unknown[];
    try {
      const body: unknown = JSON.parse((await readBody(request, MAX_DELETE_BODY_BYTES)).toString('utf8'));
      list = batch(typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['file_list'] : undefined, 'file_list');
    } catch (error) {
      if (error instanceof BodyRefusedError) throw error;
      const message = error instanceof ServiceError || error instanceof BodyTooLargeError ? error.message : 'the body is not JSON';
      return sendJson(response, 400, { errCode: -501007, errMsg: `cloud.getTempFileURL:fail ${message}` });
    }
    sendJson(response, 200, { download_list: downloadUrls(list, { client: openid === '' ? null : { openid } }) });
  }

  /** The cloud path of `/storage/<kind>/<bucket>/<path>`, or null for another bucket / a bad path. */
  function objectPath(url: URL, prefix: string): string | null {
    const rest = url.pathname.slice(prefix.length);
    if (!rest.startsWith(`${bucket}/`)) return null;
    try {
      const cloudPath = decodeURIComponent(rest.slice(bucket.length + 1));
      return cloudPathProblem(cloudPath) ? null : cloudPath;
    } catch {
      return null;
    }
  }

  const routes: HttpRoute[] = [
    { method: 'PUT', path: COS_PREFIX, handle: putFromSdk },
    { method: 'POST', path: COS_PREFIX, handle: postFromSdk },
    { method: 'GET', path: FILES_PREFIX, handle: getTempFile },
    { method: 'POST', path: CLIENT_UPLOAD_PATH, handle: uploadFromClient },
    { method: 'POST', path: CLIENT_DELETE_PATH, handle: deleteFromClient },
    { method: 'POST', path: CLIENT_TEMP_URL_PATH, handle: tempUrlsForClient },
  ];

  return {
    name: 'storage',
    actions: {
      'storage.getUploadMetadata': getUploadMetadata,
      'storage.batchGetDownloadUrl': batchGetDownloadUrl,
      'storage.batchDeleteFile': batchDeleteFile,
    },
    routes,
    fileIdFor: (cloudPath) => fileIdFor(env, cloudPath),
    list: () =>
      store.list().map((file) => ({
        fileID: fileIdFor(env, file.cloudPath),
        cloudPath: file.cloudPath,
        size: file.size,
        contentType: file.contentType,
        uploadedAt: file.uploadedAt,
        openid: file.openid,
      })),
    read: async (fileID) => {
      const found = lookup(fileID);
      return found.ok ? store.read(found.file) : null;
    },
    write: async (cloudPath, bytes, contentType, writeOptions) => {
      const problem = cloudPathProblem(cloudPath);
      if (problem) throw new Error(`storage.write: ${problem}`);
      const writer: Writer = writeOptions?.openid ? { admin: false, openid: writeOptions.openid } : ADMIN;
      await store.put(cloudPath, bytes, contentType ?? contentTypeFor(cloudPath), now(), writer);
      return fileIdFor(env, cloudPath);
    },
    async checkpoint() {
      const saved = await Promise.all(store.list().map(async (file) => ({ file, bytes: await store.read(file) })));
      const byPath = new Map(saved.map((entry) => [entry.file.cloudPath, entry]));
      return {
        async restore() {
          for (const file of store.list()) {
            if (byPath.get(file.cloudPath)?.file.blob !== file.blob) await store.delete(file.cloudPath, ADMIN);
          }
          for (const entry of saved) {
            const { file, bytes } = entry;
            if (store.get(file.cloudPath)) continue;
            const writer: Writer = file.openid ? { admin: false, openid: file.openid } : ADMIN;
            // The same file under a new blob name: the next restore keeps it.
            entry.file = await store.put(file.cloudPath, bytes, file.contentType, file.uploadedAt, writer);
          }
        },
      };
    },
    close: () => store.close(),
  };
}

/** The mini-program user a page's request comes from (x-wx-openid), or null when it names none. */
function clientWriter(request: IncomingMessage): { admin: false; openid: string } | null {
  const openid = header(request, 'x-wx-openid') ?? '';
  return openid === '' ? null : { admin: false, openid };
}

interface Refusal {
  status: number;
  errCode: number;
  reason: string;
}

function noCaller(): Refusal {
  return {
    status: 401,
    errCode: EXCEED_AUTHORITY_ERRCODE,
    reason: 'STORAGE_EXCEED_AUTHORITY: a mini-program request names its user in x-wx-openid',
  };
}

function denied(cloudPath: string): Refusal {
  return {
    status: 403,
    errCode: EXCEED_AUTHORITY_ERRCODE,
    reason: `STORAGE_EXCEED_AUTHORITY: only the creator of ${cloudPath} or an admin may overwrite or delete it`,
  };
}

function missing(fileID: string): Lookup & { ok: false } {
  return { ok: false, code: 'STORAGE_FILE_NONEXIST', message: `file not exist: ${fileID}` };
}

function batch(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ServiceError('INVALID_PARAM', `${field} must be a non-empty array`);
  }
  if (value.length > MAX_FILES_PER_BATCH) {
    throw new ServiceError('INVALID_PARAM', `${field} holds more than ${MAX_FILES_PER_BATCH} files`);
  }
  return value;
}

function positiveInteger(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : null;
}

function clientContentType(request: IncomingMessage, cloudPath: string): string {
  const given = header(request, 'content-type') ?? '';
  const mediaType = given.split(';')[0]?.trim().toLowerCase() ?? '';
  const generic = mediaType === '' || mediaType === DEFAULT_CONTENT_TYPE || mediaType === 'text/plain';
  return generic ? contentTypeFor(cloudPath) : given;
}
