/**
 * UserStore in memory, honouring the contract of cloudfunctions/login/src/store/user-store.ts,
 * for fast tests of the login logic. Every method yields to the event loop first so that
 * concurrent logins interleave as they would against a database.
 */
import type { IdentityKeys } from '../../../../cloudfunctions/login/src/rules/identity';
import type { LoginStamp, UserDoc, UserPatch, UserStore } from '../../../../cloudfunctions/login/src/store/user-store';

/** An identities document without its `_id` (the map key). */
export interface IdentityRecord {
  userId: string;
  createdAt: Date;
  provider?: string;
  movedFrom?: string;
  movedAt?: Date;
}

export interface MemoryUserStore extends UserStore {
  users: Map<string, UserDoc>;
  identities: Map<string, IdentityRecord>;
  /** Number of store calls made, by method. */
  calls: Record<string, number>;
  /** Makes the next call of `method` reject once. */
  failNext(method: keyof UserStore): void;
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
const clone = (user: UserDoc): UserDoc => copy(user);

export function createMemoryUserStore(): MemoryUserStore {
  const users = new Map<string, UserDoc>();
  const identities = new Map<string, IdentityRecord>();
  const calls: Record<string, number> = {};
  const failing = new Set<string>();

  async function enter(method: string): Promise<void> {
    calls[method] = (calls[method] ?? 0) + 1;
    await tick();
    if (failing.delete(method)) throw new Error(`injected failure in ${method}`);
  }

  function applyStamp(user: UserDoc, stamp: LoginStamp): void {
    user.lastLoginAt = stamp.at;
    user.loginCount = (user.loginCount ?? 0) + 1;
    user.lastLoginId = stamp.id;
  }

  return {
    users,
    identities,
    calls,
    failNext: (method) => failing.add(method),

    async stampAndFind(keys: IdentityKeys, legacyOpenid: string, stamp: LoginStamp) {
      await enter('stampAndFind');
      let stamped = false;
      for (const user of users.values()) {
        if (user.identityKeys?.includes(keys.openid) && user.status !== 'banned' && user.status !== 'merged') {
          applyStamp(user, stamp);
          stamped = true;
        }
      }
      const found = [...users.values()].filter(
        (user) =>
          user.identityKeys?.some((key) => keys.all.includes(key)) ||
          user._openid === legacyOpenid ||
          user.openid === legacyOpenid,
      );
      return { users: found.map(clone), stamped };
    },

    async claimIdentity(key: string, userId: string, at: Date) {
      await enter('claimIdentity');
      const existing = identities.get(key);
      if (existing) return existing.userId;
      identities.set(key, { userId, createdAt: at, provider: key.slice(0, key.indexOf(':')) });
      return userId;
    },

    async reassignIdentity(key: string, fromUserId: string, toUserId: string, at: Date) {
      await enter('reassignIdentity');
      const identity = identities.get(key);
      if (identity?.userId !== fromUserId) return false;
      identities.set(key, { ...identity, userId: toUserId, createdAt: identity.createdAt ?? at });
      return true;
    },

    async insertUser(user: UserDoc) {
      await enter('insertUser');
      if (users.has(user._id)) return false;
      users.set(user._id, clone(user));
      return true;
    },

    async getUser(id: string) {
      await enter('getUser');
      const user = users.get(id);
      return user ? clone(user) : null;
    },

    async updateUser(id: string, patch: UserPatch) {
      await enter('updateUser');
      const user = users.get(id);
      if (!user) return false;
      Object.assign(user, patch.set);
      if (patch.stamp) applyStamp(user, patch.stamp);
      if (patch.addIdentityKeys) {
        user.identityKeys = [...new Set([...(user.identityKeys ?? []), ...patch.addIdentityKeys])];
      }
      if (patch.noteKeysHeldElsewhere) {
        user.keysHeldElsewhere = [...new Set([...(user.keysHeldElsewhere ?? []), ...patch.noteKeysHeldElsewhere])];
      }
      if (patch.removeIdentityKeys) {
        user.identityKeys = (user.identityKeys ?? []).filter((key) => !patch.removeIdentityKeys?.includes(key));
      }
      for (const field of patch.remove ?? []) delete user[field];
      return true;
    },

    async scrubLegacyDocuments(openid: string, fields: readonly string[]) {
      await enter('scrubLegacyDocuments');
      for (const user of users.values()) {
        if (!user.identityKeys && (user._openid === openid || user.openid === openid)) {
          for (const field of fields) delete user[field];
        }
      }
    },

    async removeUser(id: string) {
      await enter('removeUser');
      users.delete(id);
    },
  };
}
