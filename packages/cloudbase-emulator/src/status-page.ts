/**
 * The emulator's status pages: a small UI over the JSON API of status-module.ts. Served-side
 * rendering shows everything without JavaScript; the inline script adds the actions (create,
 * edit, delete, clear collections and documents, import JSON lines, upload and delete files) and
 * the live log of function calls, which it polls from `/api/log`.
 *
 * Every value from the database or storage is HTML-escaped; the script builds the log with
 * textContent only, never innerHTML.
 */
import type { StoredFileInfo } from './storage';

export interface StatusSnapshot {
  env: string;
  url: string;
  /** Where data persists, or null for an in-memory emulator. */
  dataDir: string | null;
  functions: string[];
  collections: { name: string; count: number }[];
  /** Stored files (the storage section). */
  files?: StoredFileInfo[];
  /** Pages served beside the emulator (the browser preview). */
  links?: { href: string; label: string }[];
  /** The emulator clock, shown when it is moved (emulator-clock.ts). */
  clock?: { now: string; offset: string };
}

export interface CollectionView {
  name: string;
  /** Relaxed Extended JSON objects (what the page shows and edits). */
  documents: Record<string, unknown>[];
  /** 1-based; DOCUMENTS_PER_PAGE documents per page. */
  page?: number;
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

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const STYLE = `
  body { font: 14px/1.5 -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 1.5em auto; max-width: 64em; padding: 0 1em; color: #222; }
  h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
  .en { color: #888; font-weight: normal; }
  table { border-collapse: collapse; width: 100%; } td, th { padding: .3em .6em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
  td.path { word-break: break-all; }
  pre { background: #f6f8fa; padding: .8em; overflow: auto; border-radius: 4px; white-space: pre-wrap; word-break: break-word; margin: .3em 0; }
  a { color: #07c160; } code { background: #f6f8fa; padding: 0 .3em; word-break: break-all; }
  button { font: inherit; padding: .2em .8em; border: 1px solid #ccc; border-radius: 4px; background: #fff; cursor: pointer; }
  button.danger { color: #c0392b; border-color: #e6b0aa; } button.primary { background: #07c160; border-color: #07c160; color: #fff; }
  textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; min-height: 8em; }
  input[type=text] { font: inherit; padding: .2em .4em; min-width: 14em; }
  .doc { border-bottom: 1px solid #eee; padding: .4em 0; } .actions { display: flex; gap: .5em; flex-wrap: wrap; align-items: center; margin: .4em 0; }
  .message { color: #c0392b; white-space: pre-wrap; } .message.ok { color: #07c160; }
  #log { max-height: 32em; overflow: auto; border: 1px solid #eee; border-radius: 4px; padding: .3em .6em; }
  #log .entry { border-bottom: 1px solid #f2f2f2; padding: .2em 0; } #log .failed > summary { color: #c0392b; }
  #log .output { font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; color: #555; margin: 0; }
  #log .output.stderr { color: #a04000; }
  #log .denial { font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; color: #b00020; margin: 0; } #log summary { cursor: pointer; }
`;

/**
 * The page's behaviour: every button carries `data-action` and its arguments as data attributes;
 * one click handler posts to the JSON API and reloads on success, or shows the error's message.
 */
const SCRIPT = `
(function () {
  var message = document.getElementById('message');
  function show(text, ok) { if (!message) return; message.textContent = text; message.className = ok ? 'message ok' : 'message'; }
  function post(url, body, type) {
    return fetch(url, { method: 'POST', body: body, headers: type ? { 'content-type': type } : {} }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) throw new Error(answer.message || ('HTTP ' + response.status));
        return answer;
      });
    });
  }
  function done() { location.reload(); }
  function fail(error) { show('失败 / Failed: ' + error.message, false); }
  function api(name) { return '/api/collections/' + encodeURIComponent(name); }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-action]');
    if (!button) return;
    var d = button.dataset;
    if (d.action === 'create-collection') {
      var name = document.getElementById('new-collection').value.trim();
      if (name) post('/api/collections', JSON.stringify({ name: name })).then(done, fail);
    } else if (d.action === 'clear') {
      if (confirm('清空集合 ' + d.collection + ' 的全部文档？ / Delete every document of ' + d.collection + '?'))
        post(api(d.collection) + '/clear').then(done, fail);
    } else if (d.action === 'edit') {
      var doc = button.closest('.doc');
      doc.querySelector('pre').hidden = true;
      doc.querySelector('.editor').hidden = false;
    } else if (d.action === 'cancel') {
      var doc2 = button.closest('.doc');
      doc2.querySelector('pre').hidden = false;
      doc2.querySelector('.editor').hidden = true;
    } else if (d.action === 'save') {
      var text = button.closest('.doc, .new-doc').querySelector('textarea').value;
      try { JSON.parse(text); } catch (error) { return show('不是合法的 JSON / Not valid JSON: ' + error.message, false); }
      post(api(d.collection) + '/documents', text, 'application/json').then(done, fail);
    } else if (d.action === 'delete') {
      if (confirm('删除这个文档？ / Delete this document?'))
        post(api(d.collection) + '/delete', JSON.stringify({ _id: JSON.parse(d.id) })).then(done, fail);
    } else if (d.action === 'import') {
      var file = document.getElementById('import-file').files[0];
      if (!file) return show('先选择一个 .jsonl 文件 / Choose a .jsonl file first', false);
      file.text().then(function (lines) { return post(api(d.collection) + '/import', lines); }).then(done, fail);
    } else if (d.action === 'upload') {
      var picked = document.getElementById('upload-file').files[0];
      if (!picked) return show('先选择一个文件 / Choose a file first', false);
      var path = document.getElementById('upload-path').value.trim() || picked.name;
      post('/api/storage/upload?cloudPath=' + encodeURIComponent(path), picked, picked.type || 'application/octet-stream').then(done, fail);
    } else if (d.action === 'delete-file') {
      if (confirm('删除文件 ' + d.path + '？ / Delete ' + d.path + '?'))
        post('/api/storage/delete?cloudPath=' + encodeURIComponent(d.path)).then(done, fail);
    } else if (d.action === 'clear-log') {
      document.getElementById('log').textContent = '';
    }
  });

  var log = document.getElementById('log');
  if (!log) return;
  var after = 0;
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function time(ms) { return new Date(ms).toLocaleTimeString('zh-CN', { hour12: false }); }
  function render(entry) {
    if (entry.kind === 'denial') return element('pre', 'entry denial', time(entry.at) + ' 权限拒绝 refused [' + entry.service + '] ' +
      entry.operation + ' ' + entry.target + ' · ' + (entry.openid || '（未登录 / not signed in）') + ' · 规则 rule: ' + entry.rule + '\\n' + entry.message);
    if (entry.kind === 'output') return element('pre', 'entry output ' + entry.stream, time(entry.at) + ' [' + entry.name + '] ' + entry.text.replace(/\\n$/, ''));
    var details = element('details', 'entry call' + (entry.error ? ' failed' : ''));
    var who = entry.caller && entry.caller.openid ? entry.caller.openid : '（无身份 / anonymous）';
    details.appendChild(element('summary', '', time(entry.at) + '  ' + entry.name + '  ' + (entry.error ? '✗ ' + entry.error.kind : '✓') +
      '  ' + entry.durationMs + ' ms · ' + entry.requests.length + ' 个请求 requests · ' + entry.roundTrips + ' 次往返 round trips · ' + who));
    details.appendChild(element('div', '', '事件 Event'));
    details.appendChild(element('pre', 'event', entry.event));
    details.appendChild(element('div', '', entry.error ? '错误 Error' : '返回 Result'));
    details.appendChild(element('pre', 'result', entry.error ? entry.error.message : entry.result));
    if (entry.requests.length > 0) {
      details.appendChild(element('div', '', '数据库与服务请求 Requests'));
      details.appendChild(element('pre', 'requests', entry.requests.map(function (r) {
        return r.action + (r.collection ? ' ' + r.collection : '') + '  ' + r.ms + ' ms' + (r.errorCode ? '  ' + r.errorCode : '');
      }).join('\\n')));
    }
    return details;
  }
  function poll() {
    fetch('/api/log?after=' + after).then(function (response) { return response.json(); }).then(function (answer) {
      var empty = document.getElementById('log-empty');
      answer.entries.forEach(function (entry) {
        after = entry.seq;
        if (empty) { empty.remove(); empty = null; }
        log.insertBefore(render(entry), log.firstChild);
      });
    }).catch(function () {}).then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
<p id="message" class="message" role="status"></p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** One line when the clock is moved; nothing while it is real time. */
function clockLine(clock: StatusSnapshot['clock']): string {
  if (!clock || clock.offset === '0') return '';
  return `<p class="clock">模拟器时钟 <span class="en">Emulator clock</span>: <code>${escapeHtml(clock.now)}</code>（偏移 <span class="en">offset</span> <code>${escapeHtml(clock.offset)}</code>，<code>npm run emulator -- clock reset</code> 恢复 <span class="en">to reset</span>）</p>\n`;
}

export function renderStatusPage(snapshot: StatusSnapshot): string {
  const collections =
    snapshot.collections.length === 0
      ? '<p>还没有集合。<span class="en">No collections yet.</span></p>'
      : `<table><tr><th>集合 <span class="en">Collection</span></th><th>文档数 <span class="en">Documents</span></th><th></th></tr>
${snapshot.collections
  .map(
    ({ name, count }) =>
      `<tr><td><a href="${escapeHtml(collectionPath(name))}">${escapeHtml(name)}</a></td><td>${count}</td><td><button class="danger" data-action="clear" data-collection="${escapeHtml(name)}">清空 <span class="en">Clear</span></button></td></tr>`,
  )
  .join('\n')}
</table>`;
  const files = snapshot.files ?? [];
  const storage =
    files.length === 0
      ? '<p>还没有文件。<span class="en">No files yet.</span></p>'
      : `<table><tr><th>路径 <span class="en">Path</span></th><th>大小 <span class="en">Size</span></th><th>类型 <span class="en">Type</span></th><th></th></tr>
${files
  .map(
    (file) =>
      `<tr><td class="path"><a href="/api/storage/download?cloudPath=${escapeHtml(encodeURIComponent(file.cloudPath))}">${escapeHtml(file.cloudPath)}</a></td><td>${formatBytes(file.size)}</td><td>${escapeHtml(file.contentType)}</td><td><button class="danger" data-action="delete-file" data-path="${escapeHtml(file.cloudPath)}">删除 <span class="en">Delete</span></button></td></tr>`,
  )
  .join('\n')}
</table>`;
  const functions =
    snapshot.functions.length === 0
      ? '<p>没有已构建的云函数（先运行 <code>npm run build</code>）。<span class="en">No built functions.</span></p>'
      : `<ul>${snapshot.functions.map((name) => `<li><code>${escapeHtml(name)}</code></li>`).join('')}</ul>`;
  const where = snapshot.dataDir
    ? `数据目录 <span class="en">Data folder</span>: <code>${escapeHtml(snapshot.dataDir)}</code>`
    : '数据仅在内存中 <span class="en">In memory only</span>';

  return page(
    '本地云开发模拟器',
    `<h1>本地云开发模拟器 <span class="en">Local CloudBase emulator</span></h1>
<p>环境 <span class="en">Env</span>: <code>${escapeHtml(snapshot.env)}</code> · ${where}</p>
<p>地址 <span class="en">Service URL</span>: <code>${escapeHtml(snapshot.url)}/admin</code></p>
${clockLine(snapshot.clock)}${(snapshot.links ?? []).map(({ href, label }) => `<p><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></p>`).join('\n')}
<h2>数据库集合 <span class="en">Collections</span></h2>
${collections}
<div class="actions"><input type="text" id="new-collection" placeholder="新集合名 / new collection" aria-label="新集合名"><button data-action="create-collection">新建集合 <span class="en">Create</span></button>
<a href="/api/collections">JSON</a> · <a href="/">刷新 <span class="en">Refresh</span></a></div>
<h2>云存储 <span class="en">Storage</span></h2>
${storage}
<div class="actions"><input type="file" id="upload-file" aria-label="选择文件"><input type="text" id="upload-path" placeholder="云端路径（默认文件名） / cloud path" aria-label="云端路径"><button data-action="upload">上传 <span class="en">Upload</span></button></div>
<h2>云函数 <span class="en">Functions</span></h2>
${functions}
<h2>调用日志 <span class="en">Live log</span></h2>
<div class="actions"><span>每次云函数调用的事件、返回、请求与往返次数，以及云函数的控制台输出（最新在上）。<span class="en">Calls with their event, answer, requests and round trips, and the functions' console output (newest first).</span></span><button data-action="clear-log">清屏 <span class="en">Clear</span></button></div>
<div id="log" aria-live="polite"><p id="log-empty">还没有调用。<span class="en">No calls yet.</span></p></div>`,
  );
}

export function renderCollectionPage(view: CollectionView): string {
  const pages = Math.max(1, Math.ceil(view.documents.length / DOCUMENTS_PER_PAGE));
  const current = Math.min(pages, Math.max(1, Math.floor(view.page ?? 1) || 1));
  const shown = view.documents.slice((current - 1) * DOCUMENTS_PER_PAGE, current * DOCUMENTS_PER_PAGE);
  const base = escapeHtml(collectionPath(view.name));
  const name = escapeHtml(view.name);
  const more =
    view.documents.length > shown.length
      ? `<p>第 ${current}/${pages} 页，共 ${view.documents.length} 条。<span class="en">Page ${current} of ${pages}, ${view.documents.length} documents.</span>
${current > 1 ? `<a href="${base}?page=${current - 1}">← 上一页 <span class="en">Previous</span></a>` : ''}
${current < pages ? `<a href="${base}?page=${current + 1}">下一页 <span class="en">Next</span> →</a>` : ''}</p>`
      : '';
  const documents =
    shown.length === 0
      ? '<p>这个集合没有文档。<span class="en">No documents.</span></p>'
      : shown
          .map((document) => {
            const text = displayJson(document);
            return `<div class="doc">
<pre>${escapeHtml(text)}</pre>
<div class="editor" hidden><textarea aria-label="编辑文档">${escapeHtml(text)}</textarea>
<div class="actions"><button class="primary" data-action="save" data-collection="${name}">保存 <span class="en">Save</span></button><button data-action="cancel">取消 <span class="en">Cancel</span></button></div></div>
<div class="actions"><button data-action="edit">编辑 <span class="en">Edit</span></button><button class="danger" data-action="delete" data-collection="${name}" data-id="${escapeHtml(JSON.stringify(document['_id']))}">删除 <span class="en">Delete</span></button></div>
</div>`;
          })
          .join('\n');
  return page(
    `集合 ${view.name}`,
    `<p><a href="/">← 返回 <span class="en">Back</span></a></p>
<h1>集合 <code>${name}</code> <span class="en">Collection</span></h1>
<p>${view.documents.length} 个文档 <span class="en">documents</span> · <a href="/api${base}">JSON</a> · <a href="/api${base}/export">导出 JSON Lines <span class="en">Export</span></a> · <a href="${base}">刷新 <span class="en">Refresh</span></a></p>
<div class="actions"><button class="danger" data-action="clear" data-collection="${name}">清空集合 <span class="en">Clear collection</span></button>
<input type="file" id="import-file" accept=".jsonl,.json,application/x-ndjson" aria-label="导入文件"><button data-action="import" data-collection="${name}">导入 JSON Lines（按 _id 覆盖） <span class="en">Import</span></button></div>
<details class="new-doc"><summary>新建文档 <span class="en">New document</span></summary>
<textarea aria-label="新文档">{\n  "text": ""\n}</textarea>
<div class="actions"><button class="primary" data-action="save" data-collection="${name}">保存 <span class="en">Save</span></button><span>日期写作 <code>{"$date": "2026-01-01T00:00:00Z"}</code>；省略 _id 自动生成。<span class="en">Dates as {"$date": …}; without _id one is generated.</span></span></div></details>
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
