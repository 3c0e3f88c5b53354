/// <reference path="./mingo-subpaths.d.ts" />
/**
 * The operators where CloudBase answers differently from mingo 7, as a mingo Context that every
 * query, update and pipeline of the emulator uses. Everything not listed here is mingo's.
 *
 *   $elemMatch      field conditions match only elements that are documents (mingo also tried
 *                   them on strings and numbers, so `{ value: _.exists(true) }` matched ['Go'])
 *   $jsonSchema     validated with Ajv (draft 4 keywords plus MongoDB's `bsonType`)
 *   geo             $nearSphere / $near / $geoWithin / $geoIntersects (see geo.ts)
 *   $indexOfCP      missing from mingo
 *   $substr(Bytes)  a negative length means "to the end", as in MongoDB
 *   date operators  UTC unless a `timezone` is given, whatever the machine's zone (time-zone.ts)
 */
import type { default as AjvClass, ValidateFunction } from 'ajv';
import { Context, evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import type { Any, AnyObject, ExpressionOperator, Options, QueryOperator } from 'mingo/types/types';
import { isOperator, resolve } from 'mingo/util';
import { type Doc, isPlainObject } from './ejson';
import { requestFailed } from './errors';
import { intersectsPredicate, nearDistance, nearSpec, withinPredicate } from './geo';
import { formatOffset, fromWallClock, toWallClock, zoneOffsetMinutes } from './time-zone';

type Predicate = (doc: AnyObject) => boolean;

function valueAt(doc: AnyObject, selector: string): unknown {
  return resolve(doc, selector);
}

// ---------------------------------------------------------------------------------------------
// query operators

/**
 * MongoDB's `$elemMatch`: with field conditions (`{ value: _.gt(0) }`) an element must be a
 * document that matches them; with operator conditions (`_.gt(2)`) the element itself is tested.
 */
const $elemMatch = ((selector: string, criteria: Any, options: Options): Predicate => {
  if (!isPlainObject(criteria)) throw requestFailed('$elemMatch needs an object');
  const keys = Object.keys(criteria);
  const onElement = keys.length > 0 && keys.every((key) => isOperator(key) && key !== '$and' && key !== '$or' && key !== '$nor');
  const query = new Query(onElement ? { v: criteria } : criteria, options);
  const test = onElement
    ? (element: unknown) => query.test({ v: element })
    : (element: unknown) => isPlainObject(element) && query.test(element);
  return (doc) => {
    const value = selector.includes('.') ? valueAt(doc, selector) : doc[selector];
    if (!Array.isArray(value)) return false;
    // A dotted path through an array of documents resolves to one array per document.
    const lists = selector.includes('.') && value.some(Array.isArray) ? value.filter(Array.isArray) : [value];
    return lists.some((list: unknown[]) => list.some(test));
  };
}) as unknown as QueryOperator;

const $nearSphere = ((selector: string, argument: Any): Predicate => {
  const spec = nearSpec(argument, '$nearSphere');
  return (doc) => nearDistance(valueAt(doc, selector), spec) !== null;
}) as unknown as QueryOperator;

const $near = ((selector: string, argument: Any): Predicate => {
  const spec = nearSpec(argument, '$near');
  return (doc) => nearDistance(valueAt(doc, selector), spec) !== null;
}) as unknown as QueryOperator;

const $geoWithin = ((selector: string, argument: Any): Predicate => {
  const within = withinPredicate(argument);
  return (doc) => within(valueAt(doc, selector));
}) as unknown as QueryOperator;

const $geoIntersects = ((selector: string, argument: Any): Predicate => {
  const intersects = intersectsPredicate(argument);
  return (doc) => intersects(valueAt(doc, selector));
}) as unknown as QueryOperator;

// ---------------------------------------------------------------------------------------------
// $jsonSchema

/** Ajv, loaded by the first `$jsonSchema` query: a validator most emulators never need at start-up. */
let validator: AjvClass | undefined;
function schemaValidator(): AjvClass {
  if (validator) return validator;
  const Ajv = (require('ajv') as { default: typeof AjvClass }).default;
  validator = new Ajv({ strict: false, allErrors: false });
  validator.addKeyword({
    keyword: 'bsonType',
    schemaType: ['string', 'array'],
    validate: (types: string | string[], value: unknown) =>
      (Array.isArray(types) ? types : [types]).some((type) => hasBsonType(value, type)),
  });
  return validator;
}
const compiledSchemas = new Map<string, ValidateFunction>();

function hasBsonType(value: unknown, type: string): boolean {
  const bsontype = value !== null && typeof value === 'object' ? (value as { _bsontype?: unknown })._bsontype : undefined;
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'date':
      return value instanceof Date;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1;
    case 'long':
      return (typeof value === 'number' && Number.isInteger(value)) || bsontype === 'Long';
    case 'double':
      return typeof value === 'number';
    case 'number':
      return typeof value === 'number' || bsontype === 'Long' || bsontype === 'Decimal128';
    case 'decimal':
      return bsontype === 'Decimal128';
    case 'objectId':
      return bsontype === 'ObjectId';
    case 'regex':
      return value instanceof RegExp || bsontype === 'BSONRegExp';
    case 'binData':
      return bsontype === 'Binary';
    case 'timestamp':
      return bsontype === 'Timestamp';
    default:
      throw requestFailed(`Unknown $jsonSchema bsonType: ${type}`);
  }
}

export function jsonSchemaValidator(schema: AnyObject): Predicate {
  const key = JSON.stringify(schema);
  let validate = compiledSchemas.get(key);
  if (!validate) {
    try {
      validate = schemaValidator().compile(schema);
    } catch (error) {
      throw requestFailed(`$jsonSchema is invalid: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (compiledSchemas.size < 256) compiledSchemas.set(key, validate);
  }
  const check = validate;
  return (doc) => check(doc) === true;
}

// ---------------------------------------------------------------------------------------------
// string expressions

function codePoints(value: unknown, operator: string): string[] | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw requestFailed(`${operator} requires a string as the first argument, found: ${typeof value}`);
  return Array.from(value);
}

function integerArgument(value: unknown, operator: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw requestFailed(`${operator} requires an integral ${what}, found ${value}`);
  return value;
}

const $indexOfCP = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args) || args.length < 2 || args.length > 4) throw requestFailed('$indexOfCP needs 2 to 4 arguments');
  const haystack = codePoints(args[0], '$indexOfCP');
  if (haystack === null) return null;
  if (typeof args[1] !== 'string') throw requestFailed('$indexOfCP requires a string as the second argument');
  const needle = Array.from(args[1]);
  const start = args[2] === undefined ? 0 : integerArgument(args[2], '$indexOfCP', 'starting index');
  const end = args[3] === undefined ? haystack.length : integerArgument(args[3], '$indexOfCP', 'ending index');
  if (start < 0 || end < 0) throw requestFailed('$indexOfCP indexes must be non-negative');
  for (let i = start; i + needle.length <= Math.min(end, haystack.length); i += 1) {
    if (needle.every((char, j) => haystack[i + j] === char)) return i;
  }
  return -1;
}) as unknown as ExpressionOperator;

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString().replace('T', 'T').slice(0, 23);
  return String(value);
}

/** `$substr` / `$substrBytes`: UTF-8 byte offsets; a negative length takes the rest of the string. */
const $substrBytes = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args) || args.length !== 3) throw requestFailed('$substrBytes needs 3 arguments');
  const bytes = Buffer.from(asText(args[0]), 'utf8');
  const start = integerArgument(args[1], '$substrBytes', 'starting index');
  const length = integerArgument(args[2], '$substrBytes', 'length');
  if (start < 0 || start >= bytes.length) return '';
  const end = length < 0 ? bytes.length : Math.min(bytes.length, start + length);
  const isContinuation = (index: number) => index < bytes.length && ((bytes[index] as number) & 0xc0) === 0x80;
  if (isContinuation(start)) throw requestFailed('$substrBytes: Invalid range, starting index is a UTF-8 continuation byte.');
  if (isContinuation(end)) throw requestFailed('$substrBytes: Invalid range, ending index is in the middle of a UTF-8 character.');
  return bytes.subarray(start, end).toString('utf8');
}) as unknown as ExpressionOperator;

// ---------------------------------------------------------------------------------------------
// date expressions

type MingoExpression = (obj: AnyObject, expr: Any, options: Options) => Any;
const mingoDate = expressionOperators as unknown as Record<string, MingoExpression>;

function mingoOperator(name: string): MingoExpression {
  const operator = mingoDate[name];
  if (!operator) throw new Error(`mingo has no ${name}`);
  return operator;
}

/** Applies mingo's UTC-only operator `name` to a literal date. */
function onDate(name: string, date: Date, extra: Doc = {}, options: Options): Any {
  // Field paths resolve against the pipeline's root document, so the date goes in as a literal.
  const literal = { $literal: date };
  return mingoOperator(name)({}, Object.keys(extra).length > 0 ? { date: literal, ...extra } : literal, options);
}

function asDate(value: unknown, operator: string): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (value !== null && typeof value === 'object' && (value as { _bsontype?: unknown })._bsontype === 'ObjectId') {
    return (value as { getTimestamp(): Date }).getTimestamp();
  }
  throw requestFailed(`${operator}: can't convert from BSON type ${typeof value} to Date`);
}

/** `$year`, `$hour`, …: `'$field'` or `{ date, timezone }`; the field is read at the zone's wall clock. */
function extractor(name: string): ExpressionOperator {
  return ((obj: AnyObject, expr: Any, options: Options) => {
    const spec: Doc = isPlainObject(expr) && 'date' in expr ? expr : { date: expr };
    const date = asDate(evalExpr(obj, spec.date, options), name);
    if (date === null) return null;
    const zone = evalExpr(obj, spec.timezone, options);
    const wall = toWallClock(date, zone);
    return name === '$week' ? sundayWeek(wall) : onDate(name, wall, {}, options);
  }) as unknown as ExpressionOperator;
}

/**
 * MongoDB's `$week` / `%U`: weeks start on Sunday and week 1 begins with the year's first Sunday
 * (days before it are week 0). mingo counts from the ISO week instead (one too many in May 2019).
 */
function sundayWeek(wall: Date): number {
  const dayIndex = Math.floor((wall.getTime() - Date.UTC(wall.getUTCFullYear(), 0, 1)) / 86_400_000);
  return Math.floor((dayIndex + 7 - wall.getUTCDay()) / 7);
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const $dateToString = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options) as Doc;
  if (!isPlainObject(args)) throw requestFailed('$dateToString needs an object');
  const date = asDate(args.date, '$dateToString');
  if (date === null) return args.onNull === undefined ? null : args.onNull;
  const zone = args.timezone;
  const offset = zoneOffsetMinutes(zone, date);
  const wall = new Date(date.getTime() + offset * 60_000);
  const format = typeof args.format === 'string' ? args.format : zone === undefined ? '%Y-%m-%dT%H:%M:%S.%LZ' : '%Y-%m-%dT%H:%M:%S.%L';
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const field = (name: string) => onDate(name, wall, {}, options) as number;
  let out = '';
  for (let i = 0; i < format.length; i += 1) {
    const char = format.charAt(i);
    if (char !== '%') {
      out += char;
      continue;
    }
    const spec = format.charAt(i + 1);
    i += 1;
    switch (spec) {
      case 'Y':
        out += pad(wall.getUTCFullYear(), 4);
        break;
      case 'G':
        out += pad(field('$isoWeekYear'), 4);
        break;
      case 'm':
        out += pad(wall.getUTCMonth() + 1, 2);
        break;
      case 'd':
        out += pad(wall.getUTCDate(), 2);
        break;
      case 'H':
        out += pad(wall.getUTCHours(), 2);
        break;
      case 'M':
        out += pad(wall.getUTCMinutes(), 2);
        break;
      case 'S':
        out += pad(wall.getUTCSeconds(), 2);
        break;
      case 'L':
        out += pad(wall.getUTCMilliseconds(), 3);
        break;
      case 'j':
        out += pad(field('$dayOfYear'), 3);
        break;
      case 'u':
        out += String(field('$isoDayOfWeek'));
        break;
      case 'w':
        out += String(field('$dayOfWeek'));
        break;
      case 'U':
        out += pad(sundayWeek(wall), 2);
        break;
      case 'V':
        out += pad(field('$isoWeek'), 2);
        break;
      case 'z':
        out += formatOffset(offset);
        break;
      case 'Z':
        out += String(offset);
        break;
      case 'b':
        out += (MONTH_NAMES[wall.getUTCMonth()] as string).slice(0, 3);
        break;
      case 'B':
        out += MONTH_NAMES[wall.getUTCMonth()] as string;
        break;
      case '%':
        out += '%';
        break;
      default:
        throw requestFailed(`$dateToString: Invalid format character '%${spec}' in format string`);
    }
  }
  return out;
}) as unknown as ExpressionOperator;

const $dateToParts = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options) as Doc;
  const date = asDate(args?.date, '$dateToParts');
  if (date === null) return null;
  return onDate('$dateToParts', toWallClock(date, args.timezone), args.iso8601 === undefined ? {} : { iso8601: args.iso8601 }, options);
}) as unknown as ExpressionOperator;

const $dateFromParts = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options) as Doc;
  if (!isPlainObject(args)) throw requestFailed('$dateFromParts needs an object');
  const { timezone, ...parts } = args;
  const wall = mingoOperator('$dateFromParts')({}, literalArgs(parts), options);
  return wall instanceof Date ? fromWallClock(wall, timezone) : wall;
}) as unknown as ExpressionOperator;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const $dateFromString = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options) as Doc;
  if (!isPlainObject(args)) throw requestFailed('$dateFromString needs an object');
  const text = args.dateString;
  if (text === null || text === undefined) return args.onNull === undefined ? null : args.onNull;
  if (typeof text !== 'string') throw requestFailed('$dateFromString requires that dateString be a string');
  const zone = args.timezone;
  if (args.format !== undefined) {
    const { timezone: _zone, ...rest } = args;
    const parsed = mingoOperator('$dateFromString')({}, literalArgs(rest), options);
    if (!(parsed instanceof Date)) return failParse(args, text);
    return fromWallClock(parsed, zone);
  }
  const match = ISO_DATE.exec(text.trim());
  if (!match) return failParse(args, text);
  const [, year, month, day, hour, minute, second, millis, inText] = match;
  if (inText && zone !== undefined) {
    throw requestFailed(
      '$dateFromString: you cannot pass in a date/time string with time zone information together with a timezone argument',
    );
  }
  const wall = new Date(
    Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour ?? 0),
      Number(minute ?? 0),
      Number(second ?? 0),
      Number((millis ?? '0').padEnd(3, '0')),
    ),
  );
  return fromWallClock(wall, inText ? (inText === 'Z' ? 'UTC' : normalizeOffset(inText)) : zone);
}) as unknown as ExpressionOperator;

function normalizeOffset(offset: string): string {
  return offset.length === 3 ? `${offset}:00` : offset;
}

function failParse(args: Doc, text: string): unknown {
  if ('onError' in args) return args.onError;
  throw requestFailed(`$dateFromString: Error parsing date string '${text}'`);
}

/** `$dateTrunc`, `$dateAdd`, `$dateSubtract`: computed on the zone's wall clock, then back to an instant. */
function onWallClock(name: string): ExpressionOperator {
  return ((obj: AnyObject, expr: Any, options: Options) => {
    const args = evalExpr(obj, expr, options) as Doc;
    if (!isPlainObject(args)) throw requestFailed(`${name} needs an object`);
    const { timezone, ...rest } = args;
    const key = name === '$dateTrunc' ? 'date' : 'startDate';
    const date = asDate(rest[key], name);
    if (date === null) return null;
    const computed = mingoOperator(name)({}, { ...literalArgs(rest), [key]: { $literal: toWallClock(date, timezone) } }, options);
    return computed instanceof Date ? fromWallClock(computed, timezone) : computed;
  }) as unknown as ExpressionOperator;
}

const $dateDiff = ((obj: AnyObject, expr: Any, options: Options) => {
  const args = evalExpr(obj, expr, options) as Doc;
  if (!isPlainObject(args)) throw requestFailed('$dateDiff needs an object');
  const { timezone, ...rest } = args;
  const start = asDate(rest.startDate, '$dateDiff');
  const end = asDate(rest.endDate, '$dateDiff');
  if (start === null || end === null) return null;
  return mingoOperator('$dateDiff')(
    {},
    { ...literalArgs(rest), startDate: { $literal: toWallClock(start, timezone) }, endDate: { $literal: toWallClock(end, timezone) } },
    options,
  );
}) as unknown as ExpressionOperator;

/** Already evaluated arguments, protected from a second evaluation. */
function literalArgs(args: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(args))
    out[key] = typeof value === 'string' && value.startsWith('$') ? { $literal: value } : value;
  return out;
}

const DATE_EXTRACTORS = [
  '$year',
  '$month',
  '$dayOfMonth',
  '$hour',
  '$minute',
  '$second',
  '$millisecond',
  '$dayOfYear',
  '$dayOfWeek',
  '$week',
  '$isoDayOfWeek',
  '$isoWeek',
  '$isoWeekYear',
];

/**
 * mingo's operators with CloudBase's over them. Built here in full, because mingo's top-level
 * Query and Aggregator merge a caller's context *under* their defaults (the defaults win); the
 * engine uses the base classes (mingo/query, mingo/aggregator) with this context alone.
 */
export const CLOUDBASE_CONTEXT: Context = Context.init({
  accumulator: accumulatorOperators as never,
  pipeline: pipelineOperators as never,
  projection: projectionOperators as never,
  window: windowOperators as never,
  query: { ...(queryOperators as unknown as Record<string, QueryOperator>), $elemMatch, $nearSphere, $near, $geoWithin, $geoIntersects },
  expression: {
    ...(expressionOperators as unknown as Record<string, ExpressionOperator>),
    $indexOfCP,
    $substr: $substrBytes,
    $substrBytes,
    $dateToString,
    $dateToParts,
    $dateFromParts,
    $dateFromString,
    $dateTrunc: onWallClock('$dateTrunc'),
    $dateAdd: onWallClock('$dateAdd'),
    $dateSubtract: onWallClock('$dateSubtract'),
    $dateDiff,
    ...Object.fromEntries(DATE_EXTRACTORS.map((name) => [name, extractor(name)])),
  },
});
