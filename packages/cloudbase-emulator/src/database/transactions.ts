/**
 * Transactions with snapshot isolation, as CloudBase (MongoDB underneath) gives them.
 *
 * wx-server-sdk sends `database.startTransaction`, then the ordinary document actions with a
 * `transactionId`, then `database.commitTransaction` or `database.abortTransaction`.
 *
 * Snapshot without copying the database: stored documents are immutable, so when a committed
 * change (outside the transaction, or another transaction's commit) replaces a document, every
 * live transaction that has not seen that document change yet keeps the previous version as a
 * "before image". A transaction reads its own writes first, then its before images, then the
 * committed state: exactly the state at its first operation (its snapshot) plus its own work.
 *
 * Conflicts (first writer wins, as MongoDB's WriteConflict):
 *   - writing a document another live transaction has already written → DATABASE_TRANSACTION_CONFLICT
 *     for the second writer (CloudBase's TransactionBusy text);
 *   - writing a document that was committed by someone else after this transaction's snapshot
 *     (it has a before image) → conflict (CloudBase's TransactionConflict text);
 *   - a plain write outside any transaction never waits: if it lands on a document a transaction
 *     has written, that transaction loses at commit.
 * A conflict aborts the transaction. db.runTransaction retries when commit answers the raw
 * DATABASE_TRANSACTION_CONFLICT code; a conflict raised by a document action reaches the caller
 * re-wrapped by wx-server-sdk (errCode -501001) and is not retried — that is the SDK's behaviour.
 *
 * A transaction lives 30 s (the documented limit); after that its id answers DATABASE_TRANSACTION_FAIL.
 */
import { randomBytes } from 'node:crypto';
import { idKey } from './ejson';
import { transactionConflict, transactionNotFound } from './errors';
import type { Change, ReadView, Store, StoredDoc } from './store';

export const TRANSACTION_LIFETIME_MS = 30_000;

interface Write {
  readonly change: Change & { kind: 'put' | 'delete' };
  /** The document as this transaction sees it after the write (null: deleted). */
  readonly stored: StoredDoc | null;
}

export interface Transaction {
  readonly id: string;
  readonly startedAt: number;
  status: 'active' | 'aborted';
  abortReason?: string;
  /**
   * The snapshot is taken by the transaction's first operation, not by startTransaction (MongoDB's
   * rule, which CloudBase inherits: the SDKs' suite adds a document outside a just-started
   * transaction and expects the transaction's first query to see it).
   */
  snapshotTaken: boolean;
  /** collection → key → the committed version at the start (null: did not exist). */
  readonly before: Map<string, Map<string, StoredDoc | null>>;
  /** collection → key → this transaction's latest write. */
  readonly writes: Map<string, Map<string, Write>>;
}

export interface TransactionManagerOptions {
  lifetimeMs?: number;
  /** Milliseconds; the server clock. */
  clock?: () => number;
}

export class TransactionManager {
  private readonly live = new Map<string, Transaction>();
  private readonly lifetimeMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly store: Store,
    options: TransactionManagerOptions = {},
  ) {
    this.lifetimeMs = options.lifetimeMs ?? TRANSACTION_LIFETIME_MS;
    this.clock = options.clock ?? Date.now;
  }

  start(): string {
    this.purgeExpired();
    const id = randomBytes(16).toString('hex');
    this.live.set(id, { id, startedAt: this.clock(), status: 'active', snapshotTaken: false, before: new Map(), writes: new Map() });
    return id;
  }

  /** Aborts every live transaction: their later requests fail with `reason`. */
  abortAll(reason: string): void {
    for (const transaction of this.live.values()) {
      transaction.status = 'aborted';
      transaction.abortReason = reason;
    }
  }

  /** The live transaction `id`, or DATABASE_TRANSACTION_FAIL. */
  active(id: string): Transaction {
    const transaction = this.live.get(id);
    if (!transaction) throw transactionNotFound(id, 'it was never started, already committed or aborted');
    if (this.expired(transaction)) {
      this.live.delete(id);
      throw transactionNotFound(id, 'it was neither committed nor aborted within 30 seconds');
    }
    if (transaction.status === 'aborted') throw transactionNotFound(id, transaction.abortReason ?? 'it was aborted');
    return transaction;
  }

  view(transaction: Transaction): ReadView {
    transaction.snapshotTaken = true;
    const store = this.store;
    const get = (collection: string, key: string): StoredDoc | undefined => {
      const written = transaction.writes.get(collection)?.get(key);
      if (written) return written.stored ?? undefined;
      const before = transaction.before.get(collection);
      if (before?.has(key)) return before.get(key) ?? undefined;
      return store.get(collection, key);
    };
    return {
      hasCollection: (collection) => store.hasCollection(collection),
      get,
      // The committed candidates (served by the store's indexes), plus every document this
      // transaction sees differently (before images, own writes), each in the version it sees: a
      // superset of the matches, as candidates must be, without copying the collection.
      candidates: (collection, criteria) => {
        const before = transaction.before.get(collection);
        const writes = transaction.writes.get(collection);
        const committed = store.candidates(collection, criteria);
        if (!before?.size && !writes?.size) return committed;
        const visible = new Map<string, StoredDoc>();
        for (const stored of committed) {
          const key = idKey(stored.doc._id);
          const seen = get(collection, key);
          if (seen) visible.set(key, seen);
        }
        for (const key of [...(before?.keys() ?? []), ...(writes?.keys() ?? [])]) {
          const seen = get(collection, key);
          if (seen) visible.set(key, seen);
          else visible.delete(key);
        }
        return [...visible.values()].sort((a, b) => a.seq - b.seq);
      },
    };
  }

  /** Records writes made inside `transaction`, or aborts it with a conflict. */
  stage(transaction: Transaction, changes: readonly Change[]): void {
    for (const change of changes) {
      if (change.kind === 'create') continue;
      this.checkConflict(transaction, change);
    }
    // Declared unique indexes, against the committed state after this transaction's earlier writes.
    const earlier = [...transaction.writes.values()].flatMap((writes) => [...writes.values()].map((write) => write.change));
    this.store.checkUnique(changes, earlier);
    const view = this.view(transaction);
    for (const change of changes) {
      if (change.kind === 'create') continue;
      const previous = view.get(change.collection, change.key);
      const stored = change.kind === 'put' ? { seq: previous?.seq ?? this.store.nextSeq(), doc: change.doc } : null;
      let writes = transaction.writes.get(change.collection);
      if (!writes) {
        writes = new Map();
        transaction.writes.set(change.collection, writes);
      }
      writes.set(change.key, { change, stored });
    }
  }

  /**
   * Ends `transaction` for commit: returns the changes to apply, or aborts it with a conflict when
   * a document it wrote was changed by a committed write since it started.
   */
  takeForCommit(transaction: Transaction): Change[] {
    const changes: Change[] = [];
    for (const writes of transaction.writes.values()) {
      for (const write of writes.values()) {
        this.checkConflict(transaction, write.change);
        changes.push(write.change);
      }
    }
    this.live.delete(transaction.id);
    return changes;
  }

  /** Abort is idempotent for a transaction that already failed (the SDK rolls back after an error). */
  abort(id: string): void {
    const transaction = this.live.get(id);
    if (!transaction) throw transactionNotFound(id, 'it was never started, already committed or aborted');
    this.live.delete(id);
  }

  /** Must be called before committed changes are applied to the store: keeps live snapshots intact. */
  beforeCommit(changes: readonly Change[], committer?: Transaction): void {
    if (this.live.size === 0) return;
    this.purgeExpired();
    for (const transaction of this.live.values()) {
      if (transaction === committer || transaction.status !== 'active' || !transaction.snapshotTaken) continue;
      for (const change of changes) {
        if (change.kind === 'create') continue;
        let before = transaction.before.get(change.collection);
        if (!before) {
          before = new Map();
          transaction.before.set(change.collection, before);
        }
        if (!before.has(change.key)) before.set(change.key, this.store.get(change.collection, change.key) ?? null);
      }
    }
  }

  private checkConflict(transaction: Transaction, change: Change & { kind: 'put' | 'delete' }): void {
    const changedSinceStart = transaction.before.get(change.collection)?.has(change.key) ?? false;
    const writtenByOther = [...this.live.values()].some(
      (other) =>
        other !== transaction &&
        other.status === 'active' &&
        !this.expired(other) &&
        (other.writes.get(change.collection)?.has(change.key) ?? false),
    );
    if (changedSinceStart || writtenByOther) {
      const error = transactionConflict(changedSinceStart ? 'changed' : 'held');
      transaction.status = 'aborted';
      transaction.abortReason = 'it was aborted by a write conflict';
      throw error;
    }
  }

  private expired(transaction: Transaction): boolean {
    return this.clock() - transaction.startedAt > this.lifetimeMs;
  }

  private purgeExpired(): void {
    for (const [id, transaction] of this.live) if (this.expired(transaction)) this.live.delete(id);
  }
}
