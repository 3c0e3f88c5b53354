/**
 * WXML expressions (the text inside `{{ }}`) rewritten for the preview's engine, whose parser
 * (expr-parser, under j-component) knows less than WeChat's: no object shorthand, no spread.
 * Pure string work that skips string literals.
 */

/** `{ dot, size: 1 }` -> `{ dot: dot, size: 1 }` inside one `{{ }}` expression. */
export function expandShorthand(expression: string): string {
  let out = '';
  const stack: string[] = [];
  let expectKey = false;
  for (let index = 0; index < expression.length; index += 1) {
    const char = expression[index] ?? '';
    if (char === '"' || char === "'") {
      const end = endOfString(expression, index);
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

const KEYWORDS = new Set(['true', 'false', 'null', 'undefined', 'typeof', 'in', 'instanceof', 'new', 'this', 'void', 'delete']);

/** Splits at top-level `separator`s: never inside brackets or strings. */
export function splitTopLevel(expression: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < expression.length; index += 1) {
    const char = expression[index] ?? '';
    if (char === '"' || char === "'") {
      index = endOfString(expression, index);
      continue;
    }
    if (char === '{' || char === '[' || char === '(') depth += 1;
    else if (char === '}' || char === ']' || char === ')') depth -= 1;
    else if (char === separator && depth === 0) {
      parts.push(expression.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(expression.slice(start));
  return parts;
}

/** The index of the quote closing the string literal that opens at `open` (escapes skipped). */
export function endOfString(text: string, open: number): number {
  const quote = text[open];
  let index = open + 1;
  while (index < text.length && text[index] !== quote) index += text[index] === '\\' ? 2 : 1;
  return index;
}

function previousSignificant(text: string, before: number): string {
  for (let index = before - 1; index >= 0; index -= 1) {
    const char = text[index] ?? '';
    if (!/\s/.test(char)) return char;
  }
  return '';
}

/**
 * One expression with its free names read from `scope`: `name` -> `scope.name`, leaving member
 * names (`a.name`), object keys (`{ name: 1 }`), literals, keywords and the names in `keep`.
 */
export function scopeExpression(expression: string, scope: string, keep: ReadonlySet<string>): string {
  const text = expandShorthand(expression);
  const stack: string[] = [];
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (char === '"' || char === "'") {
      const end = endOfString(text, index);
      out += text.slice(index, end + 1);
      index = end;
      continue;
    }
    const number = /^(\d[\d.]*(e[+-]?\d+)?|\.\d+)/i.exec(text.slice(index))?.[0];
    if (number && !/[\w$]/.test(text[index - 1] ?? '')) {
      out += number;
      index += number.length - 1;
      continue;
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(text.slice(index))?.[0];
    if (name) {
      const before = previousSignificant(text, index);
      const after = text.slice(index + name.length).trimStart()[0];
      const member = before === '.' && text.slice(Math.max(0, index - 3), index).trim() !== '...';
      const key = stack[stack.length - 1] === '{' && (before === '{' || before === ',') && after === ':';
      out += member || key || KEYWORDS.has(name) || keep.has(name) ? name : `${scope}.${name}`;
      index += name.length - 1;
      continue;
    }
    if (char === '{' || char === '[' || char === '(') stack.push(char);
    if (char === '}' || char === ']' || char === ')') stack.pop();
    out += char;
  }
  return out;
}

/** The WXS global the rewritten `.constructor` reads: the type's name, as WXS gives it. */
export const WXS_CONSTRUCTOR_FUNCTION =
  'function __wxsConstructor(value) { if (value === null || value === undefined) return value.constructor; return Object.prototype.toString.call(value).slice(8, -1); }';

/**
 * WXS's `x.constructor` is a string ('Array', 'Object', 'String', 'Number', 'Boolean', 'Function',
 * 'Date', 'RegExp'), not a function: libraries test `arr.constructor === 'Array'` (TDesign's
 * utils.wxs). In JavaScript that is never true, so each read becomes `__wxsConstructor(x)`. The
 * operand is walked back over names, member dots and balanced brackets; strings are skipped.
 */
export function rewriteWxsConstructor(code: string): string {
  let out = '';
  let index = 0;
  while (index < code.length) {
    const char = code[index] ?? '';
    if (char === '"' || char === "'") {
      const end = endOfString(code, index);
      out += code.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    if (char === '/' && code[index + 1] === '/') {
      const end = code.indexOf('\n', index);
      const stop = end < 0 ? code.length : end;
      out += code.slice(index, stop);
      index = stop;
      continue;
    }
    const match = /^\.constructor\b(?!\s*(\(|=[^=]))/.exec(code.slice(index));
    if (match) {
      const start = operandStart(out);
      if (start !== null) {
        out = `${out.slice(0, start)}__wxsConstructor(${out.slice(start)})`;
        index += match[0].length;
        continue;
      }
    }
    out += char;
    index += 1;
  }
  return out;
}

/** Where the member-access operand ending `text` starts (`a.b[c](d)`), or null when there is none. */
function operandStart(text: string): number | null {
  let index = text.length;
  for (;;) {
    const char = text[index - 1] ?? '';
    if (char === ']' || char === ')') {
      const open = char === ']' ? '[' : '(';
      let depth = 0;
      let at = index - 1;
      for (; at >= 0; at -= 1) {
        if (text[at] === char) depth += 1;
        else if (text[at] === open) {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      if (at < 0) return null;
      index = at;
      continue;
    }
    const name = /[A-Za-z_$][\w$]*$/.exec(text.slice(0, index))?.[0];
    if (name) {
      index -= name.length;
      if (text[index - 1] === '.') {
        index -= 1;
        continue;
      }
      return index;
    }
    return index === text.length ? null : index;
  }
}
