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
 * For pages: POST /storage/upload?cloudPath=<path> with the raw bytes answers
 * `{ fileID, statusCode: 200, errMsg: 'cloud.uploadFile:ok' }`, the success shape of wx.cloud.uploadFile.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ServiceError, type AdminReply, type AdminRequest, type EmulatorModule, type HttpRoute } from '../core/module';
import { contentTypeFor, DEFAULT_CONTENT_TYPE } from './content-type';
import { bucketFor, cloudPathProblem, fileIdFor, parseFileId } from './file-id';
import { createMemoryFileStore, openDiskFileStore, type FileStore, type StoredFile } from './file-store';
import { BodyTooLargeError, header, readBody, sendJson } from '../http';
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
}

export interface StoredFileInfo {
  fileID: string;
  cloudPath: string;
  size: number;
  contentType: string;
  /** Milliseconds since the epoch. */
  uploadedAt: number;
}

export interface StorageModule extends EmulatorModule {
  name: 'storage';
  fileIdFor(cloudPath: string): string;
  /** Stored files, for the status page and tests. */
  list(): StoredFileInfo[];
  /** The bytes of a file, or null when there is none. */
  read(fileID: string): Promise<Buffer | null>;
  /** Stores bytes directly (seeding, tests); returns the fileID. */
  write(cloudPath: string, bytes: Buffer, contentType?: string): Promise<string>;
  close(): Promise<void>;
}

/** CloudBase: at most 50 files per getTempFileURL / deleteFile call. */
export const MAX_FILES_PER_BATCH = 50;
/** Temporary URLs without max_age live one day, the documented default. */
export const DEFAULT_TEMP_URL_MAX_AGE_SECONDS = 24 * 60 * 60;
/** How long the authorization from getUploadMetadata stays valid. */
export const UPLOAD_AUTHORIZATION_SECONDS = 15 * 60;
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Per-file answer codes of the batch actions, as CloudBase names them. */
type FileCode = 'SUCCESS' | 'STORAGE_FILE_NONEXIST' | 'INVALID_PARAM';
type Lookup = { ok: true; file: StoredFile } | { ok: false; code: Exclude<FileCode, 'SUCCESS'>; message: string };

const COS_PREFIX = '/storage/cos/';
const FILES_PREFIX = '/storage/files/';
const CLIENT_UPLOAD_PATH = '/storage/upload';

export function createStorage(options: StorageOptions): StorageModule {
  const { env } = options;
  const now = options.now ?? Date.now;
  const nowSeconds = (): number => Math.floor(now() / 1000);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
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
    const list = batch(request.body['file_list'], 'file_list');
    const downloadList = list.map((item) => {
      const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
      const fileID = typeof entry['fileid'] === 'string' ? entry['fileid'] : '';
      const maxAge = positiveInteger(entry['max_age']) ?? DEFAULT_TEMP_URL_MAX_AGE_SECONDS;
      const found = lookup(fileID);
      if (!found.ok) return { fileID, tempFileURL: '', code: found.code, message: found.message };
      const code: FileCode = 'SUCCESS';
      return { fileID, tempFileURL: tempFileUrl(found.file.cloudPath, maxAge), code, maxAge };
    });
    return { kind: 'json', data: { download_list: downloadList } };
  }

  async function batchDeleteFile(request: AdminRequest): Promise<AdminReply> {
    const list = batch(request.body['fileid_list'], 'fileid_list');
    const deleteList: { fileID: string; code: FileCode; message?: string }[] = [];
    for (const item of list) {
      const fileID = typeof item === 'string' ? item : '';
      const found = lookup(fileID);
      if (found.ok && (await store.delete(found.file.cloudPath))) {
        deleteList.push({ fileID, code: 'SUCCESS' });
      } else {
        const failure = found.ok ? missing(fileID) : found;
        deleteList.push({ fileID, code: failure.code, message: failure.message });
      }
    }
    return { kind: 'json', data: { delete_list: deleteList } };
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
    const file = await store.put(target, bytes, contentTypeFor(target), now());
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
    const stored = await store.put(target, file, contentTypeFor(target), now());
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
    if (problem) {
      request.resume();
      return fail(400, -501007, problem);
    }
    let bytes: Buffer;
    try {
      bytes = await readBody(request, maxUploadBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return fail(413, -501007, error.message);
      throw error;
    }
    const file = await store.put(cloudPath, bytes, clientContentType(request, cloudPath), now());
    sendJson(response, 200, { fileID: fileIdFor(env, file.cloudPath), statusCode: 200, errMsg: 'cloud.uploadFile:ok' });
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
      })),
    read: async (fileID) => {
      const found = lookup(fileID);
      return found.ok ? store.read(found.file) : null;
    },
    write: async (cloudPath, bytes, contentType) => {
      const problem = cloudPathProblem(cloudPath);
      if (problem) throw new Error(`storage.write: ${problem}`);
      await store.put(cloudPath, bytes, contentType ?? contentTypeFor(cloudPath), now());
      return fileIdFor(env, cloudPath);
    },
    close: () => store.close(),
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
