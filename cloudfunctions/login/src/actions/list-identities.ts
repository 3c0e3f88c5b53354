/**
 * listIdentities: the caller's ways to sign in — provider, a masked identifier, whether it is the
 * WeChat making this call, and whether it may be unlinked. The identities collection is the
 * truth here: a key counts when its identity document points at the user.
 */
import type { IdentitySummary } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { ownedIdentities, summarizeIdentities } from '../rules/identity-summary';
import { resolveCaller } from './shared/caller';
import type { WxIdentity } from '../rules/identity';

export async function listIdentities(identity: WxIdentity, deps: Deps): Promise<{ identities: IdentitySummary[] }> {
  const caller = await resolveCaller(identity, deps.store, { now: deps.now() });
  const owned = ownedIdentities(await deps.store.identitiesOf([caller.user._id]));
  return { identities: summarizeIdentities(caller.user._id, owned, caller.keys) };
}
