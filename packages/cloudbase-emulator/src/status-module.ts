/**
 * The status page and its JSON twin, as an emulator module:
 *
 *   GET /                        collections, functions, links to the modules' pages (statusLink)
 *   GET /collections/<name>      one collection's documents (HTML)
 *   GET /api/health              { ok, env, url, dataDir, pid }: what `npm run invoke` probes
 *   GET /api/collections         the collections with their counts (/api/collections/<name>: documents)
 *
 * GET and HEAD only. It learns the emulator's URL when the emulator starts it (start()), and lists
 * the links of whatever modules the emulator was given.
 */
import type { EmulatorHost, EmulatorModule, HttpRoute } from './core/module';
import type { DatabaseModule } from './database';
import { send, sendJson } from './http';
import { safeDecode } from './http-paths';
import { renderCollectionPage, renderNotFoundPage, renderStatusPage } from './status-page';

export interface StatusModuleOptions {
  database: DatabaseModule;
  functions: () => string[];
  links: () => { href: string; label: string }[];
}

export function createStatusModule(options: StatusModuleOptions): EmulatorModule {
  const { database } = options;
  let host: EmulatorHost = { url: '', env: '', dataDir: null };

  const collections = (): { name: string; count: number }[] =>
    database.listCollections().map((name) => ({ name, count: database.count(name) }));

  /** Answers its own paths; `false` lets the emulator answer 404. */
  const handle: HttpRoute['handle'] = async (_request, response, requestUrl) => {
    const { pathname } = requestUrl;
    const { env, url, dataDir } = host;
    const collectionNamed = (prefix: string): string | null => {
      const name = safeDecode(pathname.slice(prefix.length));
      return name !== null && database.listCollections().includes(name) ? name : null;
    };

    if (pathname === '/') {
      const html = renderStatusPage({
        env,
        url,
        dataDir,
        functions: options.functions(),
        collections: collections(),
        links: options.links(),
      });
      send(response, 200, 'text/html; charset=utf-8', html);
    } else if (pathname === '/api/health') {
      sendJson(response, 200, { ok: true, env, url, dataDir, pid: process.pid });
    } else if (pathname === '/api/collections') {
      sendJson(response, 200, { env, collections: collections() });
    } else if (pathname.startsWith('/api/collections/')) {
      const name = collectionNamed('/api/collections/');
      if (name === null) sendJson(response, 404, { code: 'DATABASE_COLLECTION_NOT_EXIST', message: 'no such collection' });
      else sendJson(response, 200, { name, documents: database.documents(name) });
    } else if (pathname.startsWith('/collections/')) {
      const name = collectionNamed('/collections/');
      if (name === null)
        send(
          response,
          404,
          'text/html; charset=utf-8',
          renderNotFoundPage(`集合不存在 / No such collection: ${safeDecode(pathname.slice('/collections/'.length)) ?? ''}`),
        );
      else send(response, 200, 'text/html; charset=utf-8', renderCollectionPage({ name, documents: database.documents(name) }));
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
    ],
    start(started) {
      host = started;
    },
  };
}
