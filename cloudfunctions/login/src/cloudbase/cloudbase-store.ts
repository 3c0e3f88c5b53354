/**
 * Store (ports.ts) on the CloudBase database, through wx-server-sdk. The only module that touches
 * the database; the data model and why it is safe are in model.ts.
 *
 * Missing collections: CloudBase answers DATABASE_COLLECTION_NOT_EXIST until a collection is
 * created, and no setup step may be required. One policy for all of them:
 * - a read (or a query's remove) of a missing collection answers "nothing there": null / [];
 * - the first write creates the collection (racing creators are fine), warns through
 *   collectionCreatedWarning (only the console can make it ADMINONLY) and writes again;
 * - a transaction first ensures the collections it may write to exist, because creating one is
 *   not transactional (`ensureCollection`, remembered for the life of the warm instance).
 *
 * Every document read goes through a guard (asUser, asIdentity, asLinkTicket): a document of the
 * wrong shape reads as absent. Identities and link tickets written by a client are never trusted;
 * a users document written by a client only when an identity document of the caller vouches for it
 * or it is the caller's own not-adopted legacy document (client-written.ts, model.ts). The queries
 * that find users for a caller (stampAndFind, findUsersByIdentity) read the caller's identity
 * documents in the same round trip to decide that.
 *
 * Platform facts relied on here (wx-server-sdk 4.x):
 * - `db.startTransaction()` gives a transaction whose `collection(name).doc(id)` get / set /
 *   update / remove carry its id; `where()` never does, so queries run before a transaction.
 *   Inside one, `doc(id).get()` of a missing document answers `{ data: null }` and `update`
 *   answers `{ updated }` (outside: `{ stats: { updated } }`).
 * - We run transactions ourselves instead of `db.runTransaction`: the SDK retries that one only
 *   when a commit answers the raw conflict code, while a conflict on a document operation arrives
 *   re-wrapped (-501001) and would not be retried.
 */
import type { AuditEntry, DeletionAuditEntry, IdentityDoc, LinkTicketDoc, LoginStamp, UserDoc } from '../model';
import type { Store, StoreTransaction, UserPatch } from '../ports';
import { createUserLookup } from '@wx-cloud-login/server-auth/src/cloudbase-lookup';
import { collectionCreatedWarning, isClientWritten, isTrustedUser } from './client-written';
import {
  isCollectionExistsError,
  isCollectionMissingError,
  isDuplicateKeyError,
  isTransactionConflictError,
  orEmpty,
} from './cloudbase-errors';

type Data = Record<string, unknown>;

interface DocumentLike {
  get(): Promise<{ data: Data | null | undefined }>;
  update(options: { data: Data }): Promise<{ stats?: { updated: number }; updated?: number }>;
  set(options: { data: Data }): Promise<unknown>;
  remove(): Promise<unknown>;
}
interface QueryLike {
  get(): Promise<{ data: Data[] }>;
  update(options: { data: Data }): Promise<{ stats: { updated: number } }>;
  remove(): Promise<unknown>;
  limit(count: number): QueryLike;
  orderBy(field: string, direction: 'asc' | 'desc'): QueryLike;
  skip(offset: number): QueryLike;
}
interface CollectionLike extends QueryLike {
  where(condition: unknown): QueryLike;
  add(options: { data: Data }): Promise<unknown>;
  doc(id: string): DocumentLike;
}
interface TransactionLike {
  collection(name: string): { doc(id: string): DocumentLike };
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
}
interface CommandLike {
  in(values: unknown[]): unknown;
  nin(values: unknown[]): unknown;
  or(conditions: unknown[]): unknown;
  and(conditions: unknown[]): unknown;
  exists(value: boolean): unknown;
  lt(value: unknown): unknown;
  lte(value: unknown): unknown;
  inc(value: number): unknown;
  remove(): unknown;
  addToSet(value: unknown): unknown;
  pullAll(values: unknown[]): unknown;
}

/**
 * The part of wx-server-sdk's database used here, typed precisely (the SDK's typings declare
 * callback overloads and `any`). `cloud.database()` satisfies it.
 */
export interface DatabaseLike {
  collection(name: string): CollectionLike;
  createCollection(name: string): Promise<unknown>;
  startTransaction(): Promise<TransactionLike>;
  command: CommandLike;
}

export interface CollectionNames {
  users: string;
  identities: string;
  linkTickets: string;
  audit: string;
  rateLimits: string;
}

/** The collection names: the defaults, or the environment variables that rename them (the function and `npm run admin` alike). */
export function collectionNamesFrom(env: Record<string, string | undefined>): CollectionNames {
  return {
    users: env.USERS_COLLECTION || 'users',
    identities: env.IDENTITIES_COLLECTION || 'identities',
    linkTickets: env.LINK_TICKETS_COLLECTION || 'link_tickets',
    audit: env.AUDIT_COLLECTION || 'account_audit',
    rateLimits: env.RATE_LIMITS_COLLECTION || 'rate_limits',
  };
}

/** Stored documents are read through these guards: a document of the wrong shape reads as absent. */
function asUser(data: Data | null | undefined): UserDoc | null {
  return data && typeof data._id === 'string' ? (data as UserDoc) : null;
}

function asIdentity(data: Data | null | undefined): IdentityDoc | null {
  if (!data || typeof data._id !== 'string' || typeof data.userId !== 'string' || isClientWritten(data)) return null;
  return data as unknown as IdentityDoc;
}

function asLinkTicket(data: Data | null | undefined): LinkTicketDoc | null {
  // A forged ticket record (client-written) reads as unknown: LINK_TICKET_INVALID.
  if (!data || typeof data._id !== 'string' || isClientWritten(data)) return null;
  const { callerKey, fromUserId, toUserId, phoneKey, expiresAt, usedAt } = data;
  const strings = [callerKey, fromUserId, toUserId, phoneKey].every((value) => typeof value === 'string');
  if (!strings || !(expiresAt instanceof Date) || !(usedAt === null || usedAt === undefined || usedAt instanceof Date)) return null;
  return { ...(data as unknown as LinkTicketDoc), usedAt: usedAt ?? null };
}

/** A deletion entry with work left: the function deletes what it lists, so a client-written one is never read. */
function asPendingDeletion(data: Data | null | undefined): DeletionAuditEntry | null {
  if (!data || typeof data._id !== 'string' || isClientWritten(data) || data.type !== 'account-deleted') return null;
  const { userId, pendingFileIDs, pendingUserIds, lateUploadFileIDs } = data;
  const strings = (value: unknown) => Array.isArray(value) && value.every((id) => typeof id === 'string');
  const optionalStrings = (value: unknown) => value === undefined || strings(value);
  if (typeof userId !== 'string' || !strings(pendingFileIDs) || !optionalStrings(pendingUserIds) || !optionalStrings(lateUploadFileIDs))
    return null;
  if (!(data.lateWritesUntil === undefined || data.lateWritesUntil instanceof Date)) return null;
  return data as unknown as DeletionAuditEntry;
}

const AUDIT_TYPES: ReadonlySet<unknown> = new Set(['account-linked', 'account-deleted', 'admin-action']);

/** An audit entry this function or an operator wrote; a client-written one could claim anything. */
function asAuditEntry(data: Data | null | undefined): AuditEntry | null {
  if (!data || typeof data._id !== 'string' || isClientWritten(data) || !AUDIT_TYPES.has(data.type) || !(data.at instanceof Date))
    return null;
  return data as unknown as AuditEntry;
}

function present<T>(value: T | null): value is T {
  return value !== null;
}

/**
 * Attempts of one transaction before a conflict is reported as a failure. A conflict means another
 * transaction (a 注销, a link) holds one of the documents for a few more milliseconds: retried at
 * once, three attempts lost to a deletion on a busy machine (a login answered INTERNAL about once in
 * 300 races), so each retry waits a little longer, with jitter so that racing callers spread out.
 */
const MAX_TRANSACTION_ATTEMPTS = 5;
const conflictBackoffMs = (attempt: number) => attempt * 10 + Math.random() * 20;
/** At most this many documents can belong to one person; more would be a data problem, not an account. */
const MAX_MATCHES = 100;
/** Inserts of one identity claim when its document is deleted between an insert and the read (a 注销 racing a login). */
const CLAIM_ATTEMPTS = 3;

/**
 * Users a login never stamps: banned, merged away, being deleted (the deletion must not lose its
 * transaction), or not usable yet (an import's, which the login checks first).
 */
const UNSTAMPED_STATUSES = ['banned', 'merged', 'deleting', 'importing'];

export function createCloudbaseStore(db: DatabaseLike, names: CollectionNames, warn: (message: string) => void = () => undefined): Store {
  const _ = db.command;
  const users = () => db.collection(names.users);
  const identities = () => db.collection(names.identities);
  const tickets = () => db.collection(names.linkTickets);
  const rateLimits = () => db.collection(names.rateLimits);
  /** Rate-limit windows known to exist (a warm instance's hint that saves the insert; never needed for correctness). */
  const knownSlots = new Set<string>();
  const rememberSlot = (id: string) => {
    if (knownSlots.size >= 1000) knownSlots.clear();
    knownSlots.add(id);
  };
  const ready = new Set<string>();
  const lookup = createUserLookup<UserDoc>(db, { users: names.users, identities: names.identities });

  async function createCollection(name: string): Promise<void> {
    await db.createCollection(name).then(
      () => warn(collectionCreatedWarning(name)),
      (error: unknown) => {
        if (!isCollectionExistsError(error)) throw error;
      },
    );
    ready.add(name);
  }

  /** Creates the collection unless it is known to exist (before a transaction writes to it). */
  async function ensureCollection(name: string): Promise<void> {
    if (!ready.has(name)) await createCollection(name);
  }

  /** A write: on a missing collection creates it and writes again. */
  async function creating<T>(name: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!isCollectionMissingError(error)) throw error;
      await createCollection(name);
      return operation();
    }
  }

  /** Insert that reports a duplicate `_id` as false instead of an error. */
  async function insertUnlessExists(collection: string, data: Data): Promise<boolean> {
    try {
      await creating(collection, () => db.collection(collection).add({ data }));
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Not-adopted legacy documents of `openid` (client-written.ts, isLegacyDocumentOf): the caller's
   * own (`_openid`, no different `openid`) or a cloud function's (`openid`, no `_openid`).
   */
  function legacyOf(openid: string): unknown {
    return _.and([
      { identityKeys: _.exists(false) },
      _.or([_.and([{ _openid: openid }, _.or([{ openid: _.exists(false) }, { openid }])]), { openid, _openid: _.exists(false) }]),
    ]);
  }

  /** The userIds the caller's own identity documents (not client-written) point at. */
  async function vouchedBy(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { data } = await orEmpty(
      () =>
        identities()
          .where({ _id: _.in(keys) })
          .limit(MAX_MATCHES)
          .get(),
      { data: [] },
    );
    return new Set(
      data
        .map(asIdentity)
        .filter(present)
        .map((identity) => identity.userId),
    );
  }

  function loginFields(stamp: LoginStamp): Data {
    return { lastLoginAt: stamp.at, loginCount: _.inc(1), lastLoginId: stamp.id };
  }

  function updateData(patch: UserPatch): Data {
    const data: Data = { ...patch.set };
    delete data._id;
    if (patch.stamp) Object.assign(data, loginFields(patch.stamp));
    if (patch.addIdentityKeys) data.identityKeys = _.addToSet({ $each: patch.addIdentityKeys });
    if (patch.removeIdentityKeys) data.identityKeys = _.pullAll(patch.removeIdentityKeys);
    if (patch.noteKeysHeldElsewhere) data.keysHeldElsewhere = _.addToSet({ $each: patch.noteKeysHeldElsewhere });
    for (const [field, values] of Object.entries(patch.addToLists ?? {}))
      if (values.length > 0) data[field] = _.addToSet({ $each: values });
    for (const [field, values] of Object.entries(patch.pullFromLists ?? {})) if (values.length > 0) data[field] = _.pullAll(values);
    for (const field of patch.remove ?? []) data[field] = _.remove();
    return data;
  }

  function withoutId<T extends { _id: string }>(doc: T): Data {
    const { _id: _ignored, ...rest } = doc;
    return rest;
  }

  function updatedCount(answer: { stats?: { updated: number }; updated?: number }): number {
    return answer.stats?.updated ?? answer.updated ?? 0;
  }

  /**
   * The single-document operations on `doc` — the database's or a transaction's. `fresh` tells
   * whether writes outside a transaction may create a missing collection first.
   */
  function singleDocumentOperations(
    doc: (collection: string, id: string) => DocumentLike,
    write: <T>(collection: string, operation: () => Promise<T>) => Promise<T>,
  ): StoreTransaction {
    const read = async (collection: string, id: string): Promise<Data | null | undefined> =>
      (await orEmpty(() => doc(collection, id).get(), { data: null })).data;
    const operations: StoreTransaction = {
      getUser: async (id) => asUser(await read(names.users, id)),
      getIdentity: async (key) => asIdentity(await read(names.identities, key)),
      getLinkTicket: async (id) => asLinkTicket(await read(names.linkTickets, id)),
      async updateUser(id, patch) {
        const data = updateData(patch);
        if (Object.keys(data).length === 0) return (await operations.getUser(id)) !== null;
        // A user to update exists, so its collection does; a missing one simply matches nothing.
        return updatedCount(await orEmpty(() => doc(names.users, id).update({ data }), { updated: 0 })) > 0;
      },
      async removeUser(id) {
        await orEmpty(() => doc(names.users, id).remove(), undefined);
      },
      async putIdentity(identity) {
        await write(names.identities, () => doc(names.identities, identity._id).set({ data: withoutId(identity) }));
      },
      async removeIdentity(key) {
        await orEmpty(() => doc(names.identities, key).remove(), undefined);
      },
      async markLinkTicketUsed(id, at) {
        await orEmpty(() => doc(names.linkTickets, id).update({ data: { usedAt: at } }), undefined);
      },
      async putAudit(entry: AuditEntry) {
        await write(names.audit, () => doc(names.audit, entry._id).set({ data: withoutId(entry) }));
      },
    };
    return operations;
  }

  const direct = singleDocumentOperations((collection, id) => db.collection(collection).doc(id), creating);

  return {
    ...direct,

    async stampAndFind(keys, legacyOpenid, stamp) {
      const [update, found, vouched] = await Promise.all([
        creating(names.users, () =>
          users()
            // Never a document another client wrote (`_openid` not the caller's): it would take the stamp.
            .where(
              _.and([
                { identityKeys: keys.openid, status: _.nin(UNSTAMPED_STATUSES) },
                _.or([{ _openid: _.exists(false) }, { _openid: legacyOpenid }]),
              ]),
            )
            .update({ data: loginFields(stamp) }),
        ),
        orEmpty(
          () =>
            users()
              .where(_.or([{ identityKeys: _.in(keys.all) }, legacyOf(legacyOpenid)]))
              .limit(MAX_MATCHES)
              .get(),
          { data: [] },
        ),
        vouchedBy(keys.all),
      ]);
      const trusted = found.data
        .map(asUser)
        .filter(present)
        .filter((user) => isTrustedUser(user, vouched, legacyOpenid));
      return { users: trusted, stamped: update.stats.updated > 0 };
    },

    async claimIdentity(key, userId, at) {
      const provider = key.slice(0, key.indexOf(':'));
      for (let attempt = 1; ; attempt += 1) {
        if (await insertUnlessExists(names.identities, { _id: key, userId, provider, createdAt: at })) return userId;
        const { data } = await identities().doc(key).get();
        if (isClientWritten(data)) {
          // Fail closed: trusting it would let anyone who can write the collection take over this identity.
          throw new Error(`identity ${provider} document was written by a client: the ${names.identities} collection must be ADMINONLY`);
        }
        const owner = data?.userId;
        if (typeof owner === 'string') return owner;
        // Gone between the refused insert and this read: a deletion committed. Claim it again.
        if (data === null || data === undefined) {
          if (attempt < CLAIM_ATTEMPTS) continue;
          throw new Error(`identity ${provider} document keeps vanishing during its claim`);
        }
        throw new Error(`identity ${provider} document exists without a userId`);
      }
    },

    async reassignIdentity(key, fromUserId, toUserId, at) {
      const { stats } = await identities()
        .where({ _id: key, userId: fromUserId })
        .update({ data: { userId: toUserId, movedFrom: fromUserId, movedAt: at } });
      return stats.updated > 0;
    },

    insertUser(user) {
      return insertUnlessExists(names.users, user);
    },

    async updateUser(id, patch) {
      const data = updateData(patch);
      if (Object.keys(data).length === 0) return (await direct.getUser(id)) !== null;
      const { stats } = await creating(names.users, () => users().doc(id).update({ data }));
      return (stats?.updated ?? 0) > 0;
    },

    async scrubLegacyDocuments(openid, fields) {
      const data: Data = Object.fromEntries(fields.map((field) => [field, _.remove()]));
      // A missing collection holds no legacy document (a push can arrive before any login).
      await orEmpty(() => users().where(legacyOf(openid)).update({ data }), undefined);
    },

    async removeLegacyUsers(openid) {
      await orEmpty(() => users().where(legacyOf(openid)).remove(), undefined);
    },

    // The shared lookup (@wx-cloud-login/server-auth): every function reads a caller's users the same way.
    findUsersByIdentity: (keys) => lookup.findUsersByIdentity(keys),

    async identitiesOf(userIds) {
      if (userIds.length === 0) return [];
      const { data } = await orEmpty(
        () =>
          identities()
            .where({ userId: _.in(userIds) })
            .limit(MAX_MATCHES)
            .get(),
        { data: [] },
      );
      return data.map(asIdentity).filter(present);
    },

    async markUserDeleting(id) {
      const { stats } = await orEmpty(
        () =>
          users()
            .where({ _id: id, status: _.nin(['banned', 'merged']) })
            .update({ data: { status: 'deleting' } }),
        { stats: { updated: 0 } },
      );
      if ((stats?.updated ?? 0) > 0) return true;
      // Already 'deleting' (a retry): an update writing the same value may count as not updated.
      return (await direct.getUser(id))?.status === 'deleting';
    },

    async usersMergedInto(userId) {
      const { data } = await orEmpty(() => users().where({ mergedInto: userId, status: 'merged' }).limit(MAX_MATCHES).get(), { data: [] });
      return data.map(asUser).filter(present);
    },

    async usersOwingDataMoves(limit) {
      const { data } = await orEmpty(
        () =>
          users()
            .where(_.or([{ 'pendingDataMoves.0': _.exists(true) }, { 'lateDataMoves.0': _.exists(true) }]))
            .limit(limit)
            .get(),
        { data: [] },
      );
      return data.map(asUser).filter(present);
    },

    async insertLinkTicket(ticket) {
      await ensureCollection(names.linkTickets);
      await tickets().add({ data: { ...ticket } });
    },

    async removeLinkTicketsOf(userIds, callerKeys) {
      if (userIds.length === 0 && callerKeys.length === 0) return;
      await orEmpty(
        () =>
          tickets()
            .where(_.or([{ fromUserId: _.in(userIds) }, { toUserId: _.in(userIds) }, { callerKey: _.in(callerKeys) }]))
            .remove(),
        undefined,
      );
    },

    async removeExpiredLinkTickets(before) {
      await orEmpty(
        () =>
          tickets()
            .where({ expiresAt: _.lt(before) })
            .remove(),
        undefined,
      );
    },

    async deletionsWithPendingWork(limit, dueAt) {
      const dataLeft = { type: 'account-deleted', 'pendingUserIds.0': _.exists(true) };
      const uploadsLeft = { type: 'account-deleted', 'lateUploadFileIDs.0': _.exists(true) };
      const { data } = await orEmpty(
        () =>
          db
            .collection(names.audit)
            .where(
              _.or([
                { type: 'account-deleted', 'pendingFileIDs.0': _.exists(true) },
                ...(dueAt
                  ? [
                      { ...dataLeft, lateWritesUntil: _.lte(dueAt) },
                      { ...dataLeft, lateWritesUntil: _.exists(false) },
                      { ...uploadsLeft, lateWritesUntil: _.lte(dueAt) },
                      { ...uploadsLeft, lateWritesUntil: _.exists(false) },
                    ]
                  : [dataLeft, uploadsLeft]),
              ]),
            )
            .limit(limit)
            .get(),
        { data: [] },
      );
      return data.map(asPendingDeletion).filter(present);
    },
    async auditEntriesAbout(userId, limit) {
      const { data } = await orEmpty(
        () =>
          db
            .collection(names.audit)
            .where(_.or([{ userId }, { fromUserId: userId }, { toUserId: userId }]))
            .orderBy('at', 'desc')
            .limit(limit)
            .get(),
        { data: [] },
      );
      return data.map(asAuditEntry).filter(present);
    },

    async countUse(slot, limit) {
      if (limit < 1) return false;
      const increment = async () => {
        const { stats } = await rateLimits()
          .where({ _id: slot._id, count: _.lt(limit) })
          .update({ data: { count: _.inc(1) } });
        return (stats?.updated ?? 0) > 0;
      };
      // A window this instance has counted in before exists: one conditional increment, atomic on
      // the server, so parallel uses never pass the limit. Only a miss (at the limit, or the
      // document removed by hand) tries the insert as well.
      if (knownSlots.has(slot._id)) {
        if (await increment()) return true;
        return insertUnlessExists(names.rateLimits, { ...slot, count: 1 });
      }
      // A window new to this instance: first an insert (a unique `_id`: of parallel first uses one
      // wins), this caller's earlier windows of the action swept in the same round trip.
      const [inserted] = await Promise.all([
        insertUnlessExists(names.rateLimits, { ...slot, count: 1 }),
        orEmpty(
          () =>
            rateLimits()
              .where({ action: slot.action, keyHash: slot.keyHash, resetAt: _.lte(slot.windowStart) })
              .remove(),
          undefined,
        ).catch((error: unknown) => warn(`removing old rate-limit windows failed: ${String(error)}`)),
      ]);
      rememberSlot(slot._id);
      return inserted || increment();
    },

    async transaction(work) {
      // Every collection a transaction may write must exist first (creating one is not transactional).
      await Promise.all([ensureCollection(names.audit), ensureCollection(names.linkTickets)]);
      for (let attempt = 1; ; attempt += 1) {
        const tx = await db.startTransaction();
        const inTx = singleDocumentOperations(
          (collection, id) => tx.collection(collection).doc(id),
          (_name, operation) => operation(),
        );
        try {
          const result = await work(inTx);
          await tx.commit();
          return result;
        } catch (error) {
          // After a conflict or a failed commit the server has already dropped it: ignore that answer.
          await tx.rollback().catch(() => undefined);
          if (attempt < MAX_TRANSACTION_ATTEMPTS && isTransactionConflictError(error)) {
            await new Promise((resolve) => setTimeout(resolve, conflictBackoffMs(attempt)));
            continue;
          }
          throw error;
        }
      }
    },
  };
}
