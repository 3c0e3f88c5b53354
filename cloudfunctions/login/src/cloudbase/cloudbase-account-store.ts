/**
 * AccountStore on the CloudBase database, through wx-server-sdk (see account-store.ts for the
 * data model). Besides cloudbase-user-store.ts, the only module that touches the database.
 *
 * Platform facts relied on here (wx-server-sdk 4.x):
 * - `db.startTransaction()` gives a transaction whose `collection(name).doc(id)` get / set /
 *   update / remove and `collection(name).add` carry its id; `where()` never does, so queries run
 *   before a transaction. Inside one, `doc(id).get()` of a missing document answers `{ data: null }`.
 * - A collection must exist before a transaction writes to it: creating it is not transactional,
 *   so it happens first (`ensureCollection`).
 * - We run transactions ourselves instead of `db.runTransaction`: the SDK retries that one only
 *   when a commit answers the raw conflict code, while a conflict on a document operation arrives
 *   re-wrapped (-501001) and would not be retried.
 */
import { collectionCreatedWarning, isClientWritten } from './client-written';
import type { AccountStore, AccountTransaction, AuditEntry, IdentityDoc, LinkTicketDoc, UserChange } from '../store/account-store';
import { isCollectionExistsError, isCollectionMissingError, isTransactionConflictError } from './cloudbase-errors';
import type { UserDoc } from '../store/user-store';

type Data = Record<string, unknown>;

interface DocumentLike {
  get(): Promise<{ data: Data | null | undefined }>;
  update(options: { data: Data }): Promise<{ stats: { updated: number } }>;
  set(options: { data: Data }): Promise<unknown>;
  remove(): Promise<unknown>;
}
interface QueryLike {
  get(): Promise<{ data: Data[] }>;
  remove(): Promise<unknown>;
  limit(count: number): QueryLike;
}
interface CollectionLike {
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
  or(conditions: unknown[]): unknown;
  and(conditions: unknown[]): unknown;
  exists(value: boolean): unknown;
  lt(value: unknown): unknown;
  remove(): unknown;
}

/**
 * The part of wx-server-sdk's database used here, typed precisely (the SDK's typings declare
 * callback overloads and `any`). `cloud.database()` satisfies it.
 */
export interface AccountDatabaseLike {
  collection(name: string): CollectionLike;
  createCollection(name: string): Promise<unknown>;
  startTransaction(): Promise<TransactionLike>;
  command: CommandLike;
}

export interface AccountCollectionNames {
  users: string;
  identities: string;
  linkTickets: string;
  audit: string;
}

/**
 * Stored documents are read through these guards: a document of the wrong shape (hand-edited,
 * written by another version) is treated as absent instead of trusted.
 */
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

function asUser(data: Data | null | undefined): UserDoc | null {
  return data && typeof data._id === 'string' ? (data as UserDoc) : null;
}

/** Attempts of one transaction before a conflict is reported as a failure. */
const MAX_TRANSACTION_ATTEMPTS = 3;
/** More than this many documents for one person would be a data problem, not an account. */
const MAX_MATCHES = 100;

export function createCloudbaseAccountStore(
  db: AccountDatabaseLike,
  names: AccountCollectionNames,
  warn: (message: string) => void = () => undefined,
): AccountStore {
  const _ = db.command;
  const users = () => db.collection(names.users);
  const identities = () => db.collection(names.identities);
  const tickets = () => db.collection(names.linkTickets);
  const ready = new Set<string>();

  /** Creates the collection unless it exists; remembered for the life of the warm instance. */
  async function ensureCollection(name: string): Promise<void> {
    if (ready.has(name)) return;
    await db.createCollection(name).then(
      () => warn(collectionCreatedWarning(name)),
      (error: unknown) => {
        if (!isCollectionExistsError(error)) throw error;
      },
    );
    ready.add(name);
  }

  /** Runs `operation`; a missing collection means "nothing there yet" and gives `empty`. */
  async function orEmpty<T>(operation: () => Promise<T>, empty: T): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isCollectionMissingError(error)) return empty;
      throw error;
    }
  }

  function updateData(change: UserChange): Data {
    const data: Data = { ...change.set };
    delete data._id;
    for (const field of change.unset ?? []) data[field] = _.remove();
    return data;
  }

  function withoutId<T extends { _id: string }>(doc: T): Data {
    const { _id: _ignored, ...rest } = doc;
    return rest;
  }

  function transactionOn(tx: TransactionLike): AccountTransaction {
    const doc = (collection: string, id: string) => tx.collection(collection).doc(id);
    const read = async (collection: string, id: string): Promise<Data | null | undefined> => (await doc(collection, id).get()).data;
    return {
      getUser: async (id) => asUser(await read(names.users, id)),
      getIdentity: async (key) => asIdentity(await read(names.identities, key)),
      getLinkTicket: async (id) => asLinkTicket(await read(names.linkTickets, id)),
      async updateUser(id, change) {
        const data = updateData(change);
        if (Object.keys(data).length > 0) await doc(names.users, id).update({ data });
      },
      async removeUser(id) {
        await doc(names.users, id).remove();
      },
      async putIdentity(identity) {
        await doc(names.identities, identity._id).set({ data: withoutId(identity) });
      },
      async removeIdentity(key) {
        await doc(names.identities, key).remove();
      },
      async markLinkTicketUsed(id, at) {
        await doc(names.linkTickets, id).update({ data: { usedAt: at } });
      },
      async putAudit(entry: AuditEntry) {
        await doc(names.audit, entry._id).set({ data: withoutId(entry) });
      },
    };
  }

  return {
    async findUsersByIdentity(keys) {
      const { data } = await orEmpty(() => users().where({ identityKeys: _.in(keys) }).limit(MAX_MATCHES).get(), { data: [] });
      return data.map(asUser).filter((user): user is UserDoc => user !== null);
    },

    async getUser(id) {
      const { data } = await orEmpty(() => users().doc(id).get(), { data: null });
      return asUser(data);
    },

    async identitiesOf(userIds) {
      if (userIds.length === 0) return [];
      const { data } = await orEmpty(
        () => identities().where({ userId: _.in(userIds) }).limit(MAX_MATCHES).get(),
        { data: [] },
      );
      return data.map(asIdentity).filter((identity): identity is IdentityDoc => identity !== null);
    },

    async usersMergedInto(userId) {
      const { data } = await orEmpty(
        () => users().where({ mergedInto: userId, status: 'merged' }).limit(MAX_MATCHES).get(),
        { data: [] },
      );
      return data.map(asUser).filter((user): user is UserDoc => user !== null);
    },

    async updateUser(id, change) {
      const data = updateData(change);
      if (Object.keys(data).length === 0) return (await this.getUser(id)) !== null;
      const { stats } = await users().doc(id).update({ data });
      return stats.updated > 0;
    },

    async insertLinkTicket(ticket) {
      await ensureCollection(names.linkTickets);
      await tickets().add({ data: { ...ticket } });
    },

    async getLinkTicket(id) {
      const { data } = await orEmpty(() => tickets().doc(id).get(), { data: null });
      return asLinkTicket(data);
    },

    async removeLinkTicketsOf(userId) {
      await orEmpty(() => tickets().where(_.or([{ fromUserId: userId }, { toUserId: userId }])).remove(), undefined);
    },

    async removeExpiredLinkTickets(before) {
      await orEmpty(() => tickets().where({ expiresAt: _.lt(before) }).remove(), undefined);
    },

    async removeLegacyUsers(openid) {
      const legacy = _.and([_.or([{ _openid: openid }, { openid }]), { identityKeys: _.exists(false) }]);
      await orEmpty(() => users().where(legacy).remove(), undefined);
    },

    async transaction(work) {
      // Every collection a transaction may write must exist first (users/identities exist once anyone logged in).
      await Promise.all([ensureCollection(names.audit), ensureCollection(names.linkTickets)]);
      for (let attempt = 1; ; attempt += 1) {
        const tx = await db.startTransaction();
        try {
          const result = await work(transactionOn(tx));
          await tx.commit();
          return result;
        } catch (error) {
          // After a conflict or a failed commit the server has already dropped it: ignore that answer.
          await tx.rollback().catch(() => undefined);
          if (attempt < MAX_TRANSACTION_ATTEMPTS && isTransactionConflictError(error)) continue;
          throw error;
        }
      }
    },
  };
}
