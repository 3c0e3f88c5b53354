/**
 * unlinkIdentity { identityId }: removes exactly one row of listIdentities — one WeChat account
 * (its unionid and every app's openid, rules/identity-summary.ts) or one other identity — and
 * refuses (LAST_IDENTITY) when nothing that signs in to this mini-program would remain. Unlinking
 * the current WeChat account signs this WeChat out of the account: its next login creates a new one.
 *
 * One transaction: the identity documents removed, the user's key list, its WeChat pairs (and its
 * phone, for the phone row) updated. "A way back remains" is checked again inside it against the
 * documents as they are: two concurrent unlinks of an account's last two ways in both write the
 * user document, so one of them conflicts, runs again, and then finds nothing would remain.
 */
import type { UnlinkIdentityData } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { identityIdFor, leavesWayBack, ownedIdentities, readWechatPairs, summarizeIdentities, unitsOf } from '../rules/identity-summary';
import { readBoundPhone } from '../rules/phone';
import { resolveCaller } from './shared/caller';
import { AppError } from '../rules/errors';
import { mergedProfilesOf } from './shared/merged-profiles';
import { requiredString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';

const NO_WAY_BACK = 'nothing that signs in to this mini-program would remain';

export async function unlinkIdentity(identity: WxIdentity, event: Record<string, unknown>, deps: Deps): Promise<UnlinkIdentityData> {
  const identityId = requiredString(event, 'identityId', 64);
  const caller = await resolveCaller(identity, deps.store, { now: deps.now() });
  const userId = caller.user._id;
  const [docs, merged] = await Promise.all([deps.store.identitiesOf([userId]), deps.store.usersMergedInto(userId)]);
  const owned = ownedIdentities(docs, new Set(merged.map((user) => user._id)));

  const chosen = unitsOf(owned, readWechatPairs(caller.user.wechatPairs)).find((unit) => identityIdFor(userId, unit.anchor) === identityId);
  if (!chosen) throw new AppError('IDENTITY_NOT_FOUND', 'no identity with this id belongs to you');
  const group = chosen.keys;
  const remaining = owned.filter((candidate) => !group.includes(candidate.key));
  if (
    !leavesWayBack(
      remaining.map((candidate) => candidate.key),
      caller.keys,
    )
  )
    throw new AppError('LAST_IDENTITY', NO_WAY_BACK);

  const pairs = await deps.store.transaction(async (tx) => {
    const user = await tx.getUser(userId);
    if (!user) throw new AppError('USER_NOT_FOUND', 'the user disappeared (deleted meanwhile)');
    const alive: string[] = [];
    for (const { key } of remaining) if ((await tx.getIdentity(key))?.userId === userId) alive.push(key);
    if (!leavesWayBack(alive, caller.keys)) throw new AppError('LAST_IDENTITY', NO_WAY_BACK);
    for (const key of group) if ((await tx.getIdentity(key))?.userId === userId) await tx.removeIdentity(key);
    const phone = readBoundPhone(user.boundPhone);
    const keptPairs = readWechatPairs(user.wechatPairs).filter(
      (pair) => !group.includes(pair.openidKey) && !group.includes(pair.unionidKey),
    );
    await tx.updateUser(userId, {
      set: { identityKeys: (user.identityKeys ?? []).filter((key) => !group.includes(key)), wechatPairs: keptPairs },
      remove: phone && group.includes(phone.key) ? ['boundPhone'] : [],
    });
    return keptPairs;
  });
  return {
    identities: summarizeIdentities(userId, remaining, pairs, caller.keys, await mergedProfilesOf(merged, deps)),
    signedOut: group.some((key) => caller.keys.all.includes(key)),
  };
}
