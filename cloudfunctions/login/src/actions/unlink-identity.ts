/**
 * unlinkIdentity { identityId }: removes a way to sign in, never the last one (LAST_IDENTITY).
 * Unlinking the current WeChat removes its openid and unionid keys together (identity-summary.ts)
 * and signs this WeChat out of the account: its next login creates a new account.
 *
 * One transaction: the identity documents removed, the user's key list (and its phone, for a phone
 * identity) updated. "Not the last" is checked again inside it against the documents as they are:
 * two concurrent unlinks of an account's last two identities both write the user document, so one
 * of them conflicts, runs again, and then finds itself the last.
 */
import type { UnlinkIdentityData } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { identityIdFor, ownedIdentities, summarizeIdentities, unlinkGroup } from '../rules/identity-summary';
import { readBoundPhone } from '../rules/phone';
import { resolveCaller } from './shared/caller';
import { AppError } from '../rules/errors';
import { requiredString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';

export async function unlinkIdentity(identity: WxIdentity, event: Record<string, unknown>, deps: Deps): Promise<UnlinkIdentityData> {
  const identityId = requiredString(event, 'identityId', 64);
  const caller = await resolveCaller(identity, deps.store, { now: deps.now() });
  const userId = caller.user._id;
  const owned = ownedIdentities(await deps.store.identitiesOf([userId]));

  const chosen = owned.find((candidate) => identityIdFor(userId, candidate.key) === identityId);
  if (!chosen) throw new AppError('IDENTITY_NOT_FOUND', 'no identity with this id belongs to you');
  const group = unlinkGroup(chosen.key, owned, caller.keys);
  const remaining = owned.filter((candidate) => !group.includes(candidate.key));
  if (remaining.length === 0) throw new AppError('LAST_IDENTITY', 'this is the last way to sign in to the account');

  await deps.store.transaction(async (tx) => {
    const user = await tx.getUser(userId);
    if (!user) throw new AppError('USER_NOT_FOUND', 'the user disappeared (deleted meanwhile)');
    let alive = 0;
    for (const { key } of remaining) if ((await tx.getIdentity(key))?.userId === userId) alive += 1;
    if (alive === 0) throw new AppError('LAST_IDENTITY', 'this is the last way to sign in to the account');
    for (const key of group) if ((await tx.getIdentity(key))?.userId === userId) await tx.removeIdentity(key);
    const phone = readBoundPhone(user.boundPhone);
    await tx.updateUser(userId, {
      set: { identityKeys: (user.identityKeys ?? []).filter((key) => !group.includes(key)) },
      remove: phone && group.includes(phone.key) ? ['boundPhone'] : [],
    });
  });
  return {
    identities: summarizeIdentities(userId, remaining, caller.keys),
    signedOut: group.some((key) => caller.keys.all.includes(key)),
  };
}
