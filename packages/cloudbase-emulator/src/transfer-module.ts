/**
 * Export / import of one collection as JSON lines (canonical EJSON), for seeding and inspecting
 * data by hand, as an emulator module:
 *
 *   GET  /api/collections/<name>/export   the collection, as a download (<name>.jsonl)
 *   POST /api/collections/<name>/import   JSON lines in; upserts by _id, creates the collection
 *
 * Other paths under /api/collections/ are the status module's (its routes come after these).
 */
import type { EmulatorModule, HttpRoute } from './core/module';
import type { DatabaseModule } from './database';
import { collectionNameProblem } from './database/collection-name';
import { ServiceError } from './core/module';
import { BodyRefusedError, BodyTooLargeError, readBody, send, sendJson } from './http';
import { safeDecode } from './http-paths';

/** A collection imported over HTTP (JSON lines). */
const IMPORT_LIMIT_BYTES = 64 * 1024 * 1024;

export function createTransferModule(database: DatabaseModule): EmulatorModule {
  const transfer: HttpRoute['handle'] = async (request, response, requestUrl) => {
    const match = /^\/api\/collections\/([^/]+)\/(export|import)$/.exec(requestUrl.pathname);
    const name = match ? safeDecode(match[1] ?? '') : null;
    if (!match || name === null) return false;
    const problem = collectionNameProblem(name);
    if (problem !== null) {
      sendJson(response, 400, { code: 'INVALID_PARAM', message: `invalid collection name: ${problem}` });
      return true;
    }
    if (match[2] === 'export' && request.method === 'GET') {
      if (!database.listCollections().includes(name)) {
        sendJson(response, 404, { code: 'DATABASE_COLLECTION_NOT_EXIST', message: 'no such collection' });
      } else {
        response.setHeader('content-disposition', `attachment; filename="${encodeURIComponent(name)}.jsonl"`);
        send(response, 200, 'application/x-ndjson; charset=utf-8', database.exportCollection(name));
      }
      return true;
    }
    if (match[2] === 'import' && request.method === 'POST') {
      try {
        const body = (await readBody(request, IMPORT_LIMIT_BYTES)).toString('utf8');
        sendJson(response, 200, { collection: name, imported: await database.importCollection(name, body) });
      } catch (error) {
        sendJson(response, ...importFailure(error));
      }
      return true;
    }
    return false;
  };

  return {
    name: 'transfer',
    routes: [
      { method: 'GET', path: '/api/collections/', handle: transfer },
      { method: 'POST', path: '/api/collections/', handle: transfer },
    ],
  };
}

/**
 * What a failed import answers: the reason (a bad line says its number and why) and never a stack
 * or a server path — the answer goes to whoever posted the file. Anything unexpected is logged here
 * in full and answered with a fixed message.
 */
function importFailure(error: unknown): [number, { code: string; message: string }] {
  if (error instanceof ServiceError) return [400, { code: error.code, message: error.message }];
  if (error instanceof BodyRefusedError) return [error.status, { code: error.code, message: error.message }];
  if (error instanceof BodyTooLargeError) return [413, { code: 'INVALID_PARAM', message: error.message }];
  process.stderr.write(`[emulator] import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return [500, { code: 'SYS_ERR', message: 'the import failed inside the emulator; see its log' }];
}
