/**
 * Edits a project's JSON files (app.json, project.config.json, cloudbaserc.json) by inserting text,
 * never by re-serialising them: the team's formatting, key order, and every byte outside the
 * insertion stay as they were, so `git diff` shows only what the installer added.
 *
 * A small parser locates each value's span; insertions copy the indentation they find next to them.
 * It refuses what it would have to guess about: malformed text, and an object with the same key
 * twice (two "pages" in app.json: JSON.parse and DevTools read the last one).
 */
import type { Json } from '../json-file';

interface Span {
  start: number;
  end: number;
}

export type JsonNode =
  | (Span & { kind: 'object'; entries: Array<{ key: string; keySpan: Span; value: JsonNode }> })
  | (Span & { kind: 'array'; items: JsonNode[] })
  | (Span & { kind: 'scalar' });

export class JsonTextError extends Error {}

export function parseJsonText(text: string): JsonNode {
  let at = 0;
  const fail = (what: string): never => {
    throw new JsonTextError(`${what} at line ${text.slice(0, at).split('\n').length}`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at += 1;
  };
  const stringEnd = (from: number): number => {
    let index = from + 1;
    while (index < text.length) {
      const char = text[index];
      if (char === '\\') index += 2;
      else if (char === '"') return index + 1;
      else index += 1;
    }
    return fail('unterminated string');
  };
  const value = (): JsonNode => {
    space();
    const start = at;
    const char = text[at];
    if (char === '{') {
      at += 1;
      const entries: Array<{ key: string; keySpan: Span; value: JsonNode }> = [];
      space();
      if (text[at] === '}') {
        at += 1;
        return { kind: 'object', start, end: at, entries };
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail('expected a key');
        const keyEnd = stringEnd(at);
        const keySpan = { start: at, end: keyEnd };
        const key = JSON.parse(text.slice(at, keyEnd)) as string;
        // JSON.parse and DevTools keep the last of two equal keys; an edit of the first would be silently lost.
        if (entries.some((entry) => entry.key === key)) fail(`duplicate key ${JSON.stringify(key)}`);
        at = keyEnd;
        space();
        if (text[at] !== ':') fail('expected ":"');
        at += 1;
        entries.push({ key, keySpan, value: value() });
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') {
          at += 1;
          return { kind: 'object', start, end: at, entries };
        } else fail('expected "," or "}"');
      }
    }
    if (char === '[') {
      at += 1;
      const items: JsonNode[] = [];
      space();
      if (text[at] === ']') {
        at += 1;
        return { kind: 'array', start, end: at, items };
      }
      for (;;) {
        items.push(value());
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') {
          at += 1;
          return { kind: 'array', start, end: at, items };
        } else fail('expected "," or "]"');
      }
    }
    if (char === '"') {
      at = stringEnd(at);
      return { kind: 'scalar', start, end: at };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (!literal) return fail('unexpected character');
    at += literal[0].length;
    return { kind: 'scalar', start, end: at };
  };
  const root = value();
  space();
  if (at !== text.length) fail('trailing text');
  return root;
}

/** The node at `path` (object keys, array indexes), or undefined. */
export function nodeAt(root: JsonNode, path: ReadonlyArray<string | number>): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const step of path) {
    if (!node) return undefined;
    if (typeof step === 'number') node = node.kind === 'array' ? node.items[step] : undefined;
    else node = node.kind === 'object' ? node.entries.find((entry) => entry.key === step)?.value : undefined;
  }
  return node;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** The file's indentation unit: the first indented line's leading whitespace, else two spaces. */
function indentUnit(text: string): string {
  return /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
}

/** `value` as JSON laid out like its neighbours: multi-line at `indent`, or on one line when they are. */
function render(value: Json, indent: string, unit: string, oneLine: boolean): string {
  if (oneLine)
    return JSON.stringify(value)
      .replace(/":/g, '": ')
      .replace(/,(?=["{[\d tfn-])/g, ', ');
  return JSON.stringify(value, null, unit).split('\n').join(`\n${indent}`);
}

/**
 * Inserts `values` at the end of the container at `path` (an array, or an object when `key` is
 * given). Items on their own lines stay on their own lines; a one-line list stays one line.
 */
function insertInto(text: string, container: JsonNode, pieces: Array<{ key?: string; value: Json }>): string {
  if (pieces.length === 0) return text;
  const unit = indentUnit(text);
  const children =
    container.kind === 'object' ? container.entries.map((entry) => entry.keySpan) : container.kind === 'array' ? container.items : [];
  const first = children[0];
  const multiLine = first ? text.slice(container.start, first.start).includes('\n') : true;
  const parentIndent = indentOf(text, container.start);
  const indent = first && multiLine ? indentOf(text, first.start) : `${parentIndent}${unit}`;
  const renderPiece = (piece: { key?: string; value: Json }) => {
    const body = render(piece.value, indent, unit, !multiLine);
    return piece.key === undefined ? body : `${JSON.stringify(piece.key)}: ${body}`;
  };
  const last =
    container.kind === 'object'
      ? container.entries[container.entries.length - 1]?.value
      : container.kind === 'array'
        ? container.items[container.items.length - 1]
        : undefined;
  if (!last) {
    const inner = pieces.map(renderPiece).join(`,\n${indent}`);
    return `${text.slice(0, container.start + 1)}\n${indent}${inner}\n${parentIndent}${text.slice(container.end - 1)}`;
  }
  const separator = multiLine ? `,\n${indent}` : ', ';
  const inserted = pieces.map((piece) => `${separator}${renderPiece(piece)}`).join('');
  return `${text.slice(0, last.end)}${inserted}${text.slice(last.end)}`;
}

export function appendToArray(text: string, path: ReadonlyArray<string | number>, values: Json[]): string {
  const node = nodeAt(parseJsonText(text), path);
  if (node?.kind !== 'array') throw new JsonTextError(`no array at ${path.join('.') || '(root)'}`);
  return insertInto(
    text,
    node,
    values.map((value) => ({ value })),
  );
}

export function addProperty(text: string, path: ReadonlyArray<string | number>, key: string, value: Json): string {
  const node = nodeAt(parseJsonText(text), path);
  if (node?.kind !== 'object') throw new JsonTextError(`no object at ${path.join('.') || '(root)'}`);
  if (node.entries.some((entry) => entry.key === key)) throw new JsonTextError(`${[...path, key].join('.')} already exists`);
  return insertInto(text, node, [{ key, value }]);
}

/**
 * Removes the items of the array at `path` for which `remove` is true, with the separator before
 * each (after it, for leading items), so the remaining items keep their layout.
 */
export function removeFromArray(text: string, path: ReadonlyArray<string | number>, remove: (value: Json) => boolean): string {
  const node = nodeAt(parseJsonText(text), path);
  if (node?.kind !== 'array') throw new JsonTextError(`no array at ${path.join('.') || '(root)'}`);
  const { items } = node;
  const removed = items.map((item) => remove(JSON.parse(text.slice(item.start, item.end)) as Json));
  if (!removed.includes(true)) return text;
  if (!removed.includes(false)) return `${text.slice(0, node.start)}[]${text.slice(node.end)}`;
  const firstKept = removed.indexOf(false);
  const ranges: Array<[number, number]> = [];
  items.forEach((item, index) => {
    if (!removed[index]) return;
    const next = items[index + 1];
    const previous = items[index - 1];
    if (index < firstKept && next) ranges.push([item.start, next.start]);
    else if (previous) ranges.push([previous.end, item.end]);
  });
  let out = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) out = `${out.slice(0, start)}${out.slice(end)}`;
  return out;
}
