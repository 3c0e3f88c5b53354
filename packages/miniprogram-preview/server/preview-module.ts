/**
 * Serves the browser preview from the emulator's own HTTP server, at /preview/.
 *
 * Why a route of the emulator rather than a port of its own: the page and the emulator share one
 * origin, so the wx shim calls `/callFunction/<name>`, `/storage/upload`, `/storage/delete` and `/admin` with relative
 * URLs (no CORS, no second address to configure or print), avatars from storage load from the same
 * host, and `npm start` still prints one URL per thing a person opens.
 *
 * The bundle is built when the module is created and rebuilt when a source changed and the page
 * is requested again: edit a page, reload the browser. A failed build answers an error page
 * naming the file and line, and the emulator keeps running.
 *
 * The host page is never cached (asking for it is what checks the sources). The files it loads
 * are revalidated on every load (`no-cache` with an ETag of their content): the browser always
 * runs the latest build, and while a build is unchanged it answers 304 and Chromium reuses the
 * bundle and its compiled code (V8's code cache lives beside the cached response) instead of
 * parsing ~1 MB of script again on each reload.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { EmulatorModule, HttpRoute } from '@wx-cloud-login/cloudbase-emulator';
import { cachedBuildPreview } from '../build/build-cache';
import { buildPreview, type BuildPreviewOptions, defaultMiniprogramRoot, type PreviewBuildResult } from '../build/build-preview';
import { FILES_PATH } from '../shared/bundle';

export const PREVIEW_PATH = '/preview/';

export interface PreviewModuleOptions extends BuildPreviewOptions {
  /** Where build problems are reported (npm start: stderr). */
  log?: (line: string) => void;
  /**
   * A folder of kept builds (build/build-cache.ts) shared with other modules serving the same pages,
   * the browser tests of one run: a build whose sources did not change is served from there
   * instead of being made again. `outDir` is not used then.
   */
  buildCache?: string;
}

export interface PreviewModule extends EmulatorModule {
  name: 'preview';
  /** Builds now if a source changed since the last build (or none succeeded yet). */
  refresh(): Promise<PreviewBuildResult>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] ?? char);
}

export function renderBuildErrorPage(errors: string[]): string {
  const items = errors.map((error) => `<li><pre>${escapeHtml(error)}</pre></li>`).join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>预览构建失败 / Preview build failed</title>
<style>body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:32px;color:#1f2329}pre{white-space:pre-wrap;background:#fff1f0;padding:12px;border-radius:6px;color:#a8071a}</style>
</head><body>
<h1>小程序预览构建失败 / The preview could not be built</h1>
<p>修改下面的问题后刷新本页即可，模拟器仍在运行。 / Fix the problems below and reload this page; the emulator keeps running.</p>
<ol>
${items}
</ol>
</body></html>
`;
}

/** Modification time and size of each file ('' when it is gone): what tells a source changed. */
async function fingerprints(files: string[], changedSince = Infinity): Promise<Map<string, string>> {
  const prints = new Map<string, string>();
  await Promise.all(
    files.map(async (file) => {
      try {
        const info = await stat(file);
        // Changed while the build ran: the build may have read the old text, so never match.
        prints.set(file, info.mtimeMs >= changedSince ? 'changed-during-build' : `${info.mtimeMs}:${info.size}`);
      } catch {
        prints.set(file, '');
      }
    }),
  );
  return prints;
}

export async function createPreviewModule(options: PreviewModuleOptions = {}): Promise<PreviewModule> {
  let last: { result: PreviewBuildResult; prints: Map<string, string> } | null = null;
  /** The ETag of each file of a build, by build: a build's files never change once it is served. */
  const etags = new WeakMap<PreviewBuildResult, Map<string, string>>();
  let building: Promise<PreviewBuildResult> | null = null;

  async function isStale(): Promise<boolean> {
    if (!last?.result.ok) return true;
    const now = await fingerprints([...last.prints.keys()]);
    return [...now].some(([file, print]) => last?.prints.get(file) !== print);
  }

  async function rebuild(): Promise<PreviewBuildResult> {
    const started = Date.now();
    const result = options.buildCache
      ? await cachedBuildPreview({ ...options, cacheDir: options.buildCache })
      : await buildPreview(options);
    last = { result, prints: await fingerprints(result.inputs, started) };
    if (!result.ok) options.log?.(`预览构建失败 / Preview build failed:\n  ${result.errors.join('\n  ')}\n`);
    else if (result.unsupported.length > 0)
      options.log?.(`预览不支持、页面上不显示的内容 / Not rendered by the preview:\n  ${result.unsupported.join('\n  ')}\n`);
    return result;
  }

  function refresh(): Promise<PreviewBuildResult> {
    building ??= (async () => {
      try {
        return (await isStale()) || !last ? await rebuild() : last.result;
      } finally {
        building = null;
      }
    })();
    return building;
  }

  /** '/images/a.png' of the mini-program (an absolute path in WXML or data), read from its root. */
  async function serveMiniprogramFile(response: ServerResponse, relative: string): Promise<void> {
    const root = path.resolve(options.miniprogramRoot ?? defaultMiniprogramRoot());
    const file = path.resolve(root, relative);
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
    const inside = file.startsWith(`${root}${path.sep}`);
    let body: Buffer | null = null;
    if (inside && type?.startsWith('image/')) body = await readFile(file).catch(() => null);
    if (!body || !type) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`no image of the mini-program at /${relative}\n`);
      return;
    }
    response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
    response.end(body);
  }

  async function serve(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    request.resume();
    const name = url.pathname.slice(PREVIEW_PATH.length) || 'index.html';
    if (name.startsWith(FILES_PATH)) {
      await serveMiniprogramFile(response, decodeURIComponent(name.slice(FILES_PATH.length)));
      return;
    }
    const result = name === 'index.html' ? await refresh() : (last?.result ?? (await refresh()));
    if (!result.ok) {
      const html = renderBuildErrorPage(result.errors);
      response.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(html);
      return;
    }
    if (!result.files.includes(name)) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`not part of the preview: ${name}\n`);
      return;
    }
    const known = etags.get(result)?.get(name);
    if (name !== 'index.html' && known !== undefined && request.headers['if-none-match'] === known) {
      response.writeHead(304, { etag: known, 'cache-control': 'no-cache' });
      response.end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(path.join(result.outDir, name));
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`not built: ${name}\n`);
      return;
    }
    const type = CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';
    if (name === 'index.html') {
      response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
      response.end(body);
      return;
    }
    const etag = known ?? `"${createHash('sha256').update(body).digest('base64url')}"`;
    if (!etags.has(result)) etags.set(result, new Map());
    etags.get(result)?.set(name, etag);
    // A development server: always the latest build, revalidated on each load.
    response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache', etag });
    response.end(body);
  }

  const routes: HttpRoute[] = [
    {
      method: 'GET',
      path: '/preview',
      async handle(request, response, url) {
        request.resume();
        response.writeHead(302, { location: `${PREVIEW_PATH}${url.search}` });
        response.end();
      },
    },
    { method: 'GET', path: PREVIEW_PATH, handle: serve },
  ];

  await refresh();
  return { name: 'preview', routes, refresh, statusLink: { href: PREVIEW_PATH, label: '小程序预览 Mini-program preview' } };
}
