/**
 * WXML as DevTools compiles it, turned into what the preview's template engine (j-component)
 * understands, at build time:
 *
 * - `<wxs src="../wxs/utils.wxs" module="utils" />` becomes an inline `<wxs module>` whose code
 *   carries every .wxs file it requires (j-component runs inline WXS only, with a `require` that
 *   does nothing), with WXS's own globals `getRegExp` and `getDate`;
 * - `<include src="x.wxml" />` is replaced by that file's content (minus its templates and WXS,
 *   as WeChat does);
 * - object shorthand in expressions (`{{ utils.bem('info', { dot }) }}`) gets its `key: key` form.
 *
 * What the engine cannot render (`<import>` with `<template is>`) is reported, with the file, so
 * that the page and the terminal name it instead of showing nothing.
 *
 * Pure over a SourceReader.
 */
import { posix } from 'node:path';
import { ManifestError, type SourceReader } from './manifest';

export interface WxmlResult {
  wxml: string;
  /** Features the preview does not render, each with the file using it. */
  unsupported: string[];
}

const WXS_GLOBALS = [
  'function getRegExp(pattern, flags) { return new RegExp(pattern, flags); }',
  'function getDate() { var a = Array.prototype.slice.call(arguments); return new (Function.prototype.bind.apply(Date, [null].concat(a)))(); }',
].join('\n');

function relativeTo(from: string, target: string): string {
  const joined = target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(from), target);
  return posix.normalize(joined);
}

/** One script holding `entryCode` and every .wxs file it requires, for an inline `<wxs module>`. */
export function bundleWxs(entryName: string, entryCode: string, reader: SourceReader): string {
  const files = new Map<string, { code: string; deps: Record<string, string> }>();
  const requirePattern = /require\(\s*(['"])([^'"]+)\1\s*\)/g;
  const add = (name: string, code: string) => {
    const deps: Record<string, string> = {};
    files.set(name, { code, deps });
    for (const match of code.matchAll(requirePattern)) {
      const specifier = match[2] ?? '';
      const target = relativeTo(name, specifier);
      deps[specifier] = target;
      if (files.has(target)) continue;
      const text = reader.readText(target);
      if (text === null) throw new ManifestError(`${name}: WXS module "${specifier}" is missing (${target})`);
      add(target, text);
    }
  };
  add(entryName, entryCode);
  const definitions = [...files].map(
    ([name, file]) =>
      `__defs[${JSON.stringify(name)}] = { deps: ${JSON.stringify(file.deps)}, run: function (require, module, exports) {\n${file.code}\n} };`,
  );
  return [
    WXS_GLOBALS,
    'var __defs = {}, __cache = {};',
    ...definitions,
    'function __load(name) { if (__cache[name]) return __cache[name].exports; var m = { exports: {} }; __cache[name] = m;',
    '  __defs[name].run(function (s) { return __load(__defs[name].deps[s]); }, m, m.exports); return m.exports; }',
    `module.exports = __load(${JSON.stringify(entryName)});`,
  ].join('\n');
}

/** `{ dot, size: 1 }` -> `{ dot: dot, size: 1 }` inside one `{{ }}` expression. */
export function expandShorthand(expression: string): string {
  let out = '';
  const stack: string[] = [];
  let expectKey = false;
  for (let index = 0; index < expression.length; index += 1) {
    const char = expression[index] ?? '';
    if (char === '"' || char === "'") {
      let end = index + 1;
      while (end < expression.length && expression[end] !== char) end += expression[end] === '\\' ? 2 : 1;
      out += expression.slice(index, end + 1);
      index = end;
      expectKey = false;
      continue;
    }
    if (expectKey && /[A-Za-z_$]/.test(char)) {
      const identifier = /^[A-Za-z_$][\w$]*/.exec(expression.slice(index))?.[0] ?? char;
      const after = expression.slice(index + identifier.length).trimStart()[0];
      out += after === ',' || after === '}' ? `${identifier}: ${identifier}` : identifier;
      index += identifier.length - 1;
      expectKey = false;
      continue;
    }
    if (char === '{' || char === '[' || char === '(') stack.push(char);
    if (char === '}' || char === ']' || char === ')') stack.pop();
    if (char === '{' || (char === ',' && stack[stack.length - 1] === '{')) expectKey = true;
    else if (!/\s/.test(char)) expectKey = false;
    out += char;
  }
  return out;
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}\\s*=\\s*(["'])(.*?)\\1`).exec(tag);
  return match ? (match[2] ?? '') : null;
}

const TEMPLATE_DEFINITION = /<template\s[^>]*?\bname\s*=\s*(["'])([^"']+)\1[^>]*>([\s\S]*?)<\/template>/g;

/**
 * `<template is="toolbar" data="{{ title, showToolbar }}" />` where the data passes names through
 * unchanged (vant's pickers, most hand-written templates of a page): the template's body, from
 * this file or a file it `<import>`s, is put in place inside a `<block>` keeping the tag's other
 * attributes (wx:if...). Templates fed other data (`{{...item}}`, `{{a: x}}`) or a bound `is`
 * stay, and are named as unsupported.
 */
function expandTemplates(path: string, wxml: string, reader: SourceReader, problems: string[]): string {
  const templates = new Map<string, string>();
  const collect = (text: string) => {
    for (const match of text.matchAll(TEMPLATE_DEFINITION)) templates.set(match[2] ?? '', match[3] ?? '');
  };
  let source = wxml;
  for (const match of wxml.matchAll(/<import\s[^>]*?src\s*=\s*(["'])([^"']+)\1[^>]*?\/?>(\s*<\/import>)?/g)) {
    const target = relativeTo(path, (match[2] ?? '').replace(/\.wxml$/, ''));
    const imported = reader.readText(`${target}.wxml`);
    if (imported === null) {
      // WeChat compiles the page anyway and warns at run time that the template is not found; the
      // template renders nothing, the rest of the page renders.
      problems.push(`${path}.wxml: <import src="${match[2]}"> is missing (${target}.wxml): its templates render nothing`);
      source = source.replace(match[0], '');
      continue;
    }
    collect(imported.replace(/<!--[\s\S]*?-->/g, ''));
  }
  collect(source);
  const use = /<template\s([^>]*?\bis\s*=\s*(["'])([^"'{}]+)\2[^>]*?)(\/>|>\s*<\/template>)/g;
  let text = source;
  for (let depth = 0; depth < 5; depth += 1) {
    let changed = false;
    text = text.replace(use, (whole, attributes: string, _quote: string, name: string) => {
      const body = templates.get(name);
      const data = /\bdata\s*=\s*(["'])\{\{([\s\S]*?)\}\}\1/.exec(attributes)?.[2] ?? '';
      const passesNames = data
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .every((entry) => /^[A-Za-z_$][\w$]*$/.test(entry) || /^([A-Za-z_$][\w$]*)\s*:\s*\1$/.test(entry));
      if (body === undefined || !passesNames) return whole;
      changed = true;
      const rest = attributes.replace(/\s*\b(is|data)\s*=\s*(["'])[\s\S]*?\2/g, '');
      return `<block ${rest.trim()}>${body}</block>`;
    });
    if (!changed) break;
  }
  const stillUsed = use.test(text);
  use.lastIndex = 0;
  if (stillUsed) return text;
  return text.replace(TEMPLATE_DEFINITION, '').replace(/<import\s[^>]*?\/?>(\s*<\/import>)?/g, '');
}

/** The characters `<text decode>` shows for WeChat's entities; `<`, `>` and `&` as expressions, so the template still parses. */
const TEXT_ENTITIES: Record<string, string> = {
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  apos: "'",
  lt: "{{'<'}}",
  gt: "{{'>'}}",
  amp: "{{'&'}}",
};

/** `<text decode>`: WeChat decodes &nbsp; &ensp; &emsp; &lt; &gt; &amp; &apos; in its content; without decode they show as written. */
export function decodeTextEntities(content: string): string {
  return content.replace(/&(nbsp|ensp|emsp|apos|lt|gt|amp);/g, (_whole, name: string) => TEXT_ENTITIES[name] ?? '');
}

/** The WXML of `path` (already read), ready for the engine, and what it uses that the preview cannot show. */
export function prepareWxml(path: string, wxml: string, reader: SourceReader, including: string[] = []): WxmlResult {
  const unsupported: string[] = [];
  // `class="a"style="b"`: WeChat's compiler reads two attributes, the engine's parser gives up on the tag.
  let text = wxml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[A-Za-z][^<>]*>/g, (tag) => tag.replace(/(=\s*(["'])[^"']*\2)(?=[A-Za-z_:@])/g, '$1 '));

  text = text.replace(/<include\s[^>]*?\/?>(\s*<\/include>)?/g, (tag) => {
    const src = attribute(tag, 'src');
    if (!src) return '';
    const target = relativeTo(path, src.replace(/\.wxml$/, ''));
    if (including.includes(target)) throw new ManifestError(`${path}.wxml: <include> cycle through ${target}.wxml`);
    const included = reader.readText(`${target}.wxml`);
    if (included === null) throw new ManifestError(`${path}.wxml: <include src="${src}"> is missing (${target}.wxml)`);
    const inner = prepareWxml(target, included, reader, [...including, path]);
    unsupported.push(...inner.unsupported);
    return inner.wxml.replace(/<template\s[^>]*name=[\s\S]*?<\/template>/g, '').replace(/<wxs[\s\S]*?<\/wxs>/g, '');
  });

  text = text.replace(/<wxs\s([^>]*?)(\/>|>([\s\S]*?)<\/wxs>)/g, (whole, attributes: string, _end: string, body?: string) => {
    const tag = ` ${attributes}`;
    const module = attribute(tag, 'module');
    if (!module) return whole;
    const src = attribute(tag, 'src');
    let name = `${path}.wxml#${module}`;
    let code = body ?? '';
    if (src) {
      name = relativeTo(path, src);
      const fileText = reader.readText(name);
      if (fileText === null) throw new ManifestError(`${path}.wxml: <wxs src="${src}"> is missing (${name})`);
      code = fileText;
    }
    return `<wxs module="${module}">\n${bundleWxs(name, code, reader)}\n</wxs>`;
  });

  text = text.replace(/(<text\b([^>]*)>)([^<]*)(?=<\/text>)/g, (whole, open: string, attributes: string, content: string) =>
    /\sdecode(\s|=\s*["']\s*(true|\{\{\s*true\s*\}\})\s*["']|\/?$)/.test(attributes) ? `${open}${decodeTextEntities(content)}` : whole,
  );

  text = expandTemplates(path, text, reader, unsupported);
  if (/<import\s/.test(text) || /<template\s[^>]*\bis\s*=/.test(text)) {
    unsupported.push(`${path}.wxml: <import>/<template is> (模板 templates render nothing in the preview)`);
  }

  // A literal relative image path is relative to the page's folder, not to the preview's URL:
  // made absolute here, it is served from the mini-program root like '/images/a.png'.
  text = text.replace(
    /(<(?:image|cover-image)\b[^>]*?\ssrc\s*=\s*)(["'])([^"'{}:]+?)\2/g,
    (whole, head: string, quote: string, src: string) =>
      src.startsWith('/') || src.startsWith('data') ? whole : `${head}${quote}/${relativeTo(path, src)}${quote}`,
  );

  text = text.replace(/\{\{([\s\S]*?)\}\}(?!\})/g, (_whole, expression: string) => `{{${expandShorthand(expression)}}}`);
  return { wxml: text, unsupported };
}
