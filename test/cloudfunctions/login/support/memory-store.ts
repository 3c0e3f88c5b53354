/**
 * Store (cloudfunctions/login/src/ports.ts) in memory, for fast tests of the actions. The
 * conformance suite (../cloudbase/store-conformance.ts) holds it to the CloudBase store on the
 * emulator, which is the reference.
 *
 * Every method yields to the event loop first so that concurrent calls interleave as they would
 * against a database. Transactions run one at a time against a staged view (reads see its own
 * writes) and apply all at once when the work resolves, nothing when it throws: atomicity, which
 * is what the actions rely on. (Conflicts with concurrent plain writes are the emulator tests' job.)
 */
import { isClientWritten, isLegacyDocumentOf, isTrustedUser } from '../../../../cloudfunctions/login/src/cloudbase/client-written';
import type { IdentityKeys } from '../../../../cloudfunctions/login/src/rules/identity';
import type { AuditEntry, IdentityDoc, LinkTicketDoc, LoginStamp, RateLimitDoc, UserDoc } from '../../../../cloudfunctions/login/src/model';
import type { Store, StoreTransaction, UserPatch } from '../../../../cloudfunctions/login/src/ports';

/** An identities document without its `_id` (the map key). */
export interface IdentityRecord {
  userId: string;
  createdAt: Date;
  provider?: string;
  movedFrom?: string;
  movedAt?: Date;
}

export interface MemoryStore extends Store {
  users: Map<string, UserDoc>;
  identities: Map<string, IdentityRecord>;
  tickets: Map<string, LinkTicketDoc>;
  audit: Map<string, AuditEntry>;
  rateLimits: Map<string, RateLimitDoc>;
  /** Number of calls made, by method; transaction operations as 'tx.<method>'. */
  calls: Record<string, number>;
  /** Makes the next call of `method` ('stampAndFind', 'tx.updateUser', ...) reject once. */
  failNext(method: string): void;
  /** Makes the `k`-th call from now (of any method, 1-based) reject once: a fault sweep walks k = 1..n. */
  failAt(k: number): void;
  /** Every call made so far, by method ('tx.<method>' inside transactions), summed. */
  totalCalls(): number;
  /**
   * A request of another service of the same world (storage, per-user data): counted with the
   * store's for failAt (not in `calls`), so a fault sweep reaches every request a path makes.
   */
  enterService(request: string): Promise<void>;
  /** Every request so far: the store's calls and the other services' (enterService). */
  totalRequests(): number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Deep copy keeping Dates of this realm (structuredClone's come from another one under jest). */
export function copy<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, copy(inner)])) as T;
  }
  return value;
}

function applyStamp(user: UserDoc, stamp: LoginStamp): void {
  user.lastLoginAt = stamp.at;
  user.loginCount = (user.loginCount ?? 0) + 1;
  user.lastLoginId = stamp.id;
}

/** The user after `patch`, as the CloudBase update operators would leave it. */
function patched(user: UserDoc, patch: UserPatch): UserDoc {
  const next: UserDoc = { ...copy(user), ...copy(patch.set ?? {}), _id: user._id };
  if (patch.stamp) applyStamp(next, patch.stamp);
  if (patch.addIdentityKeys) next.identityKeys = [...new Set([...(next.identityKeys ?? []), ...patch.addIdentityKeys])];
  if (patch.noteKeysHeldElsewhere) {
    next.keysHeldElsewhere = [...new Set([...(next.keysHeldElsewhere ?? []), ...patch.noteKeysHeldElsewhere])];
  }
  if (patch.removeIdentityKeys) {
    const removed = patch.removeIdentityKeys;
    next.identityKeys = (next.identityKeys ?? []).filter((key) => !removed.includes(key));
  }
  for (const [field, values] of Object.entries(patch.addToLists ?? {})) {
    next[field] = [...new Set([...((next[field] as string[] | undefined) ?? []), ...values])];
  }
  for (const [field, values] of Object.entries(patch.pullFromLists ?? {})) {
    if (Array.isArray(next[field])) next[field] = (next[field] as string[]).filter((value) => !values.includes(value));
  }
  for (const path of patch.remove ?? []) removePath(next, path.split('.'));
  return next;
}

/** Deletes the field at `path` (through objects and array indexes); a missing one is left alone. */
function removePath(target: unknown, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || typeof target !== 'object' || target === null) return;
  const container = target as Record<string, unknown>;
  if (rest.length === 0) {
    if (!Array.isArray(container)) delete container[head];
    return;
  }
  removePath(container[head], rest);
}

function isLegacyOf(user: UserDoc, openid: string): boolean {
  return isLegacyDocumentOf(user, openid);
}

function toIdentityDoc(key: string, record: IdentityRecord): IdentityDoc {
  return { _id: key, ...copy(record) };
}

function toRecord(identity: IdentityDoc): IdentityRecord {
  const { _id: _ignored, createdAt, ...rest } = copy(identity);
  return { ...rest, createdAt: createdAt ?? new Date(0) };
}

/** Maps a store writes to; a transaction stages its writes in one of these (null = deleted). */
interface Tables {
  user(id: string): UserDoc | null;
  setUser(id: string, user: UserDoc | null): void;
  identity(key: string): IdentityDoc | null;
  setIdentity(key: string, identity: IdentityDoc | null): void;
  ticket(id: string): LinkTicketDoc | null;
  setTicket(id: string, ticket: LinkTicketDoc | null): void;
  setAudit(entry: AuditEntry): void;
}

export function createMemoryStore(): MemoryStore {
  const users = new Map<string, UserDoc>();
  const identities = new Map<string, IdentityRecord>();
  const tickets = new Map<string, LinkTicketDoc>();
  const audit = new Map<string, AuditEntry>();
  const rateLimits = new Map<string, RateLimitDoc>();
  const calls: Record<string, number> = {};
  const failing = new Set<string>();
  let countdown: number | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  let serviceRequests = 0;
  async function enter(method: string, counted = true): Promise<void> {
    if (counted) calls[method] = (calls[method] ?? 0) + 1;
    else serviceRequests += 1;
    // Decided when the call is made: parallel calls count in the order they were issued.
    const failHere = countdown !== null && --countdown === 0;
    if (failHere) countdown = null;
    await tick();
    if (failing.delete(method)) throw new Error(`injected failure in ${method}`);
    if (failHere) throw new Error(`injected failure at ${method}`);
  }

  const committed: Tables = {
    user: (id) => copy(users.get(id) ?? null),
    setUser: (id, user) => (user ? users.set(id, copy(user)) : users.delete(id)),
    identity: (key) => {
      const record = identities.get(key);
      return record ? toIdentityDoc(key, record) : null;
    },
    setIdentity: (key, identity) => (identity ? identities.set(key, toRecord(identity)) : identities.delete(key)),
    ticket: (id) => copy(tickets.get(id) ?? null),
    setTicket: (id, ticket) => (ticket ? tickets.set(id, copy(ticket)) : tickets.delete(id)),
    setAudit: (entry) => audit.set(entry._id, copy(entry)),
  };

  /** The single-document operations over `tables`, counted under `prefix`. */
  function operationsOn(tables: Tables, prefix: string): StoreTransaction {
    return {
      async getUser(id) {
        await enter(`${prefix}getUser`);
        return tables.user(id);
      },
      async updateUser(id, patch) {
        await enter(`${prefix}updateUser`);
        const user = tables.user(id);
        if (!user) return false;
        tables.setUser(id, patched(user, patch));
        return true;
      },
      async removeUser(id) {
        await enter(`${prefix}removeUser`);
        tables.setUser(id, null);
      },
      async getIdentity(key) {
        await enter(`${prefix}getIdentity`);
        return tables.identity(key);
      },
      async putIdentity(identity) {
        await enter(`${prefix}putIdentity`);
        tables.setIdentity(identity._id, identity);
      },
      async removeIdentity(key) {
        await enter(`${prefix}removeIdentity`);
        tables.setIdentity(key, null);
      },
      async getLinkTicket(id) {
        await enter(`${prefix}getLinkTicket`);
        return tables.ticket(id);
      },
      async markLinkTicketUsed(id, at) {
        await enter(`${prefix}markLinkTicketUsed`);
        const ticket = tables.ticket(id);
        if (ticket) tables.setTicket(id, { ...ticket, usedAt: at });
      },
      async putAudit(entry) {
        await enter(`${prefix}putAudit`);
        tables.setAudit(entry);
      },
    };
  }

  /** A transaction's view: staged writes over the committed maps, applied by `commit`. */
  function staged(): { tables: Tables; commit(): void } {
    const stagedUsers = new Map<string, UserDoc | null>();
    const stagedIdentities = new Map<string, IdentityDoc | null>();
    const stagedTickets = new Map<string, LinkTicketDoc | null>();
    const stagedAudit = new Map<string, AuditEntry>();
    const over = <T>(stage: Map<string, T | null>, id: string, read: (id: string) => T | null): T | null =>
      stage.has(id) ? copy(stage.get(id) ?? null) : read(id);
    return {
      tables: {
        user: (id) => over(stagedUsers, id, committed.user),
        setUser: (id, user) => stagedUsers.set(id, copy(user)),
        identity: (key) => over(stagedIdentities, key, committed.identity),
        setIdentity: (key, identity) => stagedIdentities.set(key, copy(identity)),
        ticket: (id) => over(stagedTickets, id, committed.ticket),
        setTicket: (id, ticket) => stagedTickets.set(id, copy(ticket)),
        setAudit: (entry) => stagedAudit.set(entry._id, copy(entry)),
      },
      commit() {
        for (const [id, user] of stagedUsers) committed.setUser(id, user);
        for (const [key, identity] of stagedIdentities) committed.setIdentity(key, identity);
        for (const [id, ticket] of stagedTickets) committed.setTicket(id, ticket);
        for (const entry of stagedAudit.values()) committed.setAudit(entry);
      },
    };
  }

  const matching = (test: (user: UserDoc) => boolean) => [...users.values()].filter(test).map(copy);
  /** The userIds the identity documents of `keys` point at (this store holds no client-written ones). */
  const vouchedBy = (keys: string[]) => new Set(keys.flatMap((key) => identities.get(key)?.userId ?? []));

  return {
    users,
    identities,
    tickets,
    audit,
    rateLimits,
    calls,
    failNext: (method) => failing.add(method),
    failAt: (k) => {
      countdown = k;
    },
    totalCalls: () => Object.values(calls).reduce((sum, count) => sum + count, 0),
    enterService: (request) => enter(request, false),
    totalRequests: () => Object.values(calls).reduce((sum, count) => sum + count, serviceRequests),
    ...operationsOn(committed, ''),

    async stampAndFind(keys: IdentityKeys, legacyOpenid: string, stamp: LoginStamp) {
      await enter('stampAndFind');
      let stamped = false;
      for (const user of users.values()) {
        const writer = isClientWritten(user) ? user._openid : legacyOpenid;
        if (
          user.identityKeys?.includes(keys.openid) &&
          user.status !== 'banned' &&
          user.status !== 'merged' &&
          user.status !== 'deleting' &&
          user.status !== 'importing' &&
          writer === legacyOpenid
        ) {
          applyStamp(user, stamp);
          stamped = true;
        }
      }
      const vouched = vouchedBy(keys.all);
      const found = matching(
        (user) =>
          (user.identityKeys?.some((key) => keys.all.includes(key)) === true || isLegacyOf(user, legacyOpenid)) &&
          isTrustedUser(user, vouched, legacyOpenid),
      );
      return { users: found, stamped };
    },

    async claimIdentity(key, userId, at) {
      await enter('claimIdentity');
      const existing = identities.get(key);
      if (existing) return existing.userId;
      identities.set(key, { userId, createdAt: at, provider: key.slice(0, key.indexOf(':')) });
      return userId;
    },

    async reassignIdentity(key, fromUserId, toUserId, at) {
      await enter('reassignIdentity');
      const identity = identities.get(key);
      if (identity?.userId !== fromUserId) return false;
      identities.set(key, { ...identity, userId: toUserId, movedFrom: fromUserId, movedAt: at });
      return true;
    },

    async insertUser(user) {
      await enter('insertUser');
      if (users.has(user._id)) return false;
      users.set(user._id, copy(user));
      return true;
    },

    async scrubLegacyDocuments(openid, fields) {
      await enter('scrubLegacyDocuments');
      for (const user of users.values()) {
        if (isLegacyOf(user, openid)) for (const field of fields) delete user[field];
      }
    },

    async removeLegacyUsers(openid) {
      await enter('removeLegacyUsers');
      for (const [id, user] of users) if (isLegacyOf(user, openid)) users.delete(id);
    },

    async findUsersByIdentity(keys) {
      await enter('findUsersByIdentity');
      const vouched = vouchedBy(keys);
      return matching((user) => user.identityKeys?.some((key) => keys.includes(key)) === true && isTrustedUser(user, vouched));
    },

    async identitiesOf(userIds) {
      await enter('identitiesOf');
      return [...identities].filter(([, record]) => userIds.includes(record.userId)).map(([key, record]) => toIdentityDoc(key, record));
    },

    async markUserDeleting(id) {
      await enter('markUserDeleting');
      const user = users.get(id);
      if (!user || user.status === 'banned' || user.status === 'merged') return false;
      user.status = 'deleting';
      return true;
    },

    async usersMergedInto(userId) {
      await enter('usersMergedInto');
      return matching((user) => user.status === 'merged' && user.mergedInto === userId);
    },

    async usersOwingDataMoves(limit) {
      await enter('usersOwingDataMoves');
      return matching((user) => (user.pendingDataMoves ?? []).length > 0 || (user.lateDataMoves ?? []).length > 0).slice(0, limit);
    },

    async insertLinkTicket(ticket) {
      await enter('insertLinkTicket');
      if (tickets.has(ticket._id)) throw new Error('duplicate ticket');
      tickets.set(ticket._id, copy(ticket));
    },

    async removeLinkTicketsOf(userIds, callerKeys) {
      await enter('removeLinkTicketsOf');
      for (const [id, ticket] of tickets) {
        if (userIds.includes(ticket.fromUserId) || userIds.includes(ticket.toUserId) || callerKeys.includes(ticket.callerKey))
          tickets.delete(id);
      }
    },

    async removeExpiredLinkTickets(before) {
      await enter('removeExpiredLinkTickets');
      for (const [id, ticket] of tickets) if (ticket.expiresAt.getTime() < before.getTime()) tickets.delete(id);
    },

    async deletionsWithPendingWork(limit, dueAt) {
      await enter('deletionsWithPendingWork');
      const due = (entry: Extract<AuditEntry, { type: 'account-deleted' }>) =>
        !dueAt || entry.lateWritesUntil === undefined || entry.lateWritesUntil.getTime() <= dueAt.getTime();
      const pending = [...audit.values()].filter(
        (entry): entry is Extract<AuditEntry, { type: 'account-deleted' }> =>
          entry.type === 'account-deleted' &&
          (entry.pendingFileIDs.length > 0 ||
            (((entry.pendingUserIds ?? []).length > 0 || (entry.lateUploadFileIDs ?? []).length > 0) && due(entry))),
      );
      return pending.slice(0, limit).map(copy);
    },
    async auditEntriesAbout(userId, limit) {
      await enter('auditEntriesAbout');
      const about = (entry: AuditEntry) =>
        entry.type === 'account-linked'
          ? entry.fromUserId === userId || entry.toUserId === userId
          : entry.type !== 'phone-check' && entry.userId === userId;
      return [...audit.values()]
        .filter(about)
        .sort((a, b) => b.at.getTime() - a.at.getTime())
        .slice(0, limit)
        .map(copy);
    },

    async countUse(slot, limit) {
      await enter('countUse');
      // No await between the read and the write: one atomic step, as the database's conditional update.
      const current = rateLimits.get(slot._id);
      if (limit < 1 || (current && current.count >= limit)) return false;
      if (!current) {
        for (const [id, doc] of rateLimits)
          if (doc.action === slot.action && doc.keyHash === slot.keyHash && doc.resetAt.getTime() <= slot.windowStart.getTime())
            rateLimits.delete(id);
      }
      rateLimits.set(slot._id, { ...copy(slot), count: (current?.count ?? 0) + 1 });
      return true;
    },

    transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        await enter('transaction');
        const view = staged();
        const result = await work(operationsOn(view.tables, 'tx.'));
        view.commit();
        return result;
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
