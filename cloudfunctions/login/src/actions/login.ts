/**
 * Login: find or create the user for the caller's WeChat identity and record the login.
 *
 * Round trips (each line is one set of requests issued in parallel):
 *   returning login   1: stampAndFind (record the login + read the user, both keyed by identity)
 *                     [+ 1 write, in parallel with an avatar refresh, when it answers link notices]
 *   first login       3: stampAndFind (miss) -> claim the primary identity -> insert user + other claims
 *                     [+ 1 query beside the claim: earlier deletions' leftover cleanup (more only when some is due)]
 *   legacy adoption   3: stampAndFind (finds the tutorial-style doc) -> claim keys -> adopt + scrub
 *   new app / unionid 3: stampAndFind (found by the other key) -> claim new keys -> attach + record
 *   adopted legacy document, returning from another app (unionid) 2: stampAndFind -> record. The
 *                     document keeps the first app's `_openid`, and the first trip's stamp never
 *                     lands on a document another openid wrote (it cannot tell it from a planted
 *                     one; model.ts, the trust rule), so the login is recorded by a second write.
 *
 * Race safety: a user is only ever created under an id that an identity claim points to, and a
 * claim is an insert with a unique `_id` (see rules/identity.ts). Losers of a claim adopt the winner's
 * user id; if that user document does not exist yet (the winner is between its claim and its
 * insert, or it crashed there) the loser inserts it under the same id — `_id` uniqueness again
 * decides who, so there is never a second user and never an identity pointing at nothing once a
 * login has succeeded.
 *
 * A user still marked 'deleting' (deleteAccount crashed between its mark and its commit, or is
 * running right now) is deleted by this login — the person asked for it — and the login then
 * creates a fresh account (shared/account-deletion.ts).
 *
 * `existingOnly` (the event's `existingOnly: true`): the mini-program's once-per-launch revalidation of
 * a session it has cached. It asks "who am I now?", never "make me someone": when this WeChat no
 * longer signs in to any account (注销 on another device, the cancellation push, an unlink) the
 * answer is USER_NOT_FOUND and nothing is created, so the device signs out and says so instead of
 * silently landing in a new, empty account. A returning person costs what a returning login costs.
 *
 * An account an import wrote and has not activated yet ('importing') is checked the way the import's
 * final step checks it (shared/imported-account.ts): activated and signed in to, or — its id was
 * deleted (注销) while the import ran — removed, and the login starts over with a fresh account.
 *
 * Accounts merged into another (confirm-link.ts) hold no identity keys; should a racing login
 * still reach one, it signs in to the account it was merged into.
 *
 * WeChat pairs (model.ts `wechatPairs`): a login whose context has a unionid records which openid
 * key came with it, in a write the login makes anyway (the insert, the adoption, the attach). A
 * returning login whose pair is already recorded writes nothing for it, so it stays 1 round trip;
 * documents from before the pairs get theirs at the next login of each WeChat (one extra write, once).
 *
 * Avatar: a stored temporary URL is answered as it is while valid; when it is about to expire the
 * login refreshes it (shared/avatar-url.ts) — one storage request and one write, about once a day.
 */
import type { LoginData } from '../../../../typings/contract';
import { deleteUserAccount, sweepPendingWork } from './shared/account-deletion';
import { withFreshAvatarUrl } from './shared/avatar-url';
import { finishAccountCleanup, owesCleanup } from './shared/account-cleanup';
import { settleImportedAccount } from './shared/imported-account';
import { adoptionPatch, LEGACY_SECRET_FIELDS, legacyDocumentToAdopt } from './shared/legacy-adoption';
import { assertNoActiveBan, isExpiredBan, LIFTED_BAN } from '../rules/ban';
import { AppError } from '../rules/errors';
import { identityKeysFor, userHoldingIdentity, type IdentityKeys, type WxIdentity } from '../rules/identity';
import { linkNoticesFor, type LinkNotice } from '../rules/link-notice';
import { pairsAfterLogin } from '../rules/identity-summary';
import { toPublicUser } from '../rules/public-user';
import { secretPaths } from '../rules/secret-fields';
import type { LoginStamp, UserDoc } from '../model';
import type { Deps, Invocation, UserPatch } from '../ports';

/** The user after this login (before its avatar URL is checked) and whether the login created it. */
interface LoginOutcome {
  user: UserDoc;
  isNewUser: boolean;
}

/** How many `mergedInto` hops a login follows (a merge target is never itself merged, except in a race). */
const MAX_MERGE_HOPS = 3;

/** Secrets the common tutorial pattern stored in users documents; removed on adoption (shared/legacy-adoption.ts). */
export { LEGACY_SECRET_FIELDS };

/**
 * The account this login was signing in to was deleted under it (a 注销 committed between two of
 * its requests): the login starts over, and then creates a fresh account. Never answered as such.
 */
class AccountVanished extends Error {}

function vanished(message: string): never {
  throw new AccountVanished(message);
}

/** Attempts of one login when the account vanishes under it (each later one starts from a deleted account). */
const MAX_LOGIN_ATTEMPTS = 3;

/** What the event may ask of a login (validated by loginOptions). */
export interface LoginOptions {
  /** True: answer USER_NOT_FOUND instead of creating an account when this WeChat has none. */
  existingOnly: boolean;
}

/** The event's options: `existingOnly` is a boolean when present (INVALID_ARGUMENT otherwise). */
export function loginOptions(event: Record<string, unknown>): LoginOptions {
  const { existingOnly } = event;
  if (existingOnly !== undefined && typeof existingOnly !== 'boolean') {
    throw new AppError('INVALID_ARGUMENT', 'existingOnly must be a boolean');
  }
  return { existingOnly: existingOnly === true };
}

export async function login(
  identity: WxIdentity,
  deps: Deps,
  invocation: Invocation = { env: '' },
  options: LoginOptions = { existingOnly: false },
): Promise<LoginData> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await loginOnce(identity, deps, invocation, options);
    } catch (error) {
      if (!(error instanceof AccountVanished)) throw error;
      // A defined answer, never INTERNAL: the client's next login starts a fresh account.
      if (attempt >= MAX_LOGIN_ATTEMPTS) throw new AppError('USER_NOT_FOUND', 'the account was deleted while this login ran');
    }
  }
}

async function loginOnce(identity: WxIdentity, deps: Deps, invocation: Invocation, options: LoginOptions): Promise<LoginData> {
  const keys = identityKeysFor(identity);
  const stamp: LoginStamp = { id: deps.newId(), at: deps.now() };
  const { users, stamped } = await deps.store.stampAndFind(keys, identity.openid, stamp);
  let user = pickUser(users, keys);
  if (user?.status === 'importing') {
    // An import's account not activated yet: check it as the import will, then use it or start over.
    user = (await settleImportedAccount(user, deps)) ?? vanished(`imported user ${user._id} was deleted while importing`);
  }
  if (user?.status === 'deleting') {
    // The person asked to delete this account and the deletion did not finish (a crash, or it is
    // running elsewhere right now): complete it, then this login starts a fresh account.
    await deleteUserAccount(user, deps, { legacyOpenids: [identity.openid], env: invocation.env, undoOnFailure: false });
    user = undefined;
  }
  // The first trip found no account for this WeChat and nothing was written (the stamp matches
  // only existing documents): a revalidation ends here, creating nothing.
  if (!user && options.existingOnly) throw new AppError('USER_NOT_FOUND', 'this WeChat signs in to no account (existingOnly)');

  // Deletions whose cleanup is left (a late-write window that passed, a fault): a new account is
  // also the next login of a person who deleted theirs. One query, beside the account's creation
  // (no extra round trip); never on a returning login.
  const sweep = user
    ? undefined
    : sweepPendingWork(deps).catch((error: unknown) => deps.warn('finishing earlier deletions at a first login failed', error));
  const outcome = user?.identityKeys
    ? await loginKnownUser(user, keys, stamp, stamped, deps)
    : user
      ? await adoptLegacyUser(user, keys, identity.openid, stamp, deps, users)
      : await createUser(keys, stamp, stamped, deps);
  const notices = linkNoticesFor(outcome.user.linkNotices, keys.all);
  const [shown] = await Promise.all([
    withFreshAvatarUrl(outcome.user, stamp.at, {
      files: deps.files,
      save: (id, fields) => deps.store.updateUser(id, { set: fields }),
      warn: deps.warn,
    }),
    notices.shown.length > 0 ? forgetLinkNotices(outcome.user._id, notices.remaining, deps) : undefined,
    // Work the account still owes (a data move of a link, files to delete): no request when none.
    owesCleanup(outcome.user) ? finishAccountCleanup(outcome.user, invocation.env, deps) : undefined,
    sweep,
  ]);
  const data: LoginData = { user: toPublicUser(shown, stamp.at), isNewUser: outcome.isNewUser };
  return notices.shown.length > 0 ? { ...data, notices: notices.shown } : data;
}

/** Answered once: a failure to forget is logged, and the notice simply comes again next time. */
async function forgetLinkNotices(userId: string, remaining: LinkNotice[], deps: Deps): Promise<void> {
  await deps.store
    .updateUser(userId, { set: { linkNotices: remaining } })
    .catch((error: unknown) => deps.warn('forgetting answered link notices failed', error));
}

/**
 * Several documents can match: see userHoldingIdentity; failing that, a legacy document is adopted,
 * and among legacy duplicates (the tutorial's own race) the oldest.
 */
function pickUser(found: UserDoc[], keys: IdentityKeys): UserDoc | undefined {
  return userHoldingIdentity(found, keys) ?? legacyDocumentToAdopt(found);
}

function assertNotBanned(user: UserDoc, now: Date): void {
  assertNoActiveBan(user, now);
  // deleteAccount has begun: no stamp, no sign-in (its identities still point here until it commits;
  // the next login after the commit starts a fresh account).
  if (user.status === 'deleting') throw new AppError('USER_NOT_FOUND', 'the account is being deleted');
}

function withoutBan({ bannedUntil: _until, banReason: _reason, ...user }: UserDoc): UserDoc {
  return { ...user, status: 'active' };
}

/** The user as it is after this login, whether or not the parallel read saw our write. */
function afterLogin(user: UserDoc, stamp: LoginStamp): UserDoc {
  if (user.lastLoginId === stamp.id) return user;
  return { ...user, lastLoginAt: stamp.at, loginCount: (user.loginCount ?? 0) + 1, lastLoginId: stamp.id };
}

function result(user: UserDoc, isNewUser: boolean): LoginOutcome {
  return { user, isNewUser };
}

interface Claims {
  /** Keys now pointing at the user. */
  attached: string[];
  /** Keys another live user holds: left alone (that user's sign-in method) and remembered. */
  heldElsewhere: string[];
}

/**
 * Claims every key for `userId` in parallel. A key left pointing at a user that no longer exists
 * (a deletion raced a login) is taken over; one held by another live user is not.
 */
async function claimKeys(keys: string[], userId: string, stamp: LoginStamp, deps: Deps): Promise<Claims> {
  const outcomes = await Promise.all(
    keys.map(async (key) => {
      const owner = await deps.store.claimIdentity(key, userId, stamp.at);
      if (owner === userId) return true;
      const holder = await deps.store.getUser(owner);
      if (holder?.status === 'importing' && !(await settleImportedAccount(holder, deps))) {
        // An import's user re-created after its id was deleted: removed with its claims, so the key is free.
        if ((await deps.store.claimIdentity(key, userId, stamp.at)) === userId) return true;
      } else if (!holder && (await deps.store.reassignIdentity(key, owner, userId, stamp.at))) return true;
      deps.warn('identity already belongs to another user; not attached', { key: key.slice(0, key.indexOf(':')), userId, owner });
      return false;
    }),
  );
  return { attached: keys.filter((_key, index) => outcomes[index]), heldElsewhere: keys.filter((_key, index) => !outcomes[index]) };
}

/** The update that records what claimKeys found (empty when there is nothing to write). */
function claimsPatch({ attached, heldElsewhere }: Claims): UserPatch {
  return {
    ...(attached.length > 0 ? { addIdentityKeys: attached } : {}),
    ...(heldElsewhere.length > 0 ? { noteKeysHeldElsewhere: heldElsewhere } : {}),
  };
}

async function loginKnownUser(user: UserDoc, keys: IdentityKeys, stamp: LoginStamp, stamped: boolean, deps: Deps): Promise<LoginOutcome> {
  assertNotBanned(user, stamp.at);
  // A ban that has ended is lifted by this login; the first trip never stamps a banned user, so
  // this login is recorded by the same write (once, at the first login after the end).
  const liftBan = isExpiredBan(user, stamp.at);
  // The read of the first trip may or may not have seen its own parallel write: lastLoginId tells.
  const recorded = stamped || user.lastLoginId === stamp.id;
  const held = user.identityKeys ?? [];
  const elsewhere = user.keysHeldElsewhere ?? [];
  const missing = keys.all.filter((key) => !held.includes(key) && !elsewhere.includes(key));
  if (missing.length === 0 && recorded && !liftBan && !pairsAfterLogin(user.wechatPairs, keys, held))
    return result(afterLogin(user, stamp), false);

  // A new app of the same open platform (found by unionid), or a unionid seen for the first time
  // (found by openid): attach what is free, and record the login if the first trip could not.
  // An account from before the WeChat pairs gets this WeChat's pair here (migration at login).
  const claims = missing.length > 0 ? await claimKeys(missing, user._id, stamp, deps) : { attached: [], heldElsewhere: [] };
  const identityKeys = [...held, ...claims.attached];
  const wechatPairs = pairsAfterLogin(user.wechatPairs, keys, identityKeys);
  const patch: UserPatch = {
    ...claimsPatch(claims),
    ...(recorded ? {} : { stamp }),
    ...(liftBan ? LIFTED_BAN : {}),
    ...(wechatPairs ? { set: { ...(liftBan ? LIFTED_BAN.set : {}), wechatPairs } } : {}),
  };
  if (Object.keys(patch).length > 0) {
    const updated = await deps.store.updateUser(user._id, patch);
    if (!updated) throw new AccountVanished(`user ${user._id} disappeared during login`);
  }
  const lifted = liftBan ? withoutBan(user) : user;
  return result({ ...afterLogin(lifted, stamp), identityKeys, ...(wechatPairs ? { wechatPairs } : {}) }, false);
}

async function adoptLegacyUser(
  legacy: UserDoc,
  keys: IdentityKeys,
  openid: string,
  stamp: LoginStamp,
  deps: Deps,
  found: UserDoc[],
): Promise<LoginOutcome> {
  assertNotBanned(legacy, stamp.at);
  // Every racer adopts the same document id, so parallel adoptions agree instead of splitting.
  const primaryOwner = await deps.store.claimIdentity(keys.primary, legacy._id, stamp.at);
  if (primaryOwner !== legacy._id) return loginAsOwner(primaryOwner, keys, stamp, false, deps);

  const claims = await claimKeys(keys.all.slice(1), legacy._id, stamp, deps);
  const secondary = claims.attached;
  const [adopted] = await Promise.all([
    deps.store.updateUser(legacy._id, {
      ...adoptionPatch(legacy, keys, [keys.primary, ...secondary], claims.heldElsewhere, stamp.at),
      stamp,
    }),
    deps.store.scrubLegacyDocuments(openid, LEGACY_SECRET_FIELDS),
    // The duplicates this login read: their nested secrets too (the query above knows names only).
    ...nestedSecretsOfDuplicates(legacy, found).map(([id, paths]) => deps.store.updateUser(id, { remove: paths })),
  ]);
  if (!adopted) throw new AccountVanished(`legacy user ${legacy._id} disappeared during adoption`);
  const clean: UserDoc = { ...legacy, identityKeys: [keys.primary, ...secondary], createdAt: legacy.createdAt ?? stamp.at };
  return result(afterLogin(clean, stamp), false);
}

/**
 * Not-adopted legacy duplicates among `found` (the caller's own: the Store answers only those)
 * holding secrets below the top level, with their paths. Usually none, so usually no request.
 */
function nestedSecretsOfDuplicates(adopted: UserDoc, found: UserDoc[]): Array<[string, string[]]> {
  return found.flatMap((doc): Array<[string, string[]]> => {
    if (doc._id === adopted._id || doc.identityKeys || doc.status === 'merged') return [];
    const nested = secretPaths(doc).filter((path) => !(LEGACY_SECRET_FIELDS as readonly string[]).includes(path));
    return nested.length > 0 ? [[doc._id, nested]] : [];
  });
}

function newUserDoc(id: string, identityKeys: string[], stamp: LoginStamp, keys: IdentityKeys): UserDoc {
  const wechatPairs = pairsAfterLogin(undefined, keys, identityKeys);
  return {
    _id: id,
    identityKeys,
    ...(wechatPairs ? { wechatPairs } : {}),
    status: 'active',
    nickName: '',
    avatarUrl: '',
    createdAt: stamp.at,
    lastLoginAt: stamp.at,
    loginCount: 1,
    lastLoginId: stamp.id,
  };
}

/**
 * `stamped`: the first trip's update recorded this login on a user holding the openid key, whose
 * document the parallel read did not return (a racer created it in between). Passed on so that
 * joining that user does not count the login twice.
 */
async function createUser(keys: IdentityKeys, stamp: LoginStamp, stamped: boolean, deps: Deps): Promise<LoginOutcome> {
  const id = deps.newId();
  const owner = await deps.store.claimIdentity(keys.primary, id, stamp.at);
  if (owner !== id) return loginAsOwner(owner, keys, stamp, stamped, deps);

  const secondary = keys.all.slice(1);
  const [inserted, claims] = await Promise.allSettled([
    deps.store.insertUser(newUserDoc(id, keys.all, stamp, keys)),
    claimKeys(secondary, id, stamp, deps),
  ]);
  if (inserted.status === 'rejected') throw inserted.reason;
  if (claims.status === 'rejected') {
    // The user must not list a key whose claim is unknown: undo OUR insert (never a racer's, who
    // may already have answered with it); the primary identity stays and the retry completes this
    // user under the same id.
    if (inserted.value) {
      await deps.store.removeUser(id).catch((error: unknown) => deps.warn('undo of user insert failed', error));
    }
    throw claims.reason;
  }
  if (!inserted.value) {
    // A racer that lost the claim inserted this user for us (see loginAsOwner): record our login on it.
    return loginAsOwner(id, keys, stamp, stamped, deps);
  }
  const lost = claims.value.heldElsewhere;
  if (lost.length > 0) await deps.store.updateUser(id, { removeIdentityKeys: lost, noteKeysHeldElsewhere: lost });
  return result(
    newUserDoc(
      id,
      keys.all.filter((key) => !lost.includes(key)),
      stamp,
      keys,
    ),
    true,
  );
}

/**
 * The primary identity already points at `owner`: a simultaneous first login won the claim, or an
 * earlier attempt crashed after claiming. Join that user, completing it when its document is missing.
 */
async function loginAsOwner(
  owner: string,
  keys: IdentityKeys,
  stamp: LoginStamp,
  stamped: boolean,
  deps: Deps,
  hops = 0,
): Promise<LoginOutcome> {
  const found = await deps.store.getUser(owner);
  const existing =
    found?.status === 'importing'
      ? ((await settleImportedAccount(found, deps)) ?? vanished(`imported user ${owner} was deleted while importing`))
      : found;
  if (existing?.status === 'merged' && existing.mergedInto && hops < MAX_MERGE_HOPS) {
    return loginAsOwner(existing.mergedInto, keys, stamp, stamped, deps, hops + 1);
  }
  if (existing) return loginKnownUser(existing, keys, stamp, stamped, deps);
  // No document: a racer is between its claim and its insert — or `owner` was deleted after our
  // claim read it (a deletion removes the user and its identities in one commit, so the identity
  // is gone too). Never re-create a deleted id: start over instead.
  if ((await deps.store.getIdentity(keys.primary))?.userId !== owner) throw new AccountVanished(`user ${owner} was deleted during login`);

  if (await deps.store.insertUser(newUserDoc(owner, [keys.primary], stamp, keys))) {
    const claims = await claimKeys(keys.all.slice(1), owner, stamp, deps);
    const identityKeys = [keys.primary, ...claims.attached];
    const wechatPairs = pairsAfterLogin(undefined, keys, identityKeys);
    const patch: UserPatch = { ...claimsPatch(claims), ...(wechatPairs ? { set: { wechatPairs } } : {}) };
    if (Object.keys(patch).length > 0) await deps.store.updateUser(owner, patch);
    return result(newUserDoc(owner, identityKeys, stamp, keys), true);
  }
  const inserted = await deps.store.getUser(owner);
  if (!inserted) throw new AccountVanished(`user ${owner} neither exists nor can be inserted`);
  return loginKnownUser(inserted, keys, stamp, stamped, deps);
}
