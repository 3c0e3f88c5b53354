/**
 * `<template is="row" data="{{...item, index}}" />` for an engine (j-component) that has no
 * templates and no spread in its expressions, with WeChat's scoping:
 *
 * - a template sees only the object its `data` builds (`{{a, b}}`, `{{a: x, b}}`, `{{...item}}`,
 *   `{{...item, index}}`, later keys winning as in an object literal) and the WXS modules of the
 *   file that defines it — never the page's other data, nor the loop variables around the use;
 * - so the body is put in place inside a one-item `wx:for` whose item is that object, and every
 *   free name of the body's expressions is read from the item (`{{name}}` -> `{{__pvT0.name}}`),
 *   except the loop variables of the body's own `wx:for`s and the WXS modules;
 * - a spread, which the engine's expression parser refuses, becomes a call of a small inline WXS
 *   module (`TEMPLATE_DATA_MODULE`) that merges its arguments in order.
 *
 * Pure string work over WXML already read.
 */
import { endOfString, scopeExpression, splitTopLevel } from './wxml-expressions';

export const TEMPLATE_DATA_MODULE = '__pvTemplateData';

/** The inline WXS the merged data calls: Object.assign over its arguments, skipping null and undefined as `...` does. */
export const TEMPLATE_DATA_WXS = `<wxs module="${TEMPLATE_DATA_MODULE}">
module.exports = { merge: function () { var out = {}; for (var i = 0; i < arguments.length; i++) { var source = arguments[i]; if (source === null || source === undefined) continue; for (var key in source) out[key] = source[key]; } return out; } };
</wxs>`;

/** Every `{{ }}` of an attribute value or a text, scoped. */
function scopeMustaches(text: string, scope: string, keep: ReadonlySet<string>): string {
  return text.replace(/\{\{([\s\S]*?)\}\}(?!\})/g, (_whole, expression: string) => `{{${scopeExpression(expression, scope, keep)}}}`);
}

const TAG = /<\/?[A-Za-z][\w:.-]*(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*\/?>/g;
const ATTRIBUTE = /(\s)([^\s=/>]+)(\s*=\s*)(["'])([\s\S]*?)\4/g;

function attributeValue(tag: string, name: string): string | null {
  for (const match of tag.matchAll(ATTRIBUTE)) if (match[2] === name) return match[5] ?? '';
  return null;
}

/**
 * A template body with its free names read from `scope`. A `wx:for` in the body brings its item
 * and index names into scope for its own other attributes and its children; its list is read
 * outside them.
 */
export function scopeTemplateBody(body: string, scope: string, keep: ReadonlySet<string>): string {
  const scopes: { tag: string; names: ReadonlySet<string> }[] = [{ tag: '', names: keep }];
  let out = '';
  let last = 0;
  for (const match of body.matchAll(TAG)) {
    const current = scopes[scopes.length - 1]?.names ?? keep;
    out += scopeMustaches(body.slice(last, match.index), scope, current);
    last = match.index + match[0].length;
    const tag = match[0];
    const name = /^<\/?([A-Za-z][\w:.-]*)/.exec(tag)?.[1] ?? '';
    if (tag.startsWith('</')) {
      if (scopes.length > 1 && scopes[scopes.length - 1]?.tag === name) scopes.pop();
      out += tag;
      continue;
    }
    let inner = current;
    if (attributeValue(tag, 'wx:for') !== null) {
      inner = new Set([...current, attributeValue(tag, 'wx:for-item') ?? 'item', attributeValue(tag, 'wx:for-index') ?? 'index']);
    }
    out += tag.replace(ATTRIBUTE, (whole, space: string, attribute: string, equals: string, quote: string, value: string) => {
      if (attribute === 'wx:for-item' || attribute === 'wx:for-index' || attribute === 'wx:key') return whole;
      const names = attribute === 'wx:for' || attribute === 'wx:for-items' ? current : inner;
      // A nested use's data is an object literal without its braces: `{{ label: title }}` keys `label`.
      const scoped =
        name === 'template' && attribute === 'data'
          ? value.replace(
              /\{\{([\s\S]*?)\}\}(?!\})/g,
              (_whole, data: string) => `{{${scopeExpression(`{${data}}`, scope, names).slice(1, -1)}}}`,
            )
          : scopeMustaches(value, scope, names);
      return `${space}${attribute}${equals}${quote}${scoped}${quote}`;
    });
    if (!tag.endsWith('/>')) scopes.push({ tag: name, names: inner });
  }
  out += scopeMustaches(body.slice(last), scope, scopes[scopes.length - 1]?.names ?? keep);
  return out;
}

/**
 * The object a template's `data` attribute builds, as one engine expression: `{{a, b: x}}` ->
 * `{ a: a, b: x }`; with a spread, `{{...item, index}}` -> `__pvTemplateData.merge(item, { index: index })`.
 * No data is the empty object.
 */
export function templateDataExpression(data: string | null): { expression: string; merges: boolean } {
  const entries = splitTopLevel(data ?? '')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const parts: string[] = [];
  let pairs: string[] = [];
  const flush = () => {
    if (pairs.length > 0) parts.push(`{ ${pairs.join(', ')} }`);
    pairs = [];
  };
  for (const entry of entries) {
    if (entry.startsWith('...')) {
      flush();
      parts.push(`(${entry.slice(3).trim()})`);
      continue;
    }
    const pair = /^([A-Za-z_$][\w$]*|"[^"]*"|'[^']*')\s*:\s*([\s\S]+)$/.exec(entry);
    pairs.push(pair ? `${pair[1]}: ${pair[2]}` : `${entry}: ${entry}`);
  }
  flush();
  if (parts.length === 0) return { expression: '{}', merges: false };
  if (parts.length === 1 && !entries.some((entry) => entry.startsWith('...'))) return { expression: parts[0] ?? '{}', merges: false };
  return { expression: `${TEMPLATE_DATA_MODULE}.merge(${parts.join(', ')})`, merges: true };
}

/** The names a WXML text declares as WXS modules. */
export function wxsModuleNames(wxml: string): Set<string> {
  const names = new Set<string>();
  for (const match of wxml.matchAll(/<wxs\s[^>]*?\bmodule\s*=\s*(["'])([^"']+)\1/g)) names.add(match[2] ?? '');
  return names;
}

/**
 * Object literals with a spread inside an expression (`_.label({ ...item.badgeProps })`, TDesign's
 * tab bar), which the engine's parser refuses, become merges; innermost first. `merges` says
 * whether the file needs TEMPLATE_DATA_WXS.
 */
export function rewriteObjectSpreads(expression: string): { expression: string; merges: boolean } {
  if (!expression.includes('...')) return { expression, merges: false };
  let merges = false;
  let out = '';
  for (let index = 0; index < expression.length; index += 1) {
    const char = expression[index] ?? '';
    if (char === '"' || char === "'") {
      const end = endOfString(expression, index);
      out += expression.slice(index, end + 1);
      index = end;
      continue;
    }
    if (char !== '{') {
      out += char;
      continue;
    }
    let depth = 0;
    let end = index;
    for (; end < expression.length; end += 1) {
      const inner = expression[end];
      if (inner === '"' || inner === "'") {
        end = endOfString(expression, end);
      } else if (inner === '{') depth += 1;
      else if (inner === '}') {
        depth -= 1;
        if (depth === 0) break;
      }
    }
    const body = rewriteObjectSpreads(expression.slice(index + 1, end));
    merges ||= body.merges;
    const hasSpread = splitTopLevel(body.expression).some((entry) => entry.trim().startsWith('...'));
    if (hasSpread) {
      out += templateDataExpression(body.expression).expression;
      merges = true;
    } else out += `{${body.expression}}`;
    index = end;
  }
  return { expression: out, merges };
}
