/**
 * The committed state of the database: collections of documents keyed by `_id`.
 *
 * Each collection is a Map from idKey(_id) to an immutable StoredDoc, so a lookup by `_id` is O(1)
 * and Map order is the natural (insertion) order. Changes are applied only through `apply`, in one
 * synchronous call, which keeps every action atomic with respect to the others.
 *
 * Equality indexes narrow the candidates of a query (`{ identityKeys: 'wx:…' }`, `{ f: { $in: [...] } }`,
 * an `$and` with such a member, an `$or` whose every branch has one). Which fields have one:
 *   - given the project's declarations (cloudbaserc.json, see declared-indexes.ts): `_id` and the
 *     first field of each declared index, as on CloudBase; a query none of them serves scans the
 *     collection, and when the collection is large that is reported once per query shape;
 *   - without declarations (no project file): any top-level field, built the first time a query
 *     filters on it (at most 32 per collection), so plain embedded use stays fast.
 * Indexes only narrow: the full query still runs on each candidate, so an index can never change a
 * result, only the time it takes. Declared unique indexes are enforced (checkUnique) with
 * CloudBase's duplicate-key error.
 */
import { duplicateKeyOnIndex } from './errors';
import type { DeclaredIndex } from './declared-indexes';
import { type Doc, encodeEjson, idKey, isPlainObject } from './ejson';

export interface StoredDoc {
  /** Position in natural order; kept when the document is replaced. */
  readonly seq: number;
  readonly doc: Doc;
}

export type Change =
  | { kind: 'create'; collection: string }
  | { kind: 'put'; collection: string; key: string; doc: Doc }
  | { kind: 'delete'; collection: string; key: string; id: unknown };

/** What queries read: the committed state, or a transaction's snapshot of it. */
export interface ReadView {
  hasCollection(collection: string): boolean;
  get(collection: string, key: string): StoredDoc | undefined;
  /** Documents that may match `criteria` (a superset), in natural order. */
  candidates(collection: string, criteria: Doc): StoredDoc[];
}

/** What Store.capture returns: collection name → document key → stored document. */
export type StoreCapture = ReadonlyMap<string, ReadonlyMap<string, StoredDoc>>;

type Scalar = string | number | boolean;
const MAX_INDEXES_PER_COLLECTION = 32;

export interface StoreOptions {
  /** The project's declared indexes; undefined: not known (any top-level field gets a lazy index). */
  declaredIndexes?: readonly DeclaredIndex[];
  /** A query that no index serves is reported when the collection holds at least this many documents. Default 1,000. */
  scanWarningThreshold?: number;
  onWarning?: (message: string) => void;
}

interface UniqueIndex {
  readonly name: string;
  readonly fields: readonly string[];
  /** tuple key → keys of the documents holding it (normally one). */
  readonly holders: Map<string, Set<string>>;
}

export class CollectionData {
  readonly docs = new Map<string, StoredDoc>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  readonly uniques: UniqueIndex[];

  /** `declaredFields`: the fields that may be indexed (null: any, lazily). */
  constructor(
    readonly name: string,
    private readonly declaredFields: ReadonlySet<string> | null = null,
    uniques: readonly DeclaredIndex[] = [],
  ) {
    this.uniques = uniques.map((index) => ({ name: index.name, fields: index.fields, holders: new Map() }));
    for (const field of declaredFields ?? []) this.indexes.set(field, new Map());
  }

  put(key: string, stored: StoredDoc): void {
    const previous = this.docs.get(key);
    this.docs.set(key, stored);
    for (const [field, index] of this.indexes) {
      if (previous) unindex(index, field, previous.doc, key);
      indexDoc(index, field, stored.doc, key);
    }
    for (const unique of this.uniques) {
      if (previous) removeHolder(unique.holders, tupleKey(unique.fields, previous.doc), key);
      addHolder(unique.holders, tupleKey(unique.fields, stored.doc), key);
    }
  }

  delete(key: string): void {
    const previous = this.docs.get(key);
    if (!previous) return;
    this.docs.delete(key);
    for (const [field, index] of this.indexes) unindex(index, field, previous.doc, key);
    for (const unique of this.uniques) removeHolder(unique.holders, tupleKey(unique.fields, previous.doc), key);
  }

  /** Keys of the documents that can match, or null when the whole collection must be scanned. */
  candidateKeys(criteria: Doc): string[] | null {
    if ('_id' in criteria) {
      const ids = equalityValues(criteria._id, true);
      if (ids) return ids.map(idKey);
    }
    for (const [field, condition] of Object.entries(criteria)) {
      if (field === '$and' && Array.isArray(condition)) {
        for (const member of condition) {
          if (!isPlainObject(member)) continue;
          const keys = this.candidateKeys(member);
          if (keys) return keys;
        }
        continue;
      }
      // `$or`: the union of its branches, when an index serves every one of them.
      if (field === '$or' && Array.isArray(condition) && condition.length > 0) {
        const union = new Set<string>();
        let served = true;
        for (const branch of condition) {
          const keys = isPlainObject(branch) ? this.candidateKeys(branch) : null;
          if (!keys) {
            served = false;
            break;
          }
          for (const key of keys) union.add(key);
        }
        if (served) return [...union];
        continue;
      }
      if (field.startsWith('$') || field === '_id') continue;
      if (field.includes('.') && !this.declaredFields?.has(field)) continue;
      const values = equalityValues(condition, false);
      if (!values) continue;
      const index = this.index(field);
      if (!index) continue;
      const keys = new Set<string>();
      for (const value of values) {
        for (const key of index.get(scalarKey(value as Scalar)) ?? []) keys.add(key);
      }
      return [...keys];
    }
    return null;
  }

  /**
   * Whether CloudBase would use a declared index (or `_id`) for `criteria`, whatever the condition
   * (a range like `{ expiresAt: _.lt(t) }` too): the emulator narrows only by equality, but it
   * reports a scan only when production would make one.
   */
  usesDeclaredIndex(criteria: Doc): boolean {
    return Object.entries(criteria).some(([field, condition]) => {
      if (field === '$and')
        return Array.isArray(condition) && condition.some((member) => isPlainObject(member) && this.usesDeclaredIndex(member));
      if (field === '$or') {
        return (
          Array.isArray(condition) &&
          condition.length > 0 &&
          condition.every((branch) => isPlainObject(branch) && this.usesDeclaredIndex(branch))
        );
      }
      return field === '_id' || (this.declaredFields?.has(field) ?? false);
    });
  }

  private index(field: string): Map<string, Set<string>> | undefined {
    let index = this.indexes.get(field);
    if (index || this.declaredFields || this.indexes.size >= MAX_INDEXES_PER_COLLECTION) return index;
    index = new Map();
    for (const [key, stored] of this.docs) indexDoc(index, field, stored.doc, key);
    this.indexes.set(field, index);
    return index;
  }
}

export class Store {
  private readonly collections = new Map<string, CollectionData>();
  private seq = 0;
  private readonly declared: readonly DeclaredIndex[] | undefined;
  private readonly scanWarningThreshold: number;
  private readonly onWarning: (message: string) => void;
  private readonly warnedShapes = new Set<string>();

  constructor(options: StoreOptions = {}) {
    this.declared = options.declaredIndexes;
    this.scanWarningThreshold = options.scanWarningThreshold ?? 1000;
    this.onWarning = options.onWarning ?? console.warn;
  }

  private createCollection(name: string): CollectionData {
    if (!this.declared) return new CollectionData(name);
    const own = this.declared.filter((index) => index.collection === name);
    return new CollectionData(
      name,
      new Set(own.map((index) => index.fields[0] as string).filter((field) => field !== '_id')),
      own.filter((index) => index.unique),
    );
  }

  /**
   * The committed documents that may match `criteria`, in natural order; with declared indexes, a
   * large collection scanned for a query none of them serves is reported once per query shape.
   */
  candidates(name: string, criteria: Doc): StoredDoc[] {
    const collection = this.collections.get(name);
    if (!collection) return [];
    const keys = collection.candidateKeys(criteria);
    if (!keys) {
      if (this.declared && collection.docs.size >= this.scanWarningThreshold && !collection.usesDeclaredIndex(criteria)) {
        this.warnScan(name, criteria, collection.docs.size);
      }
      return [...collection.docs.values()];
    }
    const found: StoredDoc[] = [];
    for (const key of keys) {
      const stored = collection.docs.get(key);
      if (stored) found.push(stored);
    }
    return found.length > 1 ? found.sort((a, b) => a.seq - b.seq) : found;
  }

  private warnScan(collection: string, criteria: Doc, size: number): void {
    const fields = [...queryFields(criteria)].sort();
    if (fields.length === 0) return; // no filter at all: reading a page of the collection is not a scan
    const shape = `${collection}\u0000${fields.join('\u0000')}`;
    if (this.warnedShapes.has(shape)) return;
    this.warnedShapes.add(shape);
    this.onWarning(
      `[cloudbase-emulator] collection "${collection}": a query on ${fields.join(', ')} scanned all ${size} documents — ` +
        `no index declared in cloudbaserc.json serves it. On CloudBase it scans the whole collection and may time out; ` +
        `declare an index on one of these fields under framework.plugins.<database>.inputs.collections[].createIndexes.`,
    );
  }

  /**
   * Throws CloudBase's duplicate-key error when applying `changes` (in order) would give two
   * documents the same value of a declared unique index. `base` are writes that precede them
   * (a transaction's own earlier writes).
   */
  checkUnique(changes: readonly Change[], base: readonly Change[] = []): void {
    if (!this.declared?.some((index) => index.unique)) return;
    // collection → index name → { key → tuple, tuple → keys } of the batch so far
    const pending = new Map<string, { byKey: Map<string, string | null>; byTuple: Map<string, Set<string>> }>();
    const all = [...base, ...changes];
    all.forEach((change, position) => {
      if (change.kind === 'create') return;
      const collection = this.collections.get(change.collection) ?? this.createCollection(change.collection);
      for (const unique of collection.uniques) {
        const slot = `${change.collection}\u0000${unique.name}`;
        let batch = pending.get(slot);
        if (!batch) {
          batch = { byKey: new Map(), byTuple: new Map() };
          pending.set(slot, batch);
        }
        const previousTuple = batch.byKey.get(change.key);
        if (previousTuple) removeHolder(batch.byTuple, previousTuple, change.key);
        if (change.kind === 'delete') {
          batch.byKey.set(change.key, null);
          continue;
        }
        const tuple = tupleKey(unique.fields, change.doc);
        if (position >= base.length) {
          const committedClash = [...(unique.holders.get(tuple) ?? [])].some(
            (holder) => holder !== change.key && !(batch.byKey.has(holder) && batch.byKey.get(holder) !== tuple),
          );
          const batchClash = [...(batch.byTuple.get(tuple) ?? [])].some((holder) => holder !== change.key);
          if (committedClash || batchClash) throw duplicateKeyOnIndex(change.collection, unique.name, unique.fields, change.doc);
        }
        batch.byKey.set(change.key, tuple);
        addHolder(batch.byTuple, tuple, change.key);
      }
    });
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  hasCollection(name: string): boolean {
    return this.collections.has(name);
  }

  collection(name: string): CollectionData | undefined {
    return this.collections.get(name);
  }

  names(): string[] {
    return [...this.collections.keys()];
  }

  get(collection: string, key: string): StoredDoc | undefined {
    return this.collections.get(collection)?.docs.get(key);
  }

  /** Applies changes in order; the caller has already validated them. */
  apply(changes: readonly Change[]): void {
    for (const change of changes) {
      let collection = this.collections.get(change.collection);
      if (!collection) {
        collection = this.createCollection(change.collection);
        this.collections.set(change.collection, collection);
      }
      if (change.kind === 'put') {
        const seq = collection.docs.get(change.key)?.seq ?? this.nextSeq();
        collection.put(change.key, { seq, doc: change.doc });
      } else if (change.kind === 'delete') {
        collection.delete(change.key);
      }
    }
  }

  /**
   * Every collection's documents as they are now. Stored documents are never mutated (ejson.ts),
   * so this copies references only.
   */
  capture(): StoreCapture {
    return new Map([...this.collections].map(([name, data]) => [name, new Map(data.docs)]));
  }

  /** Back to a capture: collections created since are gone, the others hold what they held (indexes rebuilt). */
  restore(capture: StoreCapture): void {
    this.collections.clear();
    for (const [name, docs] of capture) {
      const collection = this.createCollection(name);
      for (const [key, stored] of docs) collection.put(key, stored);
      this.collections.set(name, collection);
    }
  }

  /** The committed state as a ReadView. */
  view(): ReadView {
    return {
      hasCollection: (name) => this.hasCollection(name),
      get: (collection, key) => this.get(collection, key),
      candidates: (name, criteria) => this.candidates(name, criteria),
    };
  }
}

/**
 * The values a condition accepts by plain equality (`v`, `{ $eq: v }`, `{ $in: [...] }`), or null.
 * For ordinary fields only strings, numbers and booleans qualify (what the index holds); `_id`
 * also accepts ObjectId and other BSON values, since it is looked up by its encoded key.
 */
function equalityValues(condition: unknown, forId: boolean): unknown[] | null {
  const accepts = (value: unknown): boolean =>
    isScalar(value) ||
    (forId && value !== null && typeof value === 'object' && !Array.isArray(value) && !isPlainObject(value) && !(value instanceof RegExp));
  if (accepts(condition)) return [condition];
  if (!isPlainObject(condition)) return null;
  const keys = Object.keys(condition);
  if (keys.length !== 1) return null;
  if (keys[0] === '$eq' && accepts(condition.$eq)) return [condition.$eq];
  if (keys[0] === '$in' && Array.isArray(condition.$in) && condition.$in.every(accepts)) return condition.$in;
  return null;
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function scalarKey(value: Scalar): string {
  return `${typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b'}${String(value)}`;
}

/** The value at a field path through plain objects (declared indexes may name `a.b`). */
function valueAtPath(doc: Doc, field: string): unknown {
  if (!field.includes('.')) return doc[field];
  let current: unknown = doc;
  for (const segment of field.split('.')) current = isPlainObject(current) ? current[segment] : undefined;
  return current;
}

/** The fields a query filters on, through `$and` / `$or` / `$nor`. */
function queryFields(criteria: Doc, out = new Set<string>()): Set<string> {
  for (const [field, condition] of Object.entries(criteria)) {
    if (field === '$and' || field === '$or' || field === '$nor') {
      if (Array.isArray(condition)) for (const member of condition) if (isPlainObject(member)) queryFields(member, out);
    } else if (!field.startsWith('$')) {
      out.add(field);
    }
  }
  return out;
}

/** The key of a document in a unique index: its values at the fields, missing ones as null (MongoDB's rule). */
function tupleKey(fields: readonly string[], doc: Doc): string {
  return encodeEjson(fields.map((field) => valueAtPath(doc, field) ?? null));
}

function addHolder(holders: Map<string, Set<string>>, tuple: string, key: string): void {
  let keys = holders.get(tuple);
  if (!keys) {
    keys = new Set();
    holders.set(tuple, keys);
  }
  keys.add(key);
}

function removeHolder(holders: Map<string, Set<string>>, tuple: string, key: string): void {
  const keys = holders.get(tuple);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) holders.delete(tuple);
}

/** A field holding an array is indexed under each of its scalar elements, as MongoDB multikey indexes do. */
function fieldKeys(doc: Doc, field: string): string[] {
  const value = valueAtPath(doc, field);
  if (isScalar(value)) return [scalarKey(value)];
  if (Array.isArray(value)) return value.filter(isScalar).map(scalarKey);
  return [];
}

function indexDoc(index: Map<string, Set<string>>, field: string, doc: Doc, key: string): void {
  for (const valueKey of fieldKeys(doc, field)) {
    let keys = index.get(valueKey);
    if (!keys) {
      keys = new Set();
      index.set(valueKey, keys);
    }
    keys.add(key);
  }
}

function unindex(index: Map<string, Set<string>>, field: string, doc: Doc, key: string): void {
  for (const valueKey of fieldKeys(doc, field)) {
    const keys = index.get(valueKey);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(valueKey);
  }
}
