/**
 * AccountStore in memory, over the same maps as the MemoryUserStore it is given, honouring the
 * contract of cloudfunctions/login/src/store/account-store.ts. Transactions run one at a time
 * against a staged copy and apply all at once when the work resolves, nothing when it throws:
 * atomicity, which is what the actions rely on. (Conflicts with concurrent plain writes are the
 * emulator tests' job.) Every call yields to the event loop first, like a database would.
 */
import type {
  AccountStore,
  AccountTransaction,
  AuditEntry,
  IdentityDoc,
  LinkTicketDoc,
  UserChange,
} from '../../../../cloudfunctions/login/src/store/account-store';
import type { UserDoc } from '../../../../cloudfunctions/login/src/store/user-store';
import { copy, type IdentityRecord, type MemoryUserStore } from './memory-user-store';

export interface MemoryAccountStore extends AccountStore {
  tickets: Map<string, LinkTicketDoc>;
  audit: Map<string, AuditEntry>;
  /** Calls by method; transaction operations as 'tx.<method>'. */
  calls: Record<string, number>;
  /** Makes the next call of `method` ('identitiesOf', 'tx.updateUser', ...) reject once. */
  failNext(method: string): void;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function applyChange(user: UserDoc, change: UserChange): UserDoc {
  const next: UserDoc = { ...user, ...copy(change.set ?? {}), _id: user._id };
  for (const field of change.unset ?? []) delete next[field];
  return next;
}

function toIdentityDoc(key: string, record: IdentityRecord): IdentityDoc {
  return { _id: key, ...copy(record) };
}

function toRecord(identity: IdentityDoc): IdentityRecord {
  const { _id: _ignored, createdAt, ...rest } = copy(identity);
  return { ...rest, createdAt: createdAt ?? new Date(0) };
}

export function createMemoryAccountStore(base: MemoryUserStore): MemoryAccountStore {
  const { users, identities } = base;
  const tickets = new Map<string, LinkTicketDoc>();
  const audit = new Map<string, AuditEntry>();
  const calls: Record<string, number> = {};
  const failing = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();

  async function enter(method: string): Promise<void> {
    calls[method] = (calls[method] ?? 0) + 1;
    await tick();
    if (failing.delete(method)) throw new Error(`injected failure in ${method}`);
  }

  /** A transaction's view: staged writes (null = deleted) over the committed maps. */
  function stagedTransaction() {
    const staged = {
      users: new Map<string, UserDoc | null>(),
      identities: new Map<string, IdentityDoc | null>(),
      tickets: new Map<string, LinkTicketDoc | null>(),
      audit: new Map<string, AuditEntry>(),
    };
    const userNow = (id: string): UserDoc | null => {
      if (staged.users.has(id)) return copy(staged.users.get(id) ?? null);
      const user = users.get(id);
      return user ? copy(user) : null;
    };
    const identityNow = (key: string): IdentityDoc | null => {
      if (staged.identities.has(key)) return copy(staged.identities.get(key) ?? null);
      const record = identities.get(key);
      return record ? toIdentityDoc(key, record) : null;
    };
    const ticketNow = (id: string): LinkTicketDoc | null => {
      if (staged.tickets.has(id)) return copy(staged.tickets.get(id) ?? null);
      const ticket = tickets.get(id);
      return ticket ? copy(ticket) : null;
    };
    const tx: AccountTransaction = {
      async getUser(id) {
        await enter('tx.getUser');
        return userNow(id);
      },
      async getIdentity(key) {
        await enter('tx.getIdentity');
        return identityNow(key);
      },
      async getLinkTicket(id) {
        await enter('tx.getLinkTicket');
        return ticketNow(id);
      },
      async updateUser(id, change) {
        await enter('tx.updateUser');
        const user = userNow(id);
        if (user) staged.users.set(id, applyChange(user, change));
      },
      async removeUser(id) {
        await enter('tx.removeUser');
        staged.users.set(id, null);
      },
      async putIdentity(identity) {
        await enter('tx.putIdentity');
        staged.identities.set(identity._id, copy(identity));
      },
      async removeIdentity(key) {
        await enter('tx.removeIdentity');
        staged.identities.set(key, null);
      },
      async markLinkTicketUsed(id, at) {
        await enter('tx.markLinkTicketUsed');
        const ticket = ticketNow(id);
        if (ticket) staged.tickets.set(id, { ...ticket, usedAt: at });
      },
      async putAudit(entry) {
        await enter('tx.putAudit');
        staged.audit.set(entry._id, copy(entry));
      },
    };
    const commit = () => {
      for (const [id, user] of staged.users) {
        if (user) users.set(id, user);
        else users.delete(id);
      }
      for (const [key, identity] of staged.identities) {
        if (identity) identities.set(key, toRecord(identity));
        else identities.delete(key);
      }
      for (const [id, ticket] of staged.tickets) {
        if (ticket) tickets.set(id, ticket);
        else tickets.delete(id);
      }
      for (const [id, entry] of staged.audit) audit.set(id, entry);
    };
    return { tx, commit };
  }

  return {
    tickets,
    audit,
    calls,
    failNext: (method) => failing.add(method),

    async findUsersByIdentity(keys) {
      await enter('findUsersByIdentity');
      return [...users.values()].filter((user) => user.identityKeys?.some((key) => keys.includes(key))).map(copy);
    },

    async getUser(id) {
      await enter('getUser');
      const user = users.get(id);
      return user ? copy(user) : null;
    },

    async identitiesOf(userIds) {
      await enter('identitiesOf');
      return [...identities].filter(([, record]) => userIds.includes(record.userId)).map(([key, record]) => toIdentityDoc(key, record));
    },

    async usersMergedInto(userId) {
      await enter('usersMergedInto');
      return [...users.values()].filter((user) => user.status === 'merged' && user.mergedInto === userId).map(copy);
    },

    async updateUser(id, change) {
      await enter('updateUser');
      const user = users.get(id);
      if (!user) return false;
      users.set(id, applyChange(user, change));
      return true;
    },

    async insertLinkTicket(ticket) {
      await enter('insertLinkTicket');
      if (tickets.has(ticket._id)) throw new Error('duplicate ticket');
      tickets.set(ticket._id, copy(ticket));
    },

    async getLinkTicket(id) {
      await enter('getLinkTicket');
      const ticket = tickets.get(id);
      return ticket ? copy(ticket) : null;
    },

    async removeLinkTicketsOf(userId) {
      await enter('removeLinkTicketsOf');
      for (const [id, ticket] of tickets) if (ticket.fromUserId === userId || ticket.toUserId === userId) tickets.delete(id);
    },

    async removeExpiredLinkTickets(before) {
      await enter('removeExpiredLinkTickets');
      for (const [id, ticket] of tickets) if (ticket.expiresAt.getTime() < before.getTime()) tickets.delete(id);
    },

    async removeLegacyUsers(openid) {
      await enter('removeLegacyUsers');
      for (const [id, user] of users) {
        if (!user.identityKeys && (user._openid === openid || user.openid === openid)) users.delete(id);
      }
    },

    transaction<T>(work: (tx: AccountTransaction) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        await enter('transaction');
        const { tx, commit } = stagedTransaction();
        const result = await work(tx);
        commit();
        return result;
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
