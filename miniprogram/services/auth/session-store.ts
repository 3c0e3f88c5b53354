import type { PublicUser } from '../../../typings/contract';
import type { KeyValueStorage, SessionScope } from '../../ports';
import { readPublicUser } from '../response-guards';

/**
 * The logged-in user as kept in local storage.
 *
 * Key: `wx-cloud-login:session:v1:<appId>:<envId>`. The version is bumped whenever the stored
 * shape changes, so a newer build never reads an older build's entry as its own; the scope keeps
 * two envs (or two mini-programs sharing one browser in the preview) apart. Anything under the
 * prefix that is not this build's key is an older version or another scope, and is removed.
 *
 * The entry holds no secret: CloudBase identifies the caller of every wx.cloud.callFunction by
 * itself, so the cache only spares a round trip. Losing it costs one login call.
 */

const KEY_PREFIX = 'wx-cloud-login:session:';
const FORMAT_VERSION = 'v1';

export interface StoredSession {
  /** When this copy of the user was received (Clock.now()); drives the stale-while-revalidate TTL. */
  savedAt: number;
  user: PublicUser;
}

export interface SessionStore {
  /** This scope's session, or null. A corrupt entry is removed, and so are other versions' and scopes' entries. */
  read(): StoredSession | null;
  /** Throws what the storage throws (e.g. storage full); the caller decides whether that matters. */
  write(session: StoredSession): void;
  clear(): void;
}

export function sessionKey(scope: SessionScope): string {
  return `${KEY_PREFIX}${FORMAT_VERSION}:${scope.appId}:${scope.envId}`;
}

function parseStoredSession(raw: string): StoredSession | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { savedAt } = value as Record<string, unknown>;
  const user = readPublicUser((value as Record<string, unknown>).user);
  if (typeof savedAt !== 'number' || !Number.isFinite(savedAt) || !user) return null;
  return { savedAt, user };
}

export function createSessionStore(storage: KeyValueStorage, scope: SessionScope): SessionStore {
  const key = sessionKey(scope);

  function removeForeignEntries(): void {
    for (const other of storage.keys()) {
      if (other.startsWith(KEY_PREFIX) && other !== key) storage.removeItem(other);
    }
  }

  return {
    read() {
      removeForeignEntries();
      const raw = storage.getItem(key);
      if (raw === null) return null;
      const session = parseStoredSession(raw);
      if (!session) storage.removeItem(key);
      return session;
    },
    write(session) {
      // Only the contract's fields reach storage, whatever the caller's object carries besides.
      const user = readPublicUser(session.user);
      if (!user) throw new Error('refusing to cache a user that is not a PublicUser');
      storage.setItem(key, JSON.stringify({ savedAt: session.savedAt, user }));
    },
    clear() {
      storage.removeItem(key);
    },
  };
}
