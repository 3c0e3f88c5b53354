/**
 * What each database action means, as pure functions over a ReadView.
 *
 * Reads return documents; writes return the list of Changes they would make (plus the counts the
 * SDK parses) without touching the store. The caller commits the changes — to the store and the
 * log, or into a transaction — in the same synchronous turn, so nothing can interleave between
 * reading the state and writing it.
 *
 * Matching, sorting, projection, update operators and aggregation are mingo's. Where mingo is more
 * lenient than MongoDB (it silently skips `$inc` on a string, or `$push` onto a non-array), the
 * checks here raise the error the real service gives.
 */
import { update as applyUpdateOperators } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import { Query } from 'mingo/query';
import { CLOUDBASE_CONTEXT, jsonSchemaValidator } from './cloudbase-operators';
import { asRequestFailed, collectionNotExist, duplicateKey, requestFailed } from './errors';
import { cloneValue, type Doc, describeId, idKey, isPlainObject, sameValue } from './ejson';
import { applySimpleUpdate, simplePredicate } from './fast-paths';
import { geoNearStage, nearConditionOf, nearDistance } from './geo';
import type { Change, ReadView, StoredDoc } from './store';

/**
 * mingo options shared by every query: no `$where` scripts from the wire, and the operators where
 * CloudBase differs from mingo (cloudbase-operators.ts).
 */
const MINGO_OPTIONS = { scriptEnabled: false, context: CLOUDBASE_CONTEXT, jsonSchemaValidator } as const;

export type SortSpec = Record<string, 1 | -1>;

export interface FindOptions {
  order?: SortSpec;
  offset: number;
  limit: number;
  projection?: Doc;
}

export function requireCollection(view: ReadView, collection: string): void {
  if (!view.hasCollection(collection)) throw collectionNotExist(collection);
}

function compileMatcher(criteria: Doc): (doc: Doc) => boolean {
  const query = compileQuery(criteria);
  return (doc) => query.test(doc);
}

function compileQuery(criteria: Doc): Query {
  try {
    return new Query(criteria, MINGO_OPTIONS);
  } catch (error) {
    throw asRequestFailed(error);
  }
}

/** The stored documents matching `criteria`, in natural order. */
export function matchDocuments(view: ReadView, collection: string, criteria: Doc): StoredDoc[] {
  requireCollection(view, collection);
  const candidates = view.candidates(collection, criteria);
  if (Object.keys(criteria).length === 0) return candidates;
  const simple = simplePredicate(criteria);
  if (simple) return candidates.filter((stored) => simple(stored.doc));
  const query = compileQuery(criteria);
  try {
    return candidates.filter((stored) => query.test(stored.doc));
  } catch (error) {
    throw asRequestFailed(error);
  }
}

export function findDocuments(view: ReadView, collection: string, criteria: Doc, options: FindOptions): { list: Doc[]; total: number } {
  let matched = matchDocuments(view, collection, criteria).map((stored) => stored.doc);
  // A `$nearSphere` query answers nearest first (an explicit order, applied below, takes over).
  const near = nearConditionOf(criteria);
  if (near) {
    const distanceOf = (doc: Doc) => nearDistance(resolveField(doc, near.field), near.spec) ?? Number.POSITIVE_INFINITY;
    matched = matched
      .map((doc) => ({ doc, meters: distanceOf(doc) }))
      .sort((a, b) => a.meters - b.meters)
      .map((entry) => entry.doc);
  }
  let page: Doc[];
  try {
    page =
      options.order && Object.keys(options.order).length > 0
        ? new Query({}, MINGO_OPTIONS).find<Doc>(matched).sort(options.order).skip(options.offset).limit(options.limit).all()
        : matched.slice(options.offset, options.offset + options.limit);
    if (options.projection && Object.keys(options.projection).length > 0) {
      const projection = options.projection;
      const identity = new Query({}, MINGO_OPTIONS);
      page = page.map((doc) => inOriginalOrder(identity.find<Doc>([doc], projection).all()[0] ?? {}, doc));
    }
  } catch (error) {
    throw asRequestFailed(error);
  }
  return { list: page, total: matched.length };
}

function resolveField(doc: Doc, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) current = current.map((item) => (isPlainObject(item) ? item[segment] : undefined));
    else if (isPlainObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** mingo puts `_id` last in a projection; MongoDB keeps the document's field order. */
function inOriginalOrder(projected: Doc, original: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(original)) if (key in projected) out[key] = projected[key];
  for (const key of Object.keys(projected)) if (!(key in out)) out[key] = projected[key];
  return out;
}

export function countDocuments(view: ReadView, collection: string, criteria: Doc): number {
  return matchDocuments(view, collection, criteria).length;
}

// ---------------------------------------------------------------------------------------------
// insert

export function planInsert(view: ReadView, collection: string, docs: Doc[], newId: () => string): { changes: Change[]; ids: unknown[] } {
  requireCollection(view, collection);
  const changes: Change[] = [];
  const ids: unknown[] = [];
  const batch = new Set<string>();
  for (const input of docs) {
    // `_id` first, as MongoDB stores it.
    const doc: Doc = input._id === undefined ? { _id: newId(), ...input } : input;
    checkStorable(doc);
    const key = idKey(doc._id);
    // All or nothing: a duplicate anywhere in the batch rejects the whole insert.
    if (batch.has(key) || view.get(collection, key)) throw duplicateKey(collection, describeId(doc._id));
    batch.add(key);
    changes.push({ kind: 'put', collection, key, doc });
    ids.push(doc._id);
  }
  return { changes, ids };
}

function checkStorable(doc: Doc): void {
  const id = doc._id;
  if (Array.isArray(id)) throw requestFailed(`can't use an array for _id`);
  if (id instanceof RegExp || (id !== null && typeof id === 'object' && (id as { _bsontype?: unknown })._bsontype === 'BSONRegExp')) {
    throw requestFailed(`can't use a regex for _id`);
  }
  if (id === undefined) throw requestFailed('_id is required');
  for (const key of Object.keys(doc)) {
    if (key.startsWith('$')) throw requestFailed(`The dollar ($) prefixed field '${key}' in '${key}' is not valid for storage.`);
  }
}

// ---------------------------------------------------------------------------------------------
// modify

export interface ModifyRequest {
  criteria: Doc;
  multi: boolean;
  /** true: `data` holds update operators (plain fields are merged like $set); false: `data` replaces the document. */
  merge: boolean;
  upsert: boolean;
  data: Doc;
}

export interface ModifyPlan {
  changes: Change[];
  /** Documents actually changed (MongoDB's nModified: rewriting a field with the same value counts 0). */
  updated: number;
  /** Set only when the upsert created a document. */
  upsertId?: unknown;
  /** The first matched (or upserted) document after the update, for modifyAndReturnDoc. */
  doc: Doc | null;
}

const UPDATE_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pop',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);
const NUMERIC_OPERATORS = new Set(['$inc', '$mul']);
const ARRAY_OPERATORS = new Set(['$push', '$pop', '$pull', '$pullAll', '$addToSet']);

export function planModify(view: ReadView, collection: string, request: ModifyRequest, newId: () => string): ModifyPlan {
  const targets = matchDocuments(view, collection, request.criteria);
  const chosen = request.multi && request.merge ? targets : targets.slice(0, 1);
  if (request.merge) {
    const modifier = toModifier(request.data);
    const changes: Change[] = [];
    let firstDoc: Doc | null = null;
    for (const stored of chosen) {
      const next = applyModifier(stored.doc, modifier, request.criteria);
      firstDoc ??= next ?? stored.doc;
      if (next) changes.push({ kind: 'put', collection, key: idKey(next._id), doc: next });
    }
    if (chosen.length === 0 && request.upsert) {
      const created = upsertDocument(request.criteria, modifier, newId);
      return {
        changes: [{ kind: 'put', collection, key: idKey(created._id), doc: created }],
        updated: 0,
        upsertId: created._id,
        doc: created,
      };
    }
    return { changes, updated: changes.length, doc: firstDoc };
  }

  const replacement = checkReplacement(request.data);
  const target = chosen[0];
  if (!target) {
    if (!request.upsert) return { changes: [], updated: 0, doc: null };
    const id = replacement._id ?? equalityFields(request.criteria)._id ?? newId();
    const created: Doc = { _id: id, ...withoutId(replacement) };
    checkStorable(created);
    // An upsert must not collide with a document the criteria did not match.
    if (view.get(collection, idKey(id))) throw duplicateKey(collection, describeId(id));
    return { changes: [{ kind: 'put', collection, key: idKey(id), doc: created }], updated: 0, upsertId: id, doc: created };
  }
  if (replacement._id !== undefined && !sameValue(replacement._id, target.doc._id)) {
    throw requestFailed(
      `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${describeId(replacement._id)}`,
    );
  }
  const next: Doc = { _id: target.doc._id, ...withoutId(replacement) };
  // CloudBase reports `updated: 1` for a set() of an existing document even when it is unchanged
  // (its documented rule: 1 when the _id exists, otherwise 0), unlike MongoDB's nModified.
  if (sameValue(next, target.doc)) return { changes: [], updated: 1, doc: target.doc };
  return { changes: [{ kind: 'put', collection, key: idKey(next._id), doc: next }], updated: 1, doc: next };
}

function withoutId(doc: Doc): Doc {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}

function checkReplacement(data: Doc): Doc {
  for (const key of Object.keys(data)) {
    if (key.startsWith('$')) throw requestFailed(`The dollar ($) prefixed field '${key}' in '${key}' is not valid for storage.`);
  }
  return data;
}

/** Update operators as given; plain fields (merge mode) are treated as `$set`, as the SDK itself does. */
function toModifier(data: Doc): Doc {
  const modifier: Doc = {};
  const plain: Doc = {};
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith('$')) {
      plain[key] = value;
      continue;
    }
    if (!UPDATE_OPERATORS.has(key)) {
      throw requestFailed(`Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isPlainObject(value)) throw requestFailed(`Modifiers operate on fields but we found type ${typeName(value)} instead: ${key}`);
    modifier[key] = key === '$addToSet' ? uniqueEach(value) : value;
  }
  if (Object.keys(plain).length > 0) modifier.$set = { ...(isPlainObject(modifier.$set) ? modifier.$set : {}), ...plain };
  if (Object.keys(modifier).length === 0) throw requestFailed('Update document requires atomic operators');
  return modifier;
}

/** `$addToSet: { f: { $each: [x, x] } }` adds x once in MongoDB; mingo would add it twice. */
function uniqueEach(spec: Doc): Doc {
  const out: Doc = {};
  for (const [field, value] of Object.entries(spec)) {
    if (isPlainObject(value) && Array.isArray(value.$each)) {
      const unique: unknown[] = [];
      for (const item of value.$each) if (!unique.some((seen) => sameValue(seen, item))) unique.push(item);
      out[field] = { ...value, $each: unique };
    } else {
      out[field] = value;
    }
  }
  return out;
}

/** Applies operators to a copy of `doc`; returns the new document, or null when nothing changed. */
function applyModifier(doc: Doc, modifier: Doc, criteria: Doc | undefined): Doc | null {
  const { $setOnInsert: _insertOnly, ...operators } = modifier;
  if (Object.keys(operators).length === 0) return null;
  checkOperators(doc, operators);
  const quick = applySimpleUpdate(doc, operators);
  if (quick !== undefined) return quick;
  const copy = cloneValue(doc);
  // The query is only needed for the positional `$` operator; compiling it costs time.
  const positional = Object.values(operators).some(
    (spec) => isPlainObject(spec) && Object.keys(spec).some((path) => /\.\$(\.|$)/.test(path)),
  );
  let modified: string[];
  try {
    modified = applyUpdateOperators(copy, operators, undefined, positional ? criteria : undefined, { queryOptions: MINGO_OPTIONS });
  } catch (error) {
    throw asRequestFailed(error);
  }
  if (modified.length === 0) return null;
  if (!sameValue(copy._id, doc._id)) throw immutableId();
  return copy;
}

function upsertDocument(criteria: Doc, modifier: Doc, newId: () => string): Doc {
  const base = equalityFields(criteria);
  const seed: Doc = { _id: base._id ?? newId(), ...withoutId(base) };
  const { $setOnInsert, ...operators } = modifier;
  const onInsert = isPlainObject($setOnInsert) ? $setOnInsert : {};
  const all: Doc = { ...operators, $set: { ...(isPlainObject(operators.$set) ? operators.$set : {}), ...onInsert } };
  if (Object.keys(all.$set as Doc).length === 0) delete all.$set;
  const created = Object.keys(all).length > 0 ? (applyModifier(seed, all, undefined) ?? seed) : seed;
  checkStorable(created);
  return created;
}

/** The fields an upsert copies from its query: top-level equalities (`{ a: 1 }`, `{ a: { $eq: 1 } }`). */
function equalityFields(criteria: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(criteria)) {
    if (key.startsWith('$') || key.includes('.')) continue;
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === '$eq') out[key] = value.$eq;
      else if (!keys.some((k) => k.startsWith('$'))) out[key] = value;
    } else if (!(value instanceof RegExp)) {
      out[key] = value;
    }
  }
  return out;
}

function immutableId(): Error {
  return requestFailed(`Performing an update on the path '_id' would modify the immutable field '_id'`);
}

/** The checks MongoDB makes and mingo does not. */
function checkOperators(doc: Doc, operators: Doc): void {
  for (const [operator, spec] of Object.entries(operators)) {
    if (!isPlainObject(spec)) continue;
    for (const [path, argument] of Object.entries(spec)) {
      const touchesId =
        path === '_id' ||
        path.startsWith('_id.') ||
        (operator === '$rename' && (argument === '_id' || String(argument).startsWith('_id.')));
      if (touchesId && !(operator === '$set' && sameValue(argument, doc._id))) throw immutableId();
      if (path.includes('$')) continue; // positional paths: left to mingo
      const found = resolvePath(doc, path);
      if (found.blockedBy !== undefined) {
        throw requestFailed(
          `Cannot create field '${found.blockedAt}' in element {${found.blockedParent}: ${encodeForMessage(found.blockedBy)}}`,
        );
      }
      if (!found.exists) continue;
      if (NUMERIC_OPERATORS.has(operator) && typeof found.value !== 'number' && !isLong(found.value)) {
        throw requestFailed(
          `Cannot apply ${operator} to a value of non-numeric type. {_id: ${describeId(doc._id)}} has the field '${path}' of non-numeric type ${typeName(found.value)}`,
        );
      }
      if (ARRAY_OPERATORS.has(operator) && !Array.isArray(found.value)) {
        throw requestFailed(
          `The field '${path}' must be an array but is of type ${typeName(found.value)} in document {_id: ${describeId(doc._id)}}`,
        );
      }
    }
  }
}

interface PathLookup {
  exists: boolean;
  value?: unknown;
  /** Set when a segment would have to be created inside a scalar. */
  blockedBy?: unknown;
  blockedAt?: string;
  blockedParent?: string;
}

function resolvePath(doc: Doc, path: string): PathLookup {
  const segments = path.split('.');
  let current: unknown = doc;
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as string;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return { exists: false };
      current = current[Number(segment)];
    } else if (isPlainObject(current)) {
      current = current[segment];
    } else {
      return { exists: false };
    }
    if (current === undefined) return { exists: false };
    const next = segments[i + 1];
    if (next !== undefined && (current === null || typeof current !== 'object' || current instanceof Date)) {
      return { exists: false, blockedBy: current, blockedAt: next, blockedParent: segment };
    }
  }
  return { exists: true, value: current };
}

function isLong(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { _bsontype?: unknown })._bsontype === 'Long';
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return isPlainObject(value) ? 'object' : String((value as { _bsontype?: unknown })._bsontype ?? 'object');
  return typeof value;
}

function encodeForMessage(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value instanceof Date ? value.toISOString() : String(value);
}

// ---------------------------------------------------------------------------------------------
// remove

export function planRemove(view: ReadView, collection: string, criteria: Doc, multi: boolean): { changes: Change[]; deleted: number } {
  const matched = matchDocuments(view, collection, criteria);
  const chosen = multi ? matched : matched.slice(0, 1);
  return {
    changes: chosen.map((stored) => ({ kind: 'delete', collection, key: idKey(stored.doc._id), id: stored.doc._id })),
    deleted: chosen.length,
  };
}

// ---------------------------------------------------------------------------------------------
// aggregate

/** Stages that would write: mingo would write into our throw-away copies, so refuse them loudly. */
const WRITE_STAGES = new Set(['$out', '$merge']);

export function aggregate(view: ReadView, collection: string, pipeline: Doc[]): Doc[] {
  requireCollection(view, collection);
  for (const stage of pipeline) {
    for (const key of Object.keys(stage)) {
      if (WRITE_STAGES.has(key)) throw requestFailed(`${key} is not supported in aggregate`);
    }
  }
  // mingo may add fields to the documents it is given: it works on copies, never on stored documents.
  const copies = (name: string): Doc[] =>
    view.hasCollection(name) ? view.candidates(name, {}).map((stored) => cloneValue(stored.doc)) : [];
  pipeline.slice(1).forEach((stage) => {
    if ('$geoNear' in stage) throw requestFailed('$geoNear is only valid as the first stage in a pipeline.');
  });
  const first = pipeline[0];
  try {
    // mingo has no $geoNear: the first stage is computed here, the rest of the pipeline by mingo.
    const input = first && '$geoNear' in first ? geoNearStage(copies(collection), first.$geoNear, compileMatcher) : copies(collection);
    const rest = first && '$geoNear' in first ? pipeline.slice(1) : pipeline;
    return new Aggregator(rest, { ...MINGO_OPTIONS, collectionResolver: copies }).run(input) as Doc[];
  } catch (error) {
    throw asRequestFailed(error);
  }
}
