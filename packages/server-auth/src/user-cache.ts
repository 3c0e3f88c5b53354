/**
 * The in-instance cache of resolved callers: what makes a protected call on a warm instance cost
 * no database round trip for "who is this".
 *
 * The bound: an entry answers for at most `ttlMs` (USER_CACHE_TTL_MS, 60 s) after it was read, so a
 * ban, an unlink or a deletion made anywhere takes effect in every instance within 60 s. In the
 * instance that makes such a change it takes effect at once: the change calls invalidateUser (the
 * wrapper's `forgetUser`), which drops every entry naming that user. Only usable accounts are
 * kept; refusals (USER_NOT_FOUND, USER_BANNED) are read again on every call.
 *
 * The account hint: an entry remembers the hint of the call that read it (the client sends the id of
 * the account it holds, `accountHint`). A call naming another hint misses, so the device that just
 * linked, unlinked or deleted reads the account as it is now on its very next call, whichever
 * instance answers. A hint only ever causes a read: it never names the user that is answered.
 *
 * A clock that went backwards (an entry "from the future") counts as expired. The cache holds at
 * most `maxEntries` callers (the oldest read goes first), so a busy instance's memory stays bounded.
 */
import type { IdentityKeys } from './identity';
import type { UserRecord } from './user-record';

/** How long a resolved caller is answered from memory: the staleness bound the README documents. */
export const USER_CACHE_TTL_MS = 60_000;
/** Callers remembered per instance. */
export const USER_CACHE_MAX_ENTRIES = 1000;

export interface UserCache<U extends UserRecord = UserRecord> {
  /**
   * The user resolved for these keys within the bound, or undefined. With `hint`: undefined too
   * when the entry was read under another hint (the caller's account changed on their device).
   */
  get(keys: IdentityKeys, hint?: string): U | undefined;
  /** Keeps `user` for these keys, read under `hint` (the call's account hint, if it sent one). */
  set(keys: IdentityKeys, user: U, hint?: string): void;
  /** Forgets every entry naming this user (its own id, or merged into it). */
  invalidateUser(userId: string): void;
  clear(): void;
  readonly size: number;
}

export interface UserCacheOptions {
  /** Milliseconds since the epoch; Date.now by default (tests inject their own). */
  now?: () => number;
  ttlMs?: number;
  maxEntries?: number;
}

/** One cache key per identity: the unionid key too, so a context without it is another caller. */
function cacheKey(keys: IdentityKeys): string {
  return keys.all.join('\n');
}

export function createUserCache<U extends UserRecord = UserRecord>(options: UserCacheOptions = {}): UserCache<U> {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? USER_CACHE_TTL_MS;
  const maxEntries = options.maxEntries ?? USER_CACHE_MAX_ENTRIES;
  const entries = new Map<string, { user: U; at: number; hint: string | undefined }>();

  return {
    get(keys, hint) {
      const key = cacheKey(keys);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (hint !== undefined && hint !== entry.hint) return undefined;
      const age = now() - entry.at;
      if (age >= 0 && age < ttlMs) return entry.user;
      entries.delete(key);
      return undefined;
    },
    set(keys, user, hint) {
      const key = cacheKey(keys);
      entries.delete(key);
      entries.set(key, { user, at: now(), hint });
      // Map keeps insertion order: the first key is the oldest read.
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    invalidateUser(userId) {
      for (const [key, entry] of entries) {
        if (entry.user._id === userId || entry.user.mergedInto === userId) entries.delete(key);
      }
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
