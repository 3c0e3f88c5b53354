/**
 * Applies one of WeChat's 授权用户信息变更 messages (rules/wechat-push.ts) to the account of its openid.
 * Used by the `wechat-push` function (a push proven genuine, rules/push-signature.ts) and by
 * `npm run admin -- revocations` (WeChat's daily list, for pushes a deployment missed). Never called
 * by the login handler: no client action reaches it.
 *
 * - Profile (RevokeInfo 6/19/20, user_info_modified): the nickname and/or avatar are removed from the
 *   account and from the merged account this WeChat was linked in from (the account pages show that
 *   one's nickname on its row); the avatar file is deleted first, so a failure leaves the account as
 *   it was and WeChat's retry (or the list) does it again.
 * - Phone (RevokeInfo 8): the number is unbound — `boundPhone`, the phone key in `identityKeys` and
 *   `keysHeldElsewhere`, its identity document — and link tickets of the account (they hold the phone
 *   key) are removed, so the number is nowhere in the database afterwards.
 * - Cancellation: the deleted WeChat account's keys (this openid, its unionid, its openids of other
 *   apps: one row of the account pages) leave the account. When no identity remains, nothing can
 *   sign in to it again: the account is deleted by the very unit 注销 runs
 *   (shared/account-deletion.ts) — notes and every per-user collection included.
 *
 * Every change lands in one transaction with a notice for the person's next login (where it changes
 * what they see) and an audit entry whose id is derived from the message: applying a message again
 * finds nothing left to change and writes nothing. An openid no account holds changes nothing but
 * the never-adopted tutorial documents of that openid.
 */
import type { AccountNoticeKind } from '../../../../typings/contract';
import type { UserDoc, WechatPushAuditEntry } from '../model';
import type { StoreTransaction, UserPatch } from '../ports';
import { cloudPathIn } from '../rules/avatar-file';
import { activeBan } from '../rules/ban';
import { ownedIdentities, readWechatPairs, unitsOf } from '../rules/identity-summary';
import { identityKeyForOpenid, parseOpenidKey } from '../rules/identity';
import { withAccountNotice } from '../rules/link-notice';
import { isPhoneKey } from '../rules/phone';
import { effectOf, type ProfilePart, pushAuditId, type WechatPushMessage } from '../rules/wechat-push';
import { type DeletionDeps, deleteUserAccount } from './shared/account-deletion';

export type PushSource = WechatPushAuditEntry['source'];

export interface PushOutcome {
  /** The account the openid signs in to, null when none does. */
  userId: string | null;
  /** What was removed ([] when there was nothing left to remove). */
  cleared: string[];
  accountDeleted: boolean;
  /** Why nothing was done although the account holds data ('banned'), or null. */
  skipped: string | null;
}

export interface PushContext {
  source: PushSource;
  /** This environment (getWXContext().ENV): only its avatar files are deleted. */
  env: string;
  /** The mini-program's AppID, used when the message names none (WeChat's list does not). */
  appid: string;
}

/** Profile fields a revocation removes, per part (the cached URL goes with the file). */
const PROFILE_FIELDS: Record<ProfilePart, string[]> = {
  // userInfo: the tutorial pattern's { nickName, avatarUrl }, kept on a document a login adopted.
  nickName: ['nickName', 'userInfo'],
  avatar: ['avatarUrl', 'avatarFileID', 'avatarUrlExpiresAt', 'userInfo'],
};
/** Fields of never-adopted tutorial documents holding the same data (written by the common tutorial pattern). */
const LEGACY_PROFILE_FIELDS: Record<ProfilePart, string[]> = {
  nickName: ['nickName', 'userInfo'],
  avatar: ['avatarUrl', 'userInfo'],
};
const LEGACY_PHONE_FIELDS = ['phoneNumber', 'purePhoneNumber', 'phone', 'countryCode'];

export async function applyWechatPush(message: WechatPushMessage, deps: DeletionDeps, context: PushContext): Promise<PushOutcome> {
  const appid = message.appid || context.appid;
  const key = identityKeyForOpenid(appid, message.openid);
  const effect = effectOf(message);
  const none: PushOutcome = { userId: null, cleared: [], accountDeleted: false, skipped: null };
  if (effect.kind === 'none') return none;

  await scrubLegacy(message.openid, effect, deps);
  const identity = await deps.store.getIdentity(key);
  const user = identity ? await deps.store.getUser(identity.userId) : null;
  if (!identity || !user || user.status === 'merged') return none;
  const outcome: PushOutcome = { ...none, userId: user._id };

  if (effect.kind === 'remove-wechat') return removeWechat(user, key, message, deps, context);
  if (user.status === 'deleting') return outcome; // 注销 under way: everything goes anyway.

  const parts = effect.parts;
  const mergedFrom = identity.movedFrom ? await deps.store.getUser(identity.movedFrom) : null;
  const merged = mergedFrom?.status === 'merged' && mergedFrom.mergedInto === user._id ? mergedFrom : null;
  // Files first: a failure throws before anything is written, so a retry finds the same state.
  const files = parts.includes('avatar') ? [user, ...(merged ? [merged] : [])].flatMap((doc) => avatarFileOf(doc, context.env)) : [];
  if (files.length > 0) {
    const left = (await deps.files.deleteFiles(files)).filter((result) => !result.gone);
    if (left.length > 0) throw new Error(`${left.length} avatar file(s) could not be deleted`);
  }

  const cleared = await deps.store.transaction(async (tx) => {
    const current = await tx.getUser(user._id);
    if (!current || current.status === 'merged' || current.status === 'deleting') return [];
    const done: string[] = [];
    const patch: Required<Pick<UserPatch, 'set' | 'remove'>> = { set: {}, remove: [] };
    for (const part of parts) {
      const fields = PROFILE_FIELDS[part].filter((field) => current[field] !== undefined);
      if (fields.length > 0) done.push(part);
      for (const field of fields) if (!patch.remove.includes(field)) patch.remove.push(field);
    }
    if (effect.unbindPhone && (await unbindPhone(tx, current, patch))) done.push('phone');
    if (merged) for (const part of await clearMergedProfile(tx, merged._id, user._id, parts)) if (!done.includes(part)) done.push(part);
    if (done.length === 0) return done;
    const kinds: AccountNoticeKind[] = [
      ...(done.some((part) => part !== 'phone') ? ['profile-cleared-by-wechat' as const] : []),
      ...(done.includes('phone') ? ['phone-unbound-by-wechat' as const] : []),
    ];
    let notices: unknown = current.linkNotices;
    for (const kind of kinds) notices = withAccountNotice(notices, deps.now(), kind);
    patch.set.linkNotices = notices as UserDoc['linkNotices'];
    await tx.updateUser(user._id, patch);
    await tx.putAudit(auditEntry(message, context, user._id, done, false, deps.now()));
    return done;
  });
  if (cleared.includes('phone')) {
    // Tickets to this account hold its phone key (LinkTicketDoc.phoneKey): housekeeping after the commit.
    await deps.store
      .removeLinkTicketsOf([user._id], [])
      .catch((error: unknown) => deps.warn('removing link tickets after a phone revocation failed', error));
  }
  return { ...outcome, cleared };
}

function avatarFileOf(user: UserDoc, env: string): string[] {
  const fileID = user.avatarFileID;
  return typeof fileID === 'string' && cloudPathIn(env, fileID) !== null ? [fileID] : [];
}

/** Removes every phone of the account from `patch`'s user (the bound one, any phone key); true when there was one. */
async function unbindPhone(tx: StoreTransaction, user: UserDoc, patch: Required<Pick<UserPatch, 'set' | 'remove'>>): Promise<boolean> {
  const keys = user.identityKeys ?? [];
  const phoneKeys = keys.filter(isPhoneKey);
  const heldElsewhere = user.keysHeldElsewhere ?? [];
  const phoneHeldElsewhere = heldElsewhere.filter(isPhoneKey);
  if (user.boundPhone === undefined && phoneKeys.length === 0 && phoneHeldElsewhere.length === 0) return false;
  for (const phoneKey of phoneKeys) if ((await tx.getIdentity(phoneKey))?.userId === user._id) await tx.removeIdentity(phoneKey);
  if (user.boundPhone !== undefined) patch.remove.push('boundPhone');
  if (phoneKeys.length > 0) patch.set.identityKeys = keys.filter((key) => !isPhoneKey(key));
  if (phoneHeldElsewhere.length > 0) patch.set.keysHeldElsewhere = heldElsewhere.filter((key) => !isPhoneKey(key));
  return user.boundPhone !== undefined || phoneKeys.length > 0;
}

/** Clears `parts` on the merged account this WeChat came from; answers the parts it held. */
async function clearMergedProfile(tx: StoreTransaction, mergedId: string, intoId: string, parts: ProfilePart[]): Promise<ProfilePart[]> {
  const merged = await tx.getUser(mergedId);
  if (!merged || merged.mergedInto !== intoId) return [];
  const held = parts.filter((part) => PROFILE_FIELDS[part].some((field) => merged[field] !== undefined));
  const remove = [...new Set(parts.flatMap((part) => PROFILE_FIELDS[part]))].filter((field) => merged[field] !== undefined);
  if (remove.length > 0) await tx.updateUser(mergedId, { remove });
  return held;
}

async function scrubLegacy(openid: string, effect: ReturnType<typeof effectOf>, deps: DeletionDeps): Promise<void> {
  if (effect.kind === 'remove-wechat') {
    await deps.store.removeLegacyUsers(openid);
    return;
  }
  if (effect.kind !== 'clear-profile') return;
  const fields = [
    ...new Set([...effect.parts.flatMap((part) => LEGACY_PROFILE_FIELDS[part]), ...(effect.unbindPhone ? LEGACY_PHONE_FIELDS : [])]),
  ];
  if (fields.length > 0) await deps.store.scrubLegacyDocuments(openid, fields);
}

/**
 * Cancellation: that WeChat account's keys leave the account; with nothing left to sign in with, the
 * account goes as by 注销. A banned account keeps its keys (a ban is not lifted by a push); the
 * outcome says so, and the operator decides.
 */
async function removeWechat(
  user: UserDoc,
  key: string,
  message: WechatPushMessage,
  deps: DeletionDeps,
  context: PushContext,
): Promise<PushOutcome> {
  const base: PushOutcome = { userId: user._id, cleared: [], accountDeleted: false, skipped: null };
  if (activeBan(user, deps.now())) return { ...base, skipped: 'banned' };
  const [docs, merged] = await Promise.all([deps.store.identitiesOf([user._id]), deps.store.usersMergedInto(user._id)]);
  const owned = ownedIdentities(docs, new Set(merged.map((doc) => doc._id)));
  const unit = unitsOf(owned, readWechatPairs(user.wechatPairs)).find((candidate) => candidate.keys.includes(key));
  const group = unit ? unit.keys : [key];
  const remaining = owned.filter((identity) => !group.includes(identity.key));

  if (remaining.length === 0 || user.status === 'deleting') {
    const openids = group.flatMap((member) => parseOpenidKey(member)?.openid ?? []);
    await deleteUserAccount(user, deps, { legacyOpenids: [message.openid, ...openids], env: context.env, undoOnFailure: false });
    await deps.store.putAudit(auditEntry(message, context, user._id, ['wechat'], true, deps.now()));
    return { ...base, cleared: ['wechat'], accountDeleted: true };
  }

  const removed = await deps.store.transaction(async (tx) => {
    const current = await tx.getUser(user._id);
    if (!current || (current.status !== 'active' && current.status !== undefined)) return false;
    let count = 0;
    for (const member of group) {
      if ((await tx.getIdentity(member))?.userId === user._id) {
        await tx.removeIdentity(member);
        count += 1;
      }
    }
    const keys = current.identityKeys ?? [];
    if (count === 0 && !keys.some((member) => group.includes(member))) return false;
    await tx.updateUser(user._id, {
      set: {
        identityKeys: keys.filter((member) => !group.includes(member)),
        wechatPairs: readWechatPairs(current.wechatPairs).filter(
          (pair) => !group.includes(pair.openidKey) && !group.includes(pair.unionidKey),
        ),
        linkNotices: withAccountNotice(current.linkNotices, deps.now(), 'wechat-removed'),
      },
    });
    await tx.putAudit(auditEntry(message, context, user._id, ['wechat'], false, deps.now()));
    return true;
  });
  if (removed) {
    await deps.store
      .removeLinkTicketsOf([], group)
      .catch((error: unknown) => deps.warn('removing link tickets of a deleted WeChat failed', error));
  }
  return { ...base, cleared: removed ? ['wechat'] : [] };
}

function auditEntry(
  message: WechatPushMessage,
  context: PushContext,
  userId: string,
  cleared: string[],
  accountDeleted: boolean,
  at: Date,
): WechatPushAuditEntry {
  return {
    _id: pushAuditId(message),
    type: 'wechat-push',
    at,
    source: context.source,
    event: message.event,
    revokeInfo: [...message.revokeInfo],
    userId,
    cleared,
    accountDeleted,
  };
}
