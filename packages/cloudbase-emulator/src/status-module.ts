/**
 * The status page and its JSON API, as an emulator module: a small UI to look at and change what
 * is in the local emulator (status-page.ts renders it).
 *
 *   GET  /                                   collections, storage, functions, the live log
 *   GET  /collections/<name>                 one collection's documents, to edit, delete, clear, import
 *   GET  /api/health                         { ok, env, url, dataDir, pid }: what `npm run invoke` probes
 *   GET  /api/collections                    the collections with their counts
 *   GET  /api/collections/<name>             { name, documents } (relaxed Extended JSON)
 *   POST /api/collections                    { name }: creates a collection
 *   POST /api/collections/<name>/documents   one document (relaxed EJSON): upserts it by _id
 *   POST /api/collections/<name>/delete      { _id }: deletes that document
 *   POST /api/collections/<name>/clear       deletes every document, keeps the collection
 *   GET  /api/storage                        { files: [{ fileID, cloudPath, size, contentType, uploadedAt }] }
 *   GET  /api/storage/download?cloudPath=    the file's bytes
 *   POST /api/storage/upload?cloudPath=      the raw bytes: stores (replaces) the file
 *   POST /api/storage/delete?cloudPath=      deletes the file
 *   GET  /api/log?after=N                    { entries }: calls and function output after entry N
 *
 * Writes go through the same paths as the SDK's (the database's own admin actions, the storage
 * module), so the durable log and every rule apply to them. Like /admin, they are refused to pages
 * not served from this machine (the server's Origin and Host checks); every answer is JSON without
 * stacks or server paths.
 */
import { EJSON } from 'bson';
import type { ActivityLog } from './activity-log';
import { type EmulatorHost, type EmulatorModule, type HttpRoute, ServiceError } from './core/module';
import type { DatabaseModule } from './database';
import { type EmulatorClock, formatOffset } from './emulator-clock';
import { collectionNameProblem } from './database/collection-name';
import { BodyRefusedError, BodyTooLargeError, readBody, send, sendJson } from './http';
import { safeDecode } from './http-paths';
import { jsonDeeperThan, tooDeepMessage } from './json-depth';
import { renderCollectionPage, renderNotFoundPage, renderStatusPage } from './status-page';
import type { StorageModule } from './storage';
import { cloudPathProblem } from './storage/file-id';

export interface StatusModuleOptions {
  database: DatabaseModule;
  storage: StorageModule;
  activity: ActivityLog;
  functions: () => string[];
  links: () => { href: string; label: string }[];
  /** Shown on the page while it is moved. */
  clock?: EmulatorClock;
}

const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Plain values to relaxed Extended JSON objects: what the page shows and edits (dates as { $date }). */
export function toRelaxedEjson(documents: Record<string, unknown>[]): unknown[] {
  return documents.map((document) => EJSON.serialize(document, { relaxed: true }));
}

class RequestProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createStatusModule(options: StatusModuleOptions): EmulatorModule {
  const { database, storage, activity } = options;
  let host: EmulatorHost = { url: '', env: '', dataDir: null };

  const collections = (): { name: string; count: number }[] =>
    database.listCollections().map((name) => ({ name, count: database.count(name) }));

  const existing = (name: string | null): string => {
    if (name === null || !database.listCollections().includes(name))
      throw new RequestProblem(404, 'DATABASE_COLLECTION_NOT_EXIST', `集合不存在 / No such collection: ${name ?? ''}`);
    return name;
  };

  const cloudPathOf = (url: URL): string => {
    const cloudPath = url.searchParams.get('cloudPath') ?? '';
    const problem = cloudPathProblem(cloudPath);
    if (problem) throw new RequestProblem(400, 'INVALID_PARAM', problem);
    return cloudPath;
  };

  async function jsonBody(request: Parameters<HttpRoute['handle']>[0]): Promise<{ text: string; value: Record<string, unknown> }> {
    const text = (await readBody(request, MAX_DOCUMENT_BYTES)).toString('utf8');
    if (jsonDeeperThan(text)) throw new RequestProblem(400, 'INVALID_PARAM', tooDeepMessage('the document'));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new RequestProblem(
        400,
        'INVALID_PARAM',
        `不是合法的 JSON / not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new RequestProblem(400, 'INVALID_PARAM', '需要一个 JSON 对象 / a JSON object is required');
    return { text, value: value as Record<string, unknown> };
  }

  /** Runs one of the database's own admin actions, as the SDK would send it. */
  async function databaseAction(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const handler = database.actions?.[action];
    if (!handler) throw new Error(`the database has no ${action}`);
    const reply = await handler({ action, body, files: {}, env: host.env, invocationId: '' });
    return reply.kind === 'json' && typeof reply.data === 'object' && reply.data !== null ? (reply.data as Record<string, unknown>) : {};
  }

  async function removeWhere(collection: string, query: Record<string, unknown>, multi: boolean): Promise<number> {
    const data = await databaseAction('database.removeDocument', {
      collectionName: collection,
      query: EJSON.stringify(query, { relaxed: false }),
      multi,
    });
    return Number(data['deleted'] ?? 0);
  }

  async function api(
    request: Parameters<HttpRoute['handle']>[0],
    response: Parameters<HttpRoute['handle']>[1],
    url: URL,
  ): Promise<boolean> {
    const { pathname } = url;
    // HEAD answers as GET does (Node sends no body for it).
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const collectionMatch = /^\/api\/collections\/([^/]+)(?:\/(documents|delete|clear))?$/.exec(pathname);

    if (method === 'GET' && pathname === '/api/health') {
      sendJson(response, 200, { ok: true, env: host.env, url: host.url, dataDir: host.dataDir, pid: process.pid });
    } else if (method === 'GET' && pathname === '/api/collections') {
      sendJson(response, 200, { env: host.env, collections: collections() });
    } else if (method === 'POST' && pathname === '/api/collections') {
      const { value } = await jsonBody(request);
      const name = value['name'];
      const problem = collectionNameProblem(name);
      if (problem || typeof name !== 'string')
        throw new RequestProblem(400, 'INVALID_PARAM', `集合名无效 / invalid collection name: ${problem}`);
      await database.importCollection(name, '');
      sendJson(response, 200, { collection: name });
    } else if (collectionMatch) {
      const name = safeDecode(collectionMatch[1] ?? '');
      const verb = collectionMatch[2];
      if (method === 'GET' && verb === undefined) {
        const found = existing(name);
        sendJson(response, 200, { name: found, documents: toRelaxedEjson(database.documents(found)) });
      } else if (method === 'POST' && verb === 'documents') {
        const found = existing(name);
        const { value } = await jsonBody(request);
        // importCollection decodes relaxed EJSON and upserts by _id, atomically.
        await database.importCollection(found, JSON.stringify(value));
        sendJson(response, 200, { collection: found, saved: 1 });
      } else if (method === 'POST' && verb === 'delete') {
        const found = existing(name);
        const { value } = await jsonBody(request);
        if (!('_id' in value)) throw new RequestProblem(400, 'INVALID_PARAM', '缺少 _id / _id is required');
        const id = EJSON.deserialize({ _id: value['_id'] }, { relaxed: true })['_id'];
        sendJson(response, 200, { collection: found, deleted: await removeWhere(found, { _id: id }, false) });
      } else if (method === 'POST' && verb === 'clear') {
        const found = existing(name);
        request.resume();
        sendJson(response, 200, { collection: found, deleted: await removeWhere(found, {}, true) });
      } else {
        return false;
      }
    } else if (method === 'GET' && pathname === '/api/storage') {
      sendJson(response, 200, { files: storage.list() });
    } else if (method === 'GET' && pathname === '/api/storage/download') {
      const cloudPath = cloudPathOf(url);
      const file = storage.list().find((candidate) => candidate.cloudPath === cloudPath);
      const bytes = file ? await storage.read(file.fileID) : null;
      if (!file || !bytes) throw new RequestProblem(404, 'STORAGE_FILE_NONEXIST', `文件不存在 / No such file: ${cloudPath}`);
      response.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(cloudPath.split('/').pop() ?? 'file')}`);
      send(response, 200, file.contentType, bytes);
    } else if (method === 'POST' && pathname === '/api/storage/upload') {
      const cloudPath = cloudPathOf(url);
      const bytes = await readBody(request, MAX_UPLOAD_BYTES);
      const type = request.headers['content-type'];
      const contentType = type && type !== 'application/octet-stream' && !type.startsWith('text/plain') ? type : undefined;
      sendJson(response, 200, { fileID: await storage.write(cloudPath, bytes, contentType) });
    } else if (method === 'POST' && pathname === '/api/storage/delete') {
      const cloudPath = cloudPathOf(url);
      request.resume();
      const handler = storage.actions?.['storage.batchDeleteFile'];
      const fileID = storage.fileIdFor(cloudPath);
      const reply = handler
        ? await handler({ action: 'storage.batchDeleteFile', body: { fileid_list: [fileID] }, files: {}, env: host.env, invocationId: '' })
        : null;
      const list = reply?.kind === 'json' ? ((reply.data as { delete_list?: { code?: string }[] })?.delete_list ?? []) : [];
      if (list[0]?.code !== 'SUCCESS') throw new RequestProblem(404, 'STORAGE_FILE_NONEXIST', `文件不存在 / No such file: ${cloudPath}`);
      sendJson(response, 200, { deleted: cloudPath });
    } else if (method === 'GET' && pathname === '/api/log') {
      const after = Number(url.searchParams.get('after') ?? '0');
      sendJson(response, 200, { entries: activity.since(Number.isFinite(after) ? after : 0) });
    } else {
      return false;
    }
    return true;
  }

  /** Answers its own paths; `false` lets the emulator answer 404. */
  const handle: HttpRoute['handle'] = async (request, response, requestUrl) => {
    const { pathname } = requestUrl;
    if (pathname.startsWith('/api/')) {
      try {
        return await api(request, response, requestUrl);
      } catch (error) {
        if (error instanceof BodyRefusedError) throw error;
        const [status, code, message] =
          error instanceof RequestProblem
            ? [error.status, error.code, error.message]
            : error instanceof ServiceError
              ? [400, error.code, error.message]
              : error instanceof BodyTooLargeError
                ? [413, 'INVALID_PARAM', error.message]
                : [500, 'SYS_ERR', 'the request failed inside the emulator; see its log'];
        if (status === 500)
          process.stderr.write(
            `[emulator] ${request.method} ${pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
          );
        sendJson(response, status, { code, message });
        return true;
      }
    }
    if (request.method === 'POST') return false;
    if (pathname === '/') {
      const html = renderStatusPage({
        env: host.env,
        url: host.url,
        dataDir: host.dataDir,
        functions: options.functions(),
        collections: collections(),
        files: storage.list(),
        links: options.links(),
        ...(options.clock && { clock: { now: options.clock.state().now, offset: formatOffset(options.clock.offset()) } }),
      });
      send(response, 200, 'text/html; charset=utf-8', html);
    } else if (pathname.startsWith('/collections/')) {
      const raw = safeDecode(pathname.slice('/collections/'.length));
      const name = raw !== null && database.listCollections().includes(raw) ? raw : null;
      if (name === null)
        send(response, 404, 'text/html; charset=utf-8', renderNotFoundPage(`集合不存在 / No such collection: ${raw ?? ''}`));
      else {
        const page = Number(requestUrl.searchParams.get('page') ?? '1');
        send(
          response,
          200,
          'text/html; charset=utf-8',
          renderCollectionPage({ name, documents: toRelaxedEjson(database.documents(name)) as Record<string, unknown>[], page }),
        );
      }
    } else {
      return false;
    }
    return true;
  };

  // '/' is a prefix of every path: the routes come last, after every other module's.
  return {
    name: 'status',
    routes: [
      { method: 'GET', path: '/', handle },
      { method: 'HEAD', path: '/', handle },
      { method: 'POST', path: '/api/', handle },
    ],
    start(started) {
      host = started;
    },
  };
}
