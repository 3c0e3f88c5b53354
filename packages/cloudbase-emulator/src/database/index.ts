/**
 * The emulator's database service: an EmulatorModule named 'database' that answers the
 * `database.*` admin actions wx-server-sdk sends, backed by an in-memory store (mingo for the
 * query language) and, unless `memory` is set, a durable log under `<dataDir>/database/`.
 *
 *   store.ts         committed collections, O(1) `_id` lookups, equality and unique indexes
 *   declared-indexes.ts  the indexes a project declares in cloudbaserc.json
 *   cloudbase-operators.ts / geo.ts / time-zone.ts  where CloudBase's operators differ from mingo's
 *   engine.ts        what each action does, as pure functions returning changes
 *   fast-paths.ts    mingo-free matching/updating for the simple shapes logins use
 *   transactions.ts  snapshot-isolated transactions and write conflicts
 *   actions.ts       request parsing and reply shapes for each `database.*` action
 *   durable-log.ts   append-only log, group commit, crash recovery, compaction
 *   ejson.ts         canonical EJSON in and out, serverDate, the value model
 *   errors.ts        the real service's error codes and messages
 *
 * Collections are never created implicitly (as on CloudBase): create them with
 * `db.createCollection()` (database.addCollection) or `importCollection`.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ServiceError, type EmulatorModule } from '../core/module';
import { jsonDeeperThan, tooDeepMessage } from '../json-depth';
import { createDatabaseActions, type DatabaseCore } from './actions';
import { checkCollectionName } from './collection-name';
import { DurableLog, encodeRecord } from './durable-log';
import { cloneValue, decodeStoredDocument, type Doc, encodeEjson, idKey } from './ejson';
import { collectionNotExist, invalidParam } from './errors';
import type { DeclaredIndex } from './declared-indexes';
import { type Change, Store } from './store';
import { TransactionManager, type Transaction } from './transactions';

export interface DatabaseOptions {
  /** Persist under `<dataDir>/database/`. Without it (or with `memory`) nothing touches the disk. */
  dataDir?: string;
  memory?: boolean;
  /** Server clock in ms (db.serverDate(), generated ids, transaction lifetime). Default Date.now. */
  now?: () => number;
  /** fdatasync before acknowledging a write (default true). false still survives a killed process. */
  fsync?: boolean;
  /** How long a transaction may stay open (default 30 s, CloudBase's limit). */
  transactionLifetimeMs?: number;
  /** Where recovery and unindexed-scan warnings go (default console.warn). */
  onWarning?: (message: string) => void;
  /**
   * The project's declared indexes (cloudbaserc.json, readDeclaredIndexes): queries are served from
   * these and `_id` only, unique ones are enforced, and unindexed scans of large collections are
   * reported. Undefined: nothing is known, any top-level field is indexed on first use.
   */
  declaredIndexes?: readonly DeclaredIndex[];
  /** Collection size from which an unindexed query is reported (default 1,000). */
  scanWarningThreshold?: number;
}

export interface DatabaseModule extends EmulatorModule {
  listCollections(): string[];
  /** A copy of the documents, plain JS values (Dates as Date), in natural order; [] if the collection does not exist. */
  documents(collection: string): Record<string, unknown>[];
  /** A copy of one document by `_id`, or null (also when the collection does not exist). */
  document(collection: string, id: unknown): Record<string, unknown> | null;
  /** Number of documents, without copying them (0 if the collection does not exist). */
  count(collection: string): number;
  /** JSON lines, one document per line in canonical EJSON. */
  exportCollection(collection: string): string;
  /**
   * Creates the collection if needed and upserts each line's document by `_id` (documents without
   * one get a new id), atomically. Accepts canonical or relaxed EJSON. Returns the number imported.
   */
  importCollection(collection: string, jsonLines: string): Promise<number>;
  /**
   * Calls `listener` after each commit that changed something (any collection, by functions or
   * clients alike), synchronously; returns the unsubscribe. Client watchers (client-access/watch.ts)
   * run their query again then.
   */
  onCommit(listener: () => void): () => void;
  /**
   * The database as it is now, to go back to with `restore()`: every collection and document, in
   * natural order; collections created since are removed, and transactions still open then are
   * aborted. For tests that prepare a world once and reset it before each case instead of
   * preparing it again. In-memory databases only (throws for a data directory).
   */
  checkpoint(): DatabaseCheckpoint;
  /** Waits for pending writes, then releases the data directory. */
  close(): Promise<void>;
}

export interface DatabaseCheckpoint {
  restore(): void;
}

export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseModule> {
  const now = options.now ?? Date.now;
  const store = new Store({
    declaredIndexes: options.declaredIndexes,
    scanWarningThreshold: options.scanWarningThreshold,
    onWarning: options.onWarning,
  });
  const transactions = new TransactionManager(store, { lifetimeMs: options.transactionLifetimeMs, clock: now });
  let closed = false;
  const commitListeners = new Set<() => void>();

  const log =
    options.memory || !options.dataDir
      ? null
      : await DurableLog.open(
          { dir: path.join(options.dataDir, 'database'), fsync: options.fsync, onWarning: options.onWarning },
          {
            replay: (changes) => store.apply(changes),
            liveEntries: () => store.names().reduce((sum, name) => sum + 1 + (store.collection(name)?.docs.size ?? 0), 0),
            snapshot: () => snapshotLines(store),
          },
        );

  const core: DatabaseCore = {
    store,
    transactions,
    now,
    newId: () => newDocumentId(now()),
    commit(changes: readonly Change[], committer?: Transaction): Promise<void> {
      if (changes.length === 0) return this.barrier();
      store.checkUnique(changes);
      transactions.beforeCommit(changes, committer);
      store.apply(changes);
      const written = log ? log.append(encodeRecord(changes)) : Promise.resolve();
      for (const listener of [...commitListeners]) listener();
      return written;
    },
    barrier: () => (log ? log.barrier() : Promise.resolve()),
    assertOpen: () => {
      if (closed) throw new ServiceError('SYS_ERR', 'the emulator database is closed');
    },
  };

  return {
    name: 'database',
    actions: createDatabaseActions(core),

    listCollections: () => store.names(),

    onCommit(listener) {
      commitListeners.add(listener);
      return () => commitListeners.delete(listener);
    },

    documents: (collection) => [...(store.collection(collection)?.docs.values() ?? [])].map((stored) => cloneValue(stored.doc)),

    document(collection, id) {
      const stored = store.collection(collection)?.docs.get(idKey(id));
      return stored ? cloneValue(stored.doc) : null;
    },

    count: (collection) => store.collection(collection)?.docs.size ?? 0,

    checkpoint() {
      if (log) throw new Error('checkpoint(): only an in-memory database can be restored to a checkpoint');
      const capture = store.capture();
      return {
        restore() {
          core.assertOpen();
          transactions.abortAll('the database was restored to a checkpoint');
          store.restore(capture);
          for (const listener of [...commitListeners]) listener();
        },
      };
    },

    exportCollection(collection) {
      const data = store.collection(collection);
      if (!data) throw collectionNotExist(collection);
      let out = '';
      for (const stored of data.docs.values()) out += `${encodeEjson(stored.doc)}\n`;
      return out;
    },

    async importCollection(collection, jsonLines) {
      core.assertOpen();
      checkCollectionName(collection);
      const changes: Change[] = store.hasCollection(collection) ? [] : [{ kind: 'create', collection }];
      const lines = jsonLines.split('\n');
      lines.forEach((line, index) => {
        if (line.trim() === '') return;
        let doc: Doc;
        if (jsonDeeperThan(line)) throw invalidParam(`line ${index + 1}: ${tooDeepMessage('the document')}`);
        try {
          doc = decodeStoredDocument(JSON.parse(line));
        } catch (error) {
          throw invalidParam(
            `line ${index + 1} is not an Extended JSON document: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        if (doc._id === undefined) doc = { _id: core.newId(), ...doc };
        changes.push({ kind: 'put', collection, key: idKey(doc._id), doc });
      });
      const imported = changes.filter((change) => change.kind === 'put').length;
      await core.commit(changes);
      return imported;
    },

    async close() {
      if (closed) return;
      closed = true;
      await log?.close();
    },
  };
}

/** CloudBase-like `_id`: 32 hex digits, the first 8 the creation second (so ids sort roughly by time). */
function newDocumentId(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + randomBytes(12).toString('hex');
}

function* snapshotLines(store: Store): Iterable<string> {
  for (const name of store.names()) {
    yield encodeRecord([{ kind: 'create', collection: name }]);
    for (const stored of store.collection(name)?.docs.values() ?? []) {
      yield encodeRecord([{ kind: 'put', collection: name, key: idKey(stored.doc._id), doc: stored.doc }]);
    }
  }
}
