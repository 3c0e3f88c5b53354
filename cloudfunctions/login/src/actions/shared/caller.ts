/**
 * actions/shared/ holds orchestration that several actions need (it uses a port, so it is not a
 * rule): an action never imports another action, only rules/, ports and these helpers.
 *
 * Who the caller of an account action is: the user their WeChat identity signs in to, resolved
 * the way login picks it (this app's openid key first, then the unionid key) in one query.
 * Identity comes from cloud.getWXContext() only, never from the event.
 */
import { assertNoActiveBan } from '../../rules/ban';
import { AppError } from '../../rules/errors';
import { identityKeysFor, userHoldingIdentity, type IdentityKeys, type WxIdentity } from '../../rules/identity';
import type { UserDoc } from '../../model';
import type { Store } from '../../ports';

export interface Caller {
  identity: WxIdentity;
  keys: IdentityKeys;
  user: UserDoc;
}

/**
 * Throws USER_NOT_FOUND when the identity has no user — never logged in, or deleted, or unlinked:
 * the client's lazy-login wrapper then logs in and retries — and USER_BANNED while a ban is in force
 * (an expired one counts as lifted, rules/ban.ts).
 * A user being deleted (status 'deleting') counts as not found, unless `resumeDeletion`.
 */
export async function resolveCaller(identity: WxIdentity, store: Store, options: { now: Date; resumeDeletion?: boolean }): Promise<Caller> {
  const keys = identityKeysFor(identity);
  const found = await store.findUsersByIdentity(keys.all);
  let user = userHoldingIdentity(found, keys);
  if (!user) {
    // Only a merged account holds the key (a login raced the merge): it stands for its target.
    const target = found.find((candidate) => candidate.mergedInto)?.mergedInto;
    const resolved = target ? await store.getUser(target) : null;
    if (resolved && resolved.status !== 'merged') user = resolved;
  }
  if (!user) throw new AppError('USER_NOT_FOUND', 'no user for this WeChat identity: call login first');
  assertNoActiveBan(user, options.now);
  // An account being deleted is gone for every action but the deletion itself (which may resume it).
  if (user.status === 'deleting' && !options.resumeDeletion) throw new AppError('USER_NOT_FOUND', 'the account is being deleted');
  return { identity, keys, user };
}
