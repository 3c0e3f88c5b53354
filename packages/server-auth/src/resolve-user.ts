/**
 * Who the caller is: the one resolution rule of this code base, used by the login function's
 * account actions and by every other cloud function (through requireUser).
 *
 * The caller is the user their WeChat identity signs in to, picked the way login picks it: the
 * user holding this app's openid key first, then the one holding the unionid key (two accounts of
 * one person are never merged silently), in one query. A merged account stands for the account it
 * was merged into. Identity comes from cloud.getWXContext() only, never from the event.
 *
 * Outcomes: the user, or USER_NOT_FOUND (never logged in, deleted, unlinked from this WeChat, being
 * deleted, or written by an import and not activated yet — the login activates it) or USER_BANNED. UNAUTHENTICATED (no identity at all) is the caller's check, before
 * this runs.
 */
import { assertNoActiveBan } from './ban';
import { AppError } from './errors';
import { identityKeysFor, userHoldingIdentity, type IdentityKeys, type WxIdentity } from './identity';
import type { UserCache } from './user-cache';
import type { UserRecord } from './user-record';

/** The reads the rule needs; the login function's Store has them, and so has createUserLookup. */
export interface UserLookup<U extends UserRecord = UserRecord> {
  /** Users whose identityKeys hold any of `keys`, trusted ones only (client-written.ts). */
  findUsersByIdentity(keys: string[]): Promise<U[]>;
  /** The user, or null when none has this id. */
  getUser(id: string): Promise<U | null>;
}

export interface Caller<U extends UserRecord = UserRecord> {
  identity: WxIdentity;
  keys: IdentityKeys;
  user: U;
}

export interface ResolveOptions<U extends UserRecord> {
  /** A user being deleted (status 'deleting') counts as not found, unless this is set (deleteAccount resumes it). */
  resumeDeletion?: boolean;
  /** The time bans are judged at (an ended ban counts as lifted, ban.ts). Default: the clock. */
  now?: Date;
  /**
   * Answers a caller resolved within the cache's bound without reading the database, and keeps
   * what this call resolves. Without it every call reads (the account actions, which change the
   * account, always do).
   */
  cache?: UserCache<U>;
  /** Reads the database even when the cache would answer, and keeps the result (a write's resolution). */
  refresh?: boolean;
  /** The call's account hint (user-cache.ts): a cached entry read under another hint is not answered. */
  accountHint?: string;
}

/**
 * Throws USER_NOT_FOUND when the identity has no user — the client's lazy-login wrapper then logs
 * in and retries — and USER_BANNED while a ban is in force (with its end and reason). Round trips: one (the users query and the
 * identities read that vouches for them go in parallel); two when only a merged account holds the
 * key (a login raced the merge); none when the cache answers.
 */
export async function resolveCaller<U extends UserRecord>(
  identity: WxIdentity,
  lookup: UserLookup<U>,
  options: ResolveOptions<U> = {},
): Promise<Caller<U>> {
  const keys = identityKeysFor(identity);
  const cached = options.refresh ? undefined : options.cache?.get(keys, options.accountHint);
  if (cached) return { identity, keys, user: cached };

  const found = await lookup.findUsersByIdentity(keys.all);
  let user = userHoldingIdentity(found, keys);
  if (!user) {
    // Only a merged account holds the key (a login raced the merge): it stands for its target.
    const target = found.find((candidate) => candidate.mergedInto)?.mergedInto;
    const resolved = target ? await lookup.getUser(target) : null;
    if (resolved && resolved.status !== 'merged') user = resolved;
  }
  if (!user) throw new AppError('USER_NOT_FOUND', 'no user for this WeChat identity: call login first');
  assertNoActiveBan(user, options.now ?? new Date());
  // An account being deleted is gone for every action but the deletion itself (which may resume it).
  if (user.status === 'deleting' && !options.resumeDeletion) throw new AppError('USER_NOT_FOUND', 'the account is being deleted');
  // An import's account is not usable before the import's final check (or a login making it)
  // activates it: whatever was written under it would be orphaned should the check remove it.
  if (user.status === 'importing') throw new AppError('USER_NOT_FOUND', 'the account is still being imported: call login first');
  // Only a usable account is kept: a refusal is read again next time, so a login that cures it
  // (USER_NOT_FOUND -> login -> retry) is seen at once.
  if (user.status !== 'deleting') options.cache?.set(keys, user, options.accountHint);
  return { identity, keys, user };
}
