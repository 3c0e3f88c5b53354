/**
 * listIdentities: the caller's ways to sign in, one row per WeChat account (all its apps), the
 * phone number, other providers — whether it is the WeChat making this call, and whether it may be
 * unlinked. The identities collection is the truth here: a key counts when its identity document
 * points at the user. The accounts this one absorbed are read in the same round trip, for the
 * nickname and avatar each linked WeChat account had (shared/merged-profiles.ts).
 */
import type { IdentitySummary } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { ownedIdentities, readWechatPairs, summarizeIdentities } from '../rules/identity-summary';
import { mergedProfilesOf } from './shared/merged-profiles';
import { resolveCaller } from './shared/caller';
import type { WxIdentity } from '../rules/identity';

export async function listIdentities(identity: WxIdentity, deps: Deps): Promise<{ identities: IdentitySummary[] }> {
  const caller = await resolveCaller(identity, deps.store, { now: deps.now() });
  const userId = caller.user._id;
  const [docs, merged] = await Promise.all([deps.store.identitiesOf([userId]), deps.store.usersMergedInto(userId)]);
  const profiles = await mergedProfilesOf(merged, deps);
  const owned = ownedIdentities(docs, new Set(profiles.keys()));
  return { identities: summarizeIdentities(userId, owned, readWechatPairs(caller.user.wechatPairs), caller.keys, profiles) };
}
