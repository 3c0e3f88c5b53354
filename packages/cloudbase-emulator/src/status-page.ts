/**
 * The emulator's status page (`GET /`): what is in the local database, readable in a browser.
 * Pure rendering; every value from the database is HTML-escaped.
 */

export interface StatusSnapshot {
  env: string;
  url: string;
  /** Where data persists, or null for an in-memory emulator. */
  dataDir: string | null;
  functions: string[];
  collections: { name: string; count: number }[];
  /** Pages served beside the emulator (the browser preview). */
  links?: { href: string; label: string }[];
}

export interface CollectionView {
  name: string;
  documents: Record<string, unknown>[];
}

/** Documents shown per collection page; the JSON API has them all. */
export const DOCUMENTS_PER_PAGE = 200;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON for people: Dates as ISO strings, bigints as strings, indented. */
export function displayJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2);
}

export function collectionPath(name: string): string {
  return `/collections/${encodeURIComponent(name)}`;
}

const STYLE = `
  body { font: 14px/1.5 -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
  h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
  .en { color: #888; font-weight: normal; }
  table { border-collapse: collapse; } td, th { padding: .3em .8em; border-bottom: 1px solid #eee; text-align: left; }
  pre { background: #f6f8fa; padding: .8em; overflow: auto; border-radius: 4px; }
  a { color: #07c160; } code { background: #f6f8fa; padding: 0 .3em; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body>
</html>
`;
}

export function renderStatusPage(snapshot: StatusSnapshot): string {
  const collections =
    snapshot.collections.length === 0
      ? '<p>还没有集合。<span class="en">No collections yet.</span></p>'
      : `<table><tr><th>集合 <span class="en">Collection</span></th><th>文档数 <span class="en">Documents</span></th></tr>
${snapshot.collections
  .map(({ name, count }) => `<tr><td><a href="${escapeHtml(collectionPath(name))}">${escapeHtml(name)}</a></td><td>${count}</td></tr>`)
  .join('\n')}
</table>`;
  const functions =
    snapshot.functions.length === 0
      ? '<p>没有已构建的云函数（先运行 <code>npm run build</code>）。<span class="en">No built functions.</span></p>'
      : `<ul>${snapshot.functions.map((name) => `<li><code>${escapeHtml(name)}</code></li>`).join('')}</ul>`;
  const storage = snapshot.dataDir
    ? `数据目录 <span class="en">Data folder</span>: <code>${escapeHtml(snapshot.dataDir)}</code>`
    : '数据仅在内存中 <span class="en">In memory only</span>';

  return page(
    '本地云开发模拟器',
    `<h1>本地云开发模拟器 <span class="en">Local CloudBase emulator</span></h1>
<p>环境 <span class="en">Env</span>: <code>${escapeHtml(snapshot.env)}</code> · ${storage}</p>
<p>地址 <span class="en">Service URL</span>: <code>${escapeHtml(snapshot.url)}/admin</code></p>
${(snapshot.links ?? []).map(({ href, label }) => `<p><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></p>`).join('\n')}
<h2>数据库集合 <span class="en">Collections</span></h2>
${collections}
<h2>云函数 <span class="en">Functions</span></h2>
${functions}
<p><a href="/api/collections">JSON</a></p>`,
  );
}

export function renderCollectionPage(view: CollectionView): string {
  const shown = view.documents.slice(0, DOCUMENTS_PER_PAGE);
  const more =
    view.documents.length > shown.length
      ? `<p>仅显示前 ${shown.length} 条，共 ${view.documents.length} 条。<span class="en">Showing the first ${shown.length} of ${view.documents.length}.</span></p>`
      : '';
  const documents =
    shown.length === 0
      ? '<p>这个集合没有文档。<span class="en">No documents.</span></p>'
      : shown.map((document) => `<pre>${escapeHtml(displayJson(document))}</pre>`).join('\n');
  return page(
    `集合 ${view.name}`,
    `<p><a href="/">← 返回 <span class="en">Back</span></a></p>
<h1>集合 <code>${escapeHtml(view.name)}</code> <span class="en">Collection</span></h1>
<p>${view.documents.length} 个文档 <span class="en">documents</span> · <a href="/api${escapeHtml(collectionPath(view.name))}">JSON</a> · <a href="/api${escapeHtml(collectionPath(view.name))}/export">导出 JSON Lines <span class="en">Export</span></a></p>
${more}
${documents}`,
  );
}

export function renderNotFoundPage(what: string): string {
  return page(
    '未找到',
    `<h1>未找到 <span class="en">Not found</span></h1><p>${escapeHtml(what)}</p><p><a href="/">← 返回 <span class="en">Back</span></a></p>`,
  );
}
