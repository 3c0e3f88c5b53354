/**
 * Canonical Extended JSON in and out, and the in-memory value model.
 *
 * wx-server-sdk sends every query, update and document as a canonical EJSON string
 * (`EJSON.stringify(x, { relaxed: false })`) and parses our answers with `EJSON.parse`.
 * Inside the emulator a document is a plain JS tree that mingo can work on:
 *   - $numberInt / $numberDouble → number; $numberLong → number when it is a safe integer,
 *     otherwise a bson Long (a JS number would silently lose digits);
 *   - $date → Date; $oid → ObjectId; $regularExpression → BSONRegExp (kept as is in documents so
 *     it round-trips with its flags, turned into a RegExp inside queries because mingo needs one);
 *   - `{"$tcb_server_date":{"offset":n}}` (db.serverDate()) → a Date of the server clock + offset,
 *     wherever it appears in a document, an update or a query.
 * Writing back with canonical EJSON gives $numberInt for int32 values, $numberLong for larger
 * integers and $numberDouble otherwise, which is what the SDK sends for the same JS numbers.
 *
 * Stored documents are never mutated: updates work on a clone (see cloneValue), so a reference to
 * a stored document is a stable snapshot (transactions rely on this).
 */
import { BSONRegExp, Double, EJSON, Int32, Long } from 'bson';
import { jsonDeeperThan, tooDeepMessage } from '../json-depth';
import { invalidParam } from './errors';

export type Doc = Record<string, unknown>;

export interface DecodeOptions {
  /** Server time in ms, for db.serverDate(). */
  now: number;
  /** Queries and pipelines: regular expressions become JS RegExp for mingo. */
  forQuery?: boolean;
}

/** Parses one EJSON field of a request. `what` names the field in the error message. */
export function decodeEjson(text: string, what: string, options: DecodeOptions): unknown {
  if (jsonDeeperThan(text)) throw invalidParam(tooDeepMessage(what));
  let parsed: unknown;
  try {
    parsed = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    throw invalidParam(`${what} is not valid Extended JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return normalizeValue(parsed, options, what);
}

/** A stored document from the log or an import line (no server dates, no RegExp conversion). */
export function decodeStoredDocument(json: unknown): Doc {
  const value = normalizeValue(EJSON.deserialize(json as Record<string, unknown>, { relaxed: false }), undefined, 'document');
  if (!isPlainObject(value)) throw invalidParam('a stored document must be an object');
  return value;
}

export function decodeStoredValue(json: unknown): unknown {
  return normalizeValue(EJSON.deserialize({ v: json }, { relaxed: false }).v, undefined, 'value');
}

/** Canonical EJSON text, as the real service answers (`list` items, aggregate results, log lines). */
export function encodeEjson(value: unknown): string {
  return EJSON.stringify(value, { relaxed: false });
}

function normalizeValue(value: unknown, options: DecodeOptions | undefined, what: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => normalizeValue(item, options, what));
  if (value instanceof Date) return value;
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) {
    const asNumber = value.toNumber();
    return Number.isSafeInteger(asNumber) ? asNumber : value;
  }
  if (value instanceof BSONRegExp) return options?.forQuery ? toJsRegExp(value) : value;
  if (!isPlainObject(value)) return value; // ObjectId, Binary, Decimal128, Timestamp...: immutable values
  const keys = Object.keys(value);
  if (options && keys.length === 1 && keys[0] === '$tcb_server_date') {
    return serverDate(value.$tcb_server_date, options.now, what);
  }
  const out: Doc = {};
  for (const key of keys) out[key] = normalizeValue(value[key], options, what);
  return out;
}

function serverDate(spec: unknown, now: number, what: string): Date {
  const normalized = normalizeValue(spec, undefined, what);
  const offset = isPlainObject(normalized) && 'offset' in normalized ? normalized.offset : 0;
  if (typeof offset !== 'number' || !Number.isFinite(offset)) {
    throw invalidParam(`${what}: $tcb_server_date.offset must be a number`);
  }
  return new Date(now + offset);
}

/**
 * BSON regex options are PCRE's (i, m, s, x, l, u); JS understands i, m, s, u. `x` (extended) is
 * applied by stripping unescaped whitespace and # comments; `l` (locale) has no JS meaning.
 */
export function toJsRegExp(regex: BSONRegExp): RegExp {
  let pattern = regex.pattern;
  let flags = '';
  for (const flag of regex.options) {
    if ('imsu'.includes(flag) && !flags.includes(flag)) flags += flag;
    if (flag === 'x') pattern = stripExtendedSyntax(pattern);
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw invalidParam(`Regular expression is invalid: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function stripExtendedSyntax(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern.charAt(i);
    if (char === '\\') {
      out += char + pattern.charAt(i + 1);
      i += 1;
    } else if (inClass) {
      if (char === ']') inClass = false;
      out += char;
    } else if (char === '[') {
      inClass = true;
      out += char;
    } else if (char === '#') {
      while (i < pattern.length && pattern.charAt(i) !== '\n') i += 1;
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}

export function isPlainObject(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Deep copy of the mutable parts (objects, arrays, Dates); BSON value objects are immutable and shared. */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item: unknown) => cloneValue(item)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const key of Object.keys(value)) out[key] = cloneValue(value[key]);
  return out as T;
}

/** BSON equality (field order matters, as in MongoDB): two values are equal when they encode the same. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  // Two valid dates encode the same exactly when they hold the same time ($set of a login time).
  if (a instanceof Date && b instanceof Date && Number.isFinite(a.getTime()) && Number.isFinite(b.getTime())) {
    return a.getTime() === b.getTime();
  }
  return encodeEjson({ v: a }) === encodeEjson({ v: b });
}

/**
 * The key of a document in its collection's Map. Most `_id`s are strings; other types (numbers,
 * ObjectId) get a distinct prefix so that 1 and "1" never collide.
 */
export function idKey(id: unknown): string {
  return typeof id === 'string' ? `s${id}` : `j${encodeEjson({ v: id })}`;
}

/** `_id` as MongoDB prints it in an E11000 message: `"abc"`, `5`, `ObjectId('…')`. */
export function describeId(id: unknown): string {
  if (typeof id === 'string') return JSON.stringify(id);
  if (typeof id === 'number') return String(id);
  if (id !== null && typeof id === 'object' && 'toHexString' in id && typeof id.toHexString === 'function') {
    return `ObjectId('${String(id.toHexString())}')`;
  }
  return encodeEjson({ v: id }).slice(5, -1);
}
