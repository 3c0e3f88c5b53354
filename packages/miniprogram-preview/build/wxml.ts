/**
 * WXML as DevTools compiles it, turned into what the preview's template engine (j-component)
 * understands, at build time:
 *
 * - `<wxs src="../wxs/utils.wxs" module="utils" />` becomes an inline `<wxs module>` whose code
 *   carries every .wxs file it requires (j-component runs inline WXS only, with a `require` that
 *   does nothing), with WXS's own globals `getRegExp` and `getDate`;
 * - `<include src="x.wxml" />` is replaced by that file's content (minus its templates and WXS,
 *   as WeChat does);
 * - `<import>`ed and local templates are put in place where `<template is>` uses them, with the
 *   template's own scope and every `data` form WeChat takes (build/wxml-templates.ts);
 * - object shorthand in expressions (`{{ utils.bem('info', { dot }) }}`) gets its `key: key` form.
 *
 * A `<template is>` of a template the file does not define or import is reported, with the file,
 * so that the page and the terminal name it instead of showing nothing.
 *
 * Pure over a SourceReader.
 */
import { posix } from 'node:path';
import { ManifestError, type SourceReader } from './manifest';
import { expandShorthand, rewriteWxsConstructor, WXS_CONSTRUCTOR_FUNCTION } from './wxml-expressions';
import {
  rewriteObjectSpreads,
  scopeTemplateBody,
  TEMPLATE_DATA_MODULE,
  TEMPLATE_DATA_WXS,
  templateDataExpression,
  wxsModuleNames,
} from './wxml-templates';

export { expandShorthand };

export interface WxmlResult {
  wxml: string;
  /** Features the preview does not render, each with the file using it. */
  unsupported: string[];
}

const WXS_GLOBALS = [
  'function getRegExp(pattern, flags) { return new RegExp(pattern, flags); }',
  'function getDate() { var a = Array.prototype.slice.call(arguments); return new (Function.prototype.bind.apply(Date, [null].concat(a)))(); }',
  WXS_CONSTRUCTOR_FUNCTION,
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
      `__defs[${JSON.stringify(name)}] = { deps: ${JSON.stringify(file.deps)}, run: function (require, module, exports) {\n${rewriteWxsConstructor(file.code)}\n} };`,
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

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}\\s*=\\s*(["'])(.*?)\\1`).exec(tag);
  return match ? (match[2] ?? '') : null;
}

const TEMPLATE_DEFINITION = /<template\s[^>]*?\bname\s*=\s*(["'])([^"']+)\1[^>]*>([\s\S]*?)<\/template>/g;
/** A `<template is>` use; `is` may hold the other quote and `>` (`is="{{n > 0 ? 'list' : 'empty'}}"`). */
const TEMPLATE_USE = /<template\s([^>]*?\bis\s*=\s*(["'])((?:(?!\2)[\s\S])+)\2[^>]*?)(\/>|>\s*<\/template>)/g;
const IMPORT = /<import\s[^>]*?src\s*=\s*(["'])([^"']+)\1[^>]*?\/?>(\s*<\/import>)?/g;

/** `<wxs src>` and inline `<wxs>` of `path` as inline modules carrying what they require. */
function inlineWxs(path: string, text: string, reader: SourceReader): string {
  return text.replace(/<wxs\s([^>]*?)(\/>|>([\s\S]*?)<\/wxs>)/g, (whole, attributes: string, _end: string, body?: string) => {
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
}

interface TemplateDefinition {
  body: string;
  /** The WXS modules of the defining file: the only names besides its data a template sees. */
  modules: Set<string>;
  /** Those modules as inline `<wxs>`, for a template imported from another file. */
  wxs: Map<string, string>;
}

function definitionsIn(text: string, modules: Set<string>, wxs: Map<string, string>, into: Map<string, TemplateDefinition>): void {
  for (const match of text.matchAll(TEMPLATE_DEFINITION)) into.set(match[2] ?? '', { body: match[3] ?? '', modules, wxs });
}

/**
 * Every `<template is>` whose template this file defines or `<import>`s is put in place with
 * WeChat's scoping and data forms (build/wxml-templates.ts); a bound `is="{{...}}"` becomes a
 * `wx:if` chain over the known templates. A use of an unknown template stays and is reported.
 */
function expandTemplates(path: string, wxml: string, reader: SourceReader, problems: string[]): string {
  const templates = new Map<string, TemplateDefinition>();
  let source = wxml;
  for (const match of wxml.matchAll(IMPORT)) {
    const target = relativeTo(path, (match[2] ?? '').replace(/\.wxml$/, ''));
    const imported = reader.readText(`${target}.wxml`);
    if (imported === null) {
      // WeChat compiles the page anyway and warns at run time that the template is not found; the
      // template renders nothing, the rest of the page renders.
      problems.push(`${path}.wxml: <import src="${match[2]}"> is missing (${target}.wxml): its templates render nothing`);
      source = source.replace(match[0], '');
      continue;
    }
    const text = imported.replace(/<!--[\s\S]*?-->/g, '');
    const wxs = new Map<string, string>();
    for (const tag of inlineWxs(target, text, reader).match(/<wxs module="[^"]+">[\s\S]*?<\/wxs>/g) ?? []) {
      wxs.set(/module="([^"]+)"/.exec(tag)?.[1] ?? '', tag);
    }
    definitionsIn(text, new Set(wxs.keys()), wxs, templates);
  }
  const ownModules = wxsModuleNames(wxml);
  definitionsIn(source, ownModules, new Map(), templates);

  let counter = 0;
  let merges = false;
  const brought = new Map<string, string>();
  const expand = (name: string, attributes: string): string | null => {
    const template = templates.get(name);
    if (!template) return null;
    const scope = `__pvT${counter}`;
    counter += 1;
    const data = templateDataExpression(/\bdata\s*=\s*(["'])\{\{([\s\S]*?)\}\}\1/.exec(attributes)?.[2] ?? null);
    merges ||= data.merges;
    for (const [module, tag] of template.wxs) if (!ownModules.has(module)) brought.set(module, tag);
    const list = `{{[${data.expression}]}}`;
    const quote = list.includes('"') ? "'" : '"';
    const body = scopeTemplateBody(template.body, scope, template.modules);
    return `<block wx:for=${quote}${list}${quote} wx:for-item="${scope}" wx:for-index="${scope}i">${body}</block>`;
  };
  let text = source;
  for (let depth = 0; depth < 5; depth += 1) {
    let changed = false;
    text = text.replace(TEMPLATE_USE, (whole, attributes: string, _quote: string, is: string) => {
      const rest = attributes.replace(/\s*\b(is|data)\s*=\s*(["'])[\s\S]*?\2/g, '').trim();
      const bound = /^\{\{([\s\S]*)\}\}$/.exec(is.trim());
      let inner: string | null;
      if (bound) {
        const names = [...templates.keys()];
        const branches = names.map((name, index) => {
          const condition = `{{(${bound[1]}) === ${JSON.stringify(name).replace(/"/g, "'")}}}`;
          return `<block ${index === 0 ? 'wx:if' : 'wx:elif'}="${condition}">${expand(name, attributes) ?? ''}</block>`;
        });
        inner = names.length > 0 ? branches.join('') : null;
      } else {
        inner = expand(is, attributes);
      }
      if (inner === null) return whole;
      changed = true;
      return rest ? `<block ${rest}>${inner}</block>` : inner;
    });
    if (!changed) break;
  }
  const extra = [...(merges ? [TEMPLATE_DATA_WXS] : []), ...brought.values()].join('\n');
  const stillUsed = TEMPLATE_USE.test(text);
  TEMPLATE_USE.lastIndex = 0;
  if (!stillUsed) text = text.replace(TEMPLATE_DEFINITION, '').replace(/<import\s[^>]*?\/?>(\s*<\/import>)?/g, '');
  return extra ? `${extra}\n${text}` : text;
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

  text = inlineWxs(path, text, reader);

  text = text.replace(/(<text\b([^>]*)>)([^<]*)(?=<\/text>)/g, (whole, open: string, attributes: string, content: string) =>
    /\sdecode(\s|=\s*["']\s*(true|\{\{\s*true\s*\}\})\s*["']|\/?$)/.test(attributes) ? `${open}${decodeTextEntities(content)}` : whole,
  );

  text = expandTemplates(path, text, reader, unsupported);
  if (/<template\s[^>]*\bis\s*=/.test(text)) {
    unsupported.push(`${path}.wxml: <template is> of a template not defined or imported here (模板 renders nothing in the preview)`);
  }

  // A literal relative image path is relative to the page's folder, not to the preview's URL:
  // made absolute here, it is served from the mini-program root like '/images/a.png'.
  text = text.replace(
    /(<(?:image|cover-image)\b[^>]*?\ssrc\s*=\s*)(["'])([^"'{}:]+?)\2/g,
    (whole, head: string, quote: string, src: string) =>
      src.startsWith('/') || src.startsWith('data') ? whole : `${head}${quote}/${relativeTo(path, src)}${quote}`,
  );

  let spreads = false;
  text = text.replace(/\{\{([\s\S]*?)\}\}(?!\})/g, (_whole, expression: string) => {
    const rewritten = rewriteObjectSpreads(expandShorthand(expression));
    spreads ||= rewritten.merges;
    return `{{${rewritten.expression}}}`;
  });
  if (spreads && !text.includes(`module="${TEMPLATE_DATA_MODULE}"`)) text = `${TEMPLATE_DATA_WXS}\n${text}`;
  return { wxml: text, unsupported };
}
