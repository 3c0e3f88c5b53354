/**
 * listIdentities: the caller's ways to sign in — provider, a masked identifier, whether it is the
 * WeChat making this call, and whether it may be unlinked. The identities collection is the
 * truth here: a key counts when its identity document points at the user.
 */
import type { IdentitySummary } from '../../../../typings/contract';
import type { AccountDeps } from '../account-deps';
import { summarizeIdentities, type OwnedIdentity } from '../rules/identity-summary';
import { resolveCaller } from './shared/caller';
import type { WxIdentity } from '../rules/identity';
import type { IdentityDoc } from '../store/account-store';

export function ownedIdentities(docs: IdentityDoc[]): OwnedIdentity[] {
  return docs.map((doc) => ({ key: doc._id, createdAt: doc.createdAt instanceof Date ? doc.createdAt : null }));
}

export async function listIdentities(identity: WxIdentity, deps: AccountDeps): Promise<{ identities: IdentitySummary[] }> {
  const caller = await resolveCaller(identity, deps.accounts);
  const owned = ownedIdentities(await deps.accounts.identitiesOf([caller.user._id]));
  return { identities: summarizeIdentities(caller.user._id, owned, caller.keys) };
}
