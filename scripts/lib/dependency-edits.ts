/**
 * Small edits the build makes to dependencies' code as it bundles them (scripts/build.ts): each
 * keeps what the code does and takes a cost off a cold start's first call. An edit whose text is
 * not found (another version of the package) returns null: the file is then bundled as published
 * and the build warns.
 */

import { lazyBsonBuffer } from './lazy-bson-buffer.js';
import { readsOnlyMembers } from './member-reads';

export interface DependencyEdit {
  /** The file, as a path ending (`/`-separated) inside node_modules. */
  file: string;
  why: string;
  apply: (source: string) => string | null;
}

/**
 * The order String.prototype.localeCompare gives, without ICU for the common case. The first
 * localeCompare of a process initialises ICU's collator (~10 ms of CPU). For strings of lowercase
 * ASCII letters, digits, '_' and '-', the root collation (and English and Chinese, which do not
 * tailor these) orders them character by character as '_' < '-' < digits < letters — checked
 * against localeCompare itself in test/scripts/lib/dependency-edits.test.ts. Any other string, a
 * process whose locale might tailor them, or Node without Intl: localeCompare as before.
 * Source text, because it is inlined into the bundle.
 */
export const LOCALE_ORDER_SOURCE = `(() => {
  const rank = '_-0123456789abcdefghijklmnopqrstuvwxyz';
  const plain = /^[_0-9a-z-]*$/;
  const env = (typeof process === 'object' && process.env) || {};
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  const rootOrder = typeof Intl === 'object' && /^(?:$|C(?:[._@]|$)|POSIX|en(?:[_.@-]|$)|zh(?:[_.@-]|$))/.test(locale);
  return (left, right) => {
    const a = String(left);
    const b = String(right);
    if (!rootOrder || !plain.test(a) || !plain.test(b)) return a.localeCompare(b);
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      if (a[i] !== b[i]) return rank.indexOf(a[i]) < rank.indexOf(b[i]) ? -1 : 1;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  };
})()`;

/** `replacement` padded with newlines to the lines `original` took, so a source map still names the right lines. */
function sameLines(original: string, replacement: string): string {
  const lines = (text: string) => text.split('\n').length;
  return replacement + '\n'.repeat(Math.max(0, lines(original) - lines(replacement)));
}

function replaceOnce(source: string, find: string, replacement: string): string | null {
  const at = source.indexOf(find);
  if (at < 0 || source.indexOf(find, at + 1) >= 0) return null;
  return `${source.slice(0, at)}${sameLines(find, replacement)}${source.slice(at + find.length)}`;
}

const SIGNING_SORT = '.sort((l, r) => l.toString().localeCompare(r))';

/**
 * bson's Long compiles a WebAssembly module at load, for 64-bit multiply and divide: it runs its
 * JavaScript path instead, the one it takes wherever WebAssembly is missing. A function multiplies
 * a few Longs per call (parsing `$numberLong` in database answers), far less than the compile costs
 * (~2 ms of the first call, which reads such a document).
 */
function longWithoutWasm(source: string): string | null {
  const start = source.indexOf('var wasm = undefined;\ntry {\n    wasm = ');
  const endMarker = '}\ncatch (_a) {\n    // no wasm support\n}';
  const end = source.indexOf(endMarker, start);
  if (start < 0 || end < 0) return null;
  const block = source.slice(start, end + endMarker.length);
  if (!block.includes('new WebAssembly.Instance(')) return null;
  const rest = source.slice(start + block.length);
  // Every use in code reads the variable as `wasm.member` behind `if (wasm)`; any other: not this version.
  const code = rest.split('\n').filter((line) => !/^\s*(\/\/|\/?\*)/.test(line));
  if (code.some((line) => /\bwasm\b(?![.)])/.test(line))) return null;
  return `${source.slice(0, start)}${sameLines(block, 'var wasm = undefined; // JavaScript path (scripts/lib/dependency-edits.ts)')}${rest}`;
}

/**
 * TypeScript's `__importStar(require("fs"))` copies every export of a Node built-in into a new
 * object, one getter each (~0.5 ms for fs at load); where the file only reads members of it, the
 * built-in itself answers the same reads.
 */
function builtinsWithoutImportStar(...names: string[]) {
  return (source: string): string | null => {
    let edited = source;
    for (const name of names) {
      const next = replaceOnce(edited, `__importStar(require("${name}"))`, `require("${name}")`);
      if (next === null || !readsOnlyMembers(next, name)) return null;
      edited = next;
    }
    return edited;
  };
}

export const DEPENDENCY_EDITS: readonly DependencyEdit[] = [
  {
    file: '@cloudbase/signature-nodejs/lib/keyvalue.js',
    why: "request signing sorts header and parameter names with localeCompare, whose first call initialises ICU's collator",
    // Defined once, after the module's own code (a `var`, hoisted): no line of the file moves.
    apply: (source) => {
      const edited = replaceOnce(source, SIGNING_SORT, '.sort(localeOrder)');
      return edited && `${edited}\nvar localeOrder = ${LOCALE_ORDER_SOURCE};\n`;
    },
  },
  {
    file: 'bson/lib/long.js',
    why: 'Long compiles a WebAssembly module at load, used only to multiply and divide 64-bit integers',
    apply: longWithoutWasm,
  },
  {
    file: 'bson/lib/bson.js',
    why: "bson allocates its 17 MiB serialization buffer at load (binary BSON, which the database's EJSON never uses); in a process that starts instance after instance (the emulator), each zero-fills the memory the last one freed",
    apply: lazyBsonBuffer,
  },
  {
    file: '@cloudbase/node-sdk/dist/utils/version.js',
    why: 'the SDK version is read with fs and path copied key by key (__importStar) at load',
    apply: builtinsWithoutImportStar('fs', 'path'),
  },
  {
    file: '@cloudbase/node-sdk/dist/utils/wxCloudToken.js',
    why: 'fs is copied key by key (__importStar) at load, to read a token file',
    apply: builtinsWithoutImportStar('fs'),
  },
];
