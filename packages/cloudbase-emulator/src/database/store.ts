/**
 * The committed state of the database: collections of documents keyed by `_id`.
 *
 * Each collection is a Map from idKey(_id) to an immutable StoredDoc, so a lookup by `_id` is O(1)
 * and Map order is the natural (insertion) order. Changes are applied only through `apply`, in one
 * synchronous call, which keeps every action atomic with respect to the others.
 *
 * Equality indexes are built lazily, the first time a query filters a top-level field by
 * equality (`{ identityKeys: 'wx:…' }`, `{ f: { $in: [...] } }`), and then maintained on every
 * change. They only narrow the candidates: the full query still runs on each candidate, so an
 * index can never change a result, only the time it takes.
 */
import { type Doc, idKey, isPlainObject } from './ejson';

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

type Scalar = string | number | boolean;
const MAX_INDEXES_PER_COLLECTION = 32;

export class CollectionData {
  readonly docs = new Map<string, StoredDoc>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(readonly name: string) {}

  put(key: string, stored: StoredDoc): void {
    const previous = this.docs.get(key);
    this.docs.set(key, stored);
    for (const [field, index] of this.indexes) {
      if (previous) unindex(index, field, previous.doc, key);
      indexDoc(index, field, stored.doc, key);
    }
  }

  delete(key: string): void {
    const previous = this.docs.get(key);
    if (!previous) return;
    this.docs.delete(key);
    for (const [field, index] of this.indexes) unindex(index, field, previous.doc, key);
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
      if (field.startsWith('$') || field.includes('.') || field === '_id') continue;
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

  private index(field: string): Map<string, Set<string>> | undefined {
    let index = this.indexes.get(field);
    if (index || this.indexes.size >= MAX_INDEXES_PER_COLLECTION) return index;
    index = new Map();
    for (const [key, stored] of this.docs) indexDoc(index, field, stored.doc, key);
    this.indexes.set(field, index);
    return index;
  }
}

export class Store {
  private readonly collections = new Map<string, CollectionData>();
  private seq = 0;

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
        collection = new CollectionData(change.collection);
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

  /** The committed state as a ReadView. */
  view(): ReadView {
    return {
      hasCollection: (name) => this.hasCollection(name),
      get: (collection, key) => this.get(collection, key),
      candidates: (name, criteria) => {
        const collection = this.collections.get(name);
        if (!collection) return [];
        const keys = collection.candidateKeys(criteria);
        if (!keys) return [...collection.docs.values()];
        const found: StoredDoc[] = [];
        for (const key of keys) {
          const stored = collection.docs.get(key);
          if (stored) found.push(stored);
        }
        return found.length > 1 ? found.sort((a, b) => a.seq - b.seq) : found;
      },
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

/** A field holding an array is indexed under each of its scalar elements, as MongoDB multikey indexes do. */
function fieldKeys(doc: Doc, field: string): string[] {
  const value = doc[field];
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
