/**
 * The `database.*` admin actions, in the shapes wx-server-sdk 4.0.2 sends and parses
 * (@cloudbase/database 1.4.3 builds the bodies; see the wire capture in shared/reference).
 *
 * Each handler is synchronous up to its decision — parse the body, read the state, compute and
 * apply the change — so no other request can interleave; only then does it wait, for the log to
 * make that change (and anything it read) durable, before answering. Even a read or an error waits
 * for the writes it observed, so nothing is ever answered from state that a crash could still lose.
 *
 * Request bodies also carry envName, wxCloudApiToken, tcb_sessionToken... which are ignored here.
 */
import type { AdminHandler, AdminReply, AdminRequest } from '../core/module';
import { decodeEjson, encodeEjson, type Doc, isPlainObject } from './ejson';
import { aggregate, countDocuments, findDocuments, planInsert, planModify, planRemove, type SortSpec } from './engine';
import { checkCollectionName } from './collection-name';
import { collectionAlreadyExists, invalidParam } from './errors';
import type { Change, ReadView, Store } from './store';
import type { Transaction, TransactionManager } from './transactions';

/** What the handlers need from the database. */
export interface DatabaseCore {
  readonly store: Store;
  readonly transactions: TransactionManager;
  /** Server clock (ms) for db.serverDate(). */
  now(): number;
  /** A new document `_id`. */
  newId(): string;
  /** Applies committed changes and resolves when they are durable. */
  commit(changes: readonly Change[], committer?: Transaction): Promise<void>;
  /** Resolves when everything applied so far is durable. */
  barrier(): Promise<void>;
  /** Throws once the database is closed. */
  assertOpen(): void;
}

/** The client's default page size (Query.get() sends 100 when no limit was set) and the server's cap. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

interface Outcome {
  reply: AdminReply;
  durable: Promise<void>;
}

interface Scope {
  view: ReadView;
  transaction?: Transaction;
}

export function createDatabaseActions(core: DatabaseCore): Record<string, AdminHandler> {
  /** Wraps a synchronous decision so the answer waits for durability. */
  const action =
    (decide: (body: Record<string, unknown>) => Outcome): AdminHandler =>
    async (request: AdminRequest) => {
      let outcome: Outcome;
      try {
        core.assertOpen();
        outcome = decide(request.body);
      } catch (error) {
        await core.barrier().catch(() => undefined);
        throw error;
      }
      await outcome.durable;
      return outcome.reply;
    };

  const json = (data?: unknown, durable: Promise<void> = core.barrier()): Outcome => ({
    reply: data === undefined ? { kind: 'json' } : { kind: 'json', data },
    durable,
  });

  const scopeOf = (body: Record<string, unknown>): Scope => {
    const id = body.transactionId;
    if (id === undefined || id === null || id === '') return { view: core.store.view() };
    if (typeof id !== 'string') throw invalidParam('transactionId must be a string');
    const transaction = core.transactions.active(id);
    return { view: core.transactions.view(transaction), transaction };
  };

  /** Commits, or inside a transaction records the changes for its commit. */
  const write = (scope: Scope, changes: Change[]): Promise<void> => {
    if (!scope.transaction) return core.commit(changes);
    core.transactions.stage(scope.transaction, changes);
    return core.barrier();
  };

  const ejsonField = (body: Record<string, unknown>, field: string, forQuery: boolean): Doc | undefined => {
    const text = body[field];
    if (text === undefined || text === null || text === '') return undefined;
    if (typeof text !== 'string') throw invalidParam(`${field} must be an Extended JSON string`);
    const value = decodeEjson(text, field, { now: core.now(), forQuery });
    if (!isPlainObject(value)) throw invalidParam(`${field} must encode an object`);
    return value;
  };

  const criteriaOf = (body: Record<string, unknown>): Doc => {
    const queryType = body.queryType;
    if (queryType !== undefined && queryType !== 'DOC' && queryType !== 'WHERE') {
      throw invalidParam(`queryType must be 'DOC' or 'WHERE', got ${JSON.stringify(queryType)}`);
    }
    const criteria = ejsonField(body, 'query', true) ?? {};
    if (queryType === 'DOC' && !('_id' in criteria)) throw invalidParam(`a DOC query needs an _id`);
    return criteria;
  };

  return {
    'database.getDocument': action((body) => {
      const collection = collectionNameOf(body);
      const criteria = criteriaOf(body);
      const requested = integerOf(body, 'limit');
      const limit = requested === undefined || requested === 0 ? DEFAULT_LIMIT : Math.min(requested, MAX_LIMIT);
      const offset = integerOf(body, 'offset') ?? 0;
      const order = orderOf(ejsonOrderField(body, core.now()));
      const projection = ejsonField(body, 'projection', true);
      const { list, total } = findDocuments(scopeOf(body).view, collection, criteria, { order, offset, limit, projection });
      return json({ list: list.map(encodeReply), total, limit, offset });
    }),

    'database.insertDocument': action((body) => {
      const collection = collectionNameOf(body);
      const raw = typeof body.data === 'string' ? [body.data] : body.data;
      if (!Array.isArray(raw) || raw.length === 0) throw invalidParam('data must be a non-empty array of Extended JSON documents');
      const docs = raw.map((item, index) => {
        if (typeof item !== 'string') throw invalidParam(`data[${index}] must be an Extended JSON string`);
        const doc = decodeEjson(item, `data[${index}]`, { now: core.now() });
        if (!isPlainObject(doc)) throw invalidParam(`data[${index}] must encode an object`);
        return doc;
      });
      const scope = scopeOf(body);
      const { changes, ids } = planInsert(scope.view, collection, docs, core.newId);
      return json({ insertedIds: ids }, write(scope, changes));
    }),

    'database.modifyDocument': action((body) => {
      const collection = collectionNameOf(body);
      const criteria = criteriaOf(body);
      const data = requiredData(body, core.now());
      const scope = scopeOf(body);
      const plan = planModify(
        scope.view,
        collection,
        {
          criteria,
          data,
          multi: booleanOf(body, 'multi', false),
          merge: booleanOf(body, 'merge', true),
          upsert: booleanOf(body, 'upsert', false),
        },
        core.newId,
      );
      // doc().set() reads `upsert_id` to report `stats.created`: present only when a document was created.
      const answer: Record<string, unknown> = { updated: plan.updated };
      if (plan.upsertId !== undefined) answer.upsert_id = plan.upsertId;
      return json(answer, write(scope, plan.changes));
    }),

    // node-sdk's updateAndReturn; wx-server-sdk does not expose it, but it is cheap to honour.
    'database.modifyAndReturnDoc': action((body) => {
      const collection = collectionNameOf(body);
      const criteria = criteriaOf(body);
      const data = requiredData(body, core.now());
      const scope = scopeOf(body);
      const plan = planModify(scope.view, collection, { criteria, data, multi: false, merge: true, upsert: false }, core.newId);
      return json({ updated: plan.updated, doc: plan.doc ? encodeReply(plan.doc) : null }, write(scope, plan.changes));
    }),

    'database.removeDocument': action((body) => {
      const collection = collectionNameOf(body);
      const criteria = criteriaOf(body);
      const scope = scopeOf(body);
      const { changes, deleted } = planRemove(scope.view, collection, criteria, booleanOf(body, 'multi', false));
      return json({ deleted }, write(scope, changes));
    }),

    'database.calculateDocument': action((body) => {
      const collection = collectionNameOf(body);
      const criteria = criteriaOf(body);
      return json({ total: countDocuments(scopeOf(body).view, collection, criteria) });
    }),

    'database.aggregateDocuments': action((body) => {
      const collection = collectionNameOf(body);
      const stages = body.stages;
      if (!Array.isArray(stages)) throw invalidParam('stages must be an array of { stageKey, stageValue }');
      const pipeline = stages.map((stage: unknown, index) => {
        const { stageKey, stageValue } = (isPlainObject(stage) ? stage : {}) as { stageKey?: unknown; stageValue?: unknown };
        if (typeof stageKey !== 'string' || !stageKey.startsWith('$') || typeof stageValue !== 'string') {
          throw invalidParam(`stages[${index}] must be { stageKey: '$stage', stageValue: JSON string }`);
        }
        // Non-object stage values ($limit: 3, $count: "n") arrive as plain JSON, objects as canonical EJSON.
        return { [stageKey]: decodeEjson(stageValue, `stages[${index}].stageValue`, { now: core.now(), forQuery: true }) };
      });
      const list = aggregate(scopeOf(body).view, collection, pipeline);
      return json({ list: list.map(encodeReply) });
    }),

    'database.addCollection': action((body) => {
      const collection = collectionNameOf(body);
      if (core.store.hasCollection(collection)) throw collectionAlreadyExists(collection);
      return json(undefined, core.commit([{ kind: 'create', collection }]));
    }),

    'database.startTransaction': action(() => ({
      reply: { kind: 'json', top: { transactionId: core.transactions.start() } },
      durable: core.barrier(),
    })),

    'database.commitTransaction': action((body) => {
      const transaction = core.transactions.active(transactionIdOf(body));
      const changes = core.transactions.takeForCommit(transaction);
      return json(undefined, core.commit(changes, transaction));
    }),

    'database.abortTransaction': action((body) => {
      core.transactions.abort(transactionIdOf(body));
      return json();
    }),
  };
}

/**
 * A document as the service answers it: ObjectId values (`db.ObjectId()`, in `_id` or any other
 * field) come back as their hex strings. The SDK turns an answered `$oid` into a bson ObjectId and
 * then copies its internal fields into a plain object, which no caller can use; CloudBase answers
 * the string, which is what the SDK's own ObjectId tests compare against.
 */
function encodeReply(doc: Doc): string {
  return encodeEjson(objectIdsAsStrings(doc));
}

function objectIdsAsStrings(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(objectIdsAsStrings);
  if ((value as { _bsontype?: unknown })._bsontype === 'ObjectId') return (value as { toHexString(): string }).toHexString();
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const [key, item] of Object.entries(value)) out[key] = objectIdsAsStrings(item);
  return out;
}

function collectionNameOf(body: Record<string, unknown>): string {
  const name = body.collectionName;
  if (typeof name !== 'string' || name === '') throw invalidParam('collectionName is required');
  checkCollectionName(name);
  return name;
}

function transactionIdOf(body: Record<string, unknown>): string {
  const id = body.transactionId;
  if (typeof id !== 'string' || id === '') throw invalidParam('transactionId is required');
  return id;
}

function integerOf(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidParam(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function booleanOf(body: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalidParam(`${field} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

function requiredData(body: Record<string, unknown>, now: number): Doc {
  const text = body.data;
  if (typeof text !== 'string' || text === '') throw invalidParam('data must be an Extended JSON string');
  const data = decodeEjson(text, 'data', { now });
  if (!isPlainObject(data) || Object.keys(data).length === 0) throw invalidParam('data must encode a non-empty object');
  return data;
}

function ejsonOrderField(body: Record<string, unknown>, now: number): unknown {
  const text = body.order;
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') throw invalidParam('order must be an Extended JSON string');
  return decodeEjson(text, 'order', { now });
}

/**
 * `order` is `{ field: 1 | -1 }` from Query.orderBy(); older SDKs sent `[{ field, direction }]`
 * with 'asc' | 'desc', which the service still accepts.
 */
function orderOf(value: unknown): SortSpec | undefined {
  if (value === undefined) return undefined;
  const order: SortSpec = {};
  const direction = (field: string, raw: unknown): 1 | -1 => {
    if (raw === 1 || raw === 'asc') return 1;
    if (raw === -1 || raw === 'desc') return -1;
    throw invalidParam(`order of ${field} must be 1, -1, 'asc' or 'desc', got ${JSON.stringify(raw)}`);
  };
  if (Array.isArray(value)) {
    for (const item of value) {
      const { field, direction: raw } = (isPlainObject(item) ? item : {}) as { field?: unknown; direction?: unknown };
      if (typeof field !== 'string') throw invalidParam('order items must be { field, direction }');
      order[field] = direction(field, raw);
    }
    return order;
  }
  if (!isPlainObject(value)) throw invalidParam('order must encode an object');
  for (const [field, raw] of Object.entries(value)) order[field] = direction(field, raw);
  return order;
}
