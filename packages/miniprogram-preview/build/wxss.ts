/**
 * WXSS -> CSS for the browser preview, so pages look as they do in WeChat DevTools.
 *
 * What WeChat's style compiler does and a browser does not:
 * - Style isolation: a page's or component's classes only reach its own template. exparser
 *   renders a template class `card` as `<prefix>--card` (j-component's classPrefix option), so
 *   the stylesheet's `.card` becomes `.<prefix>--card` here.
 * - `page` is the page's root element: it becomes the selector of the page's container
 *   (pages only; app.wxss is scoped once per page, as WeChat applies it to every page).
 * - Built-in tags render as `wx-view`, `wx-button`...: a `button { }` rule targets `wx-button`.
 * - `rpx`: 750rpx is the screen width. Units become `calc(N * var(--pv-rpx))`, and `vh`/`vw`
 *   become the phone screen's, not the browser window's (`--pv-vh`, `--pv-vw`, set by host.css).
 *
 * Not supported (rare in practice, documented in the package README): `:host`, external classes,
 * `addGlobalClass` / `styleIsolation: 'shared'`.
 */
import { posix } from 'node:path';
import { FILES_PATH } from '../shared/bundle';
import { convertUnits } from '../shared/css-units';

export interface WxssScope {
  /** The class prefix of the page or component: `.card` -> `.<classPrefix>--card`. */
  classPrefix: string;
  /** What `page` becomes; undefined for components (WeChat ignores `page` there). */
  pageSelector?: string;
}

/** Built-in components WeChat renders as `wx-<name>` elements. */
export const BUILTIN_TAGS: ReadonlySet<string> = new Set([
  'view',
  'text',
  'button',
  'image',
  'input',
  'textarea',
  'form',
  'navigator',
  'icon',
  'progress',
  'rich-text',
  'checkbox',
  'checkbox-group',
  'radio',
  'radio-group',
  'switch',
  'slider',
  'picker',
  'picker-view',
  'picker-view-column',
  'label',
  'editor',
  'scroll-view',
  'swiper',
  'swiper-item',
  'movable-area',
  'movable-view',
  'cover-view',
  'cover-image',
  'video',
  'audio',
  'camera',
  'map',
  'canvas',
  'web-view',
  'open-data',
  'ad',
  'official-account',
  'page-container',
  'root-portal',
  'match-media',
  'navigation-bar',
  'page-meta',
]);

export class WxssSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WxssSyntaxError';
  }
}

/**
 * `url()`s of the mini-program's own files in one WXSS file, as the preview serves them:
 * `url(../images/bg.png)` in `pages/home/index.wxss` and `url(/images/bg.png)` both load
 * `files/images/bg.png` (relative to app.css, which the preview serves beside its page).
 * Remote, protocol-relative and `data:` URLs stay as written. WeChat itself does not load local
 * files from WXSS on a phone (only network images and base64 — its WXSS docs: 本地资源无法通过
 * WXSS 获取), so each local one is returned to be named, while the preview still shows it.
 */
export function resolveLocalUrls(text: string, file: string): { text: string; local: string[] } {
  const local: string[] = [];
  const out = text.replace(/\burl\(\s*(["']?)([^"')]*?)\1\s*\)/gi, (whole, quote: string, url: string) => {
    const target = url.trim();
    if (target === '' || target.startsWith('#') || target.startsWith('//') || /^[a-z][a-z\d+.-]*:/i.test(target)) return whole;
    const suffix = /[?#].*$/.exec(target)?.[0] ?? '';
    const bare = target.slice(0, target.length - suffix.length);
    const resolved = posix.normalize(bare.startsWith('/') ? bare.slice(1) : posix.join(posix.dirname(file), bare));
    if (resolved.startsWith('..')) return whole;
    if (!local.includes(target)) local.push(target);
    return `url(${quote}${FILES_PATH}${resolved}${suffix}${quote})`;
  });
  return { text: out, local };
}

/** How a local `url()` of `file` is named on the page and the terminal. */
export function localUrlWarning(file: string, url: string): string {
  return `${file}: url(${url}) 是本地文件，真机上 WXSS 取不到本地资源（改用网络图片、base64 或 <image>）/ a local file, which WXSS cannot load on a phone; the preview still shows it`;
}

/** Reads `@import`ed files: `from` is the importing file, `target` the path as written. Null when missing. */
export type WxssImportResolver = (from: string, target: string) => { path: string; text: string } | null;

/**
 * Inlines `@import "x.wxss";` (WXSS's only way to share styles), depth first, each file once
 * per chain. Throws on a missing file or a cycle.
 */
export function inlineImports(text: string, file: string, resolve: WxssImportResolver, chain: string[] = []): string {
  if (chain.includes(file)) throw new WxssSyntaxError(`@import cycle: ${[...chain, file].join(' -> ')}`);
  return stripComments(text).replace(/@import\s+(?:url\(\s*)?(["'])([^"']+)\1\s*\)?\s*;/g, (_all, _quote: string, target: string) => {
    const found = resolve(file, target);
    if (!found) throw new WxssSyntaxError(`${file}: @import "${target}" not found`);
    return inlineImports(found.text, found.path, resolve, [...chain, file]);
  });
}

/** Converts one WXSS stylesheet (imports already inlined) for the preview. */
export function wxssToCss(source: string, scope: WxssScope): string {
  return transformRules(stripComments(source), scope).trim();
}

/** Scopes a selector list (`a, b`): classes get the prefix, `page` and built-in tags are renamed. */
export function scopeSelector(selectorList: string, scope: WxssScope): string {
  let out = '';
  let index = 0;
  /** True where a type selector may start: at the beginning, after a combinator, a comma or '('. */
  let compoundStart = true;
  const text = selectorList;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '"' || char === "'") {
      const end = endOfString(text, index);
      out += text.slice(index, end);
      index = end;
      compoundStart = false;
    } else if (char === '\\') {
      out += text.slice(index, index + 2);
      index += 2;
      compoundStart = false;
    } else if (char === '[') {
      const end = text.indexOf(']', index);
      if (end < 0) throw new WxssSyntaxError(`unclosed [ in selector "${selectorList.trim()}"`);
      out += text.slice(index, end + 1);
      index = end + 1;
      compoundStart = false;
    } else if (char === '.' && readIdent(text, index + 1) !== '') {
      const name = readIdent(text, index + 1);
      out += `.${scope.classPrefix}--${name}`;
      index += 1 + name.length;
      compoundStart = false;
    } else if (char === '#' || char === ':') {
      // An id or a pseudo-class/element name: copied as written (":not(" continues scanning inside).
      let start = index + 1;
      if (char === ':' && text.charAt(start) === ':') start += 1;
      const name = readIdent(text, start);
      out += text.slice(index, start) + name;
      index = start + name.length;
      compoundStart = false;
    } else if (compoundStart && readIdent(text, index) !== '') {
      const name = readIdent(text, index);
      out += typeSelector(name, scope);
      index += name.length;
      compoundStart = false;
    } else {
      out += char;
      index += 1;
      if (/[\s>+~,(]/.test(char)) compoundStart = true;
      else if (char !== '*') compoundStart = false;
    }
  }
  return out;
}

function typeSelector(name: string, scope: WxssScope): string {
  const lower = name.toLowerCase();
  if (lower === 'page') return scope.pageSelector ?? name;
  return BUILTIN_TAGS.has(lower) ? `wx-${lower}` : name;
}

/** Walks rules and at-rules of a block's content. */
function transformRules(text: string, scope: WxssScope): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const preludeEnd = findTopLevel(text, index, ['{', ';', '}']);
    if (preludeEnd < 0) {
      if (text.slice(index).trim() !== '')
        throw new WxssSyntaxError(`unexpected end of stylesheet near "${text.slice(index).trim().slice(0, 40)}"`);
      break;
    }
    const prelude = text.slice(index, preludeEnd).trim();
    const stop = text.charAt(preludeEnd);
    if (stop === '}') throw new WxssSyntaxError(`unexpected } near "${text.slice(Math.max(0, preludeEnd - 40), preludeEnd).trim()}"`);
    if (stop === ';') {
      // @charset, @import left over, or a stray declaration: kept as written.
      if (prelude !== '') out += `${prelude};\n`;
      index = preludeEnd + 1;
      continue;
    }
    const bodyEnd = matchingBrace(text, preludeEnd);
    const body = text.slice(preludeEnd + 1, bodyEnd);
    out += `${transformBlock(prelude, body, scope)}\n`;
    index = bodyEnd + 1;
  }
  return out;
}

function transformBlock(prelude: string, body: string, scope: WxssScope): string {
  if (prelude.startsWith('@')) {
    const name = /^@([\w-]+)/.exec(prelude)?.[1]?.toLowerCase() ?? '';
    if (/^(media|supports|container|layer|document)$/.test(name)) return `${prelude} {\n${transformRules(body, scope)}}`;
    if (/keyframes$/.test(name)) return `${prelude} {\n${transformKeyframes(body)}}`;
    // @font-face and the like hold declarations only.
    return `${prelude} {${convertUnits(body)}}`;
  }
  if (prelude === '') throw new WxssSyntaxError('a rule without a selector');
  return `${scopeSelector(prelude, scope)} {${convertUnits(body)}}`;
}

/** Keyframe selectors (from, to, 50%) stay; their declarations get units converted. */
function transformKeyframes(body: string): string {
  let out = '';
  let index = 0;
  while (index < body.length) {
    const open = findTopLevel(body, index, ['{']);
    if (open < 0) break;
    const close = matchingBrace(body, open);
    out += `${body.slice(index, open).trim()} {${convertUnits(body.slice(open + 1, close))}}\n`;
    index = close + 1;
  }
  return out;
}

function stripComments(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '"' || char === "'") {
      const end = endOfString(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (char === '/' && text.charAt(index + 1) === '*') {
      const end = text.indexOf('*/', index + 2);
      if (end < 0) throw new WxssSyntaxError('unclosed comment');
      index = end + 2;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** Index of the first of `stops` at nesting depth 0 (outside strings and parentheses), or -1. */
function findTopLevel(text: string, from: number, stops: string[]): number {
  let depth = 0;
  for (let index = from; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (char === '"' || char === "'") index = endOfString(text, index) - 1;
    else if (char === '(') depth += 1;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && stops.includes(char)) return index;
  }
  return -1;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (char === '"' || char === "'") index = endOfString(text, index) - 1;
    else if (char === '{') depth += 1;
    else if (char === '}') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new WxssSyntaxError(`unclosed { after "${text.slice(Math.max(0, open - 40), open).trim()}"`);
}

/** Index just past the string literal starting at `start`. */
function endOfString(text: string, start: number): number {
  const quote = text.charAt(start);
  for (let index = start + 1; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (char === '\\') index += 1;
    else if (char === quote) return index + 1;
  }
  throw new WxssSyntaxError(`unclosed string ${text.slice(start, start + 20)}`);
}

function readIdent(text: string, start: number): string {
  const match = /^-?[A-Za-z_\u00a0-\uffff][\w\u00a0-\uffff-]*/.exec(text.slice(start));
  return match ? match[0] : '';
}
