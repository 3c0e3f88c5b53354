/**
 * deleteAccount { confirm: true } (注销账号): the person's data goes, so the next login of this
 * WeChat starts fresh (a new id, isNewUser true). What is removed and kept, the order that makes it
 * safe against concurrent logins and links, and what a crash leaves: shared/account-deletion.ts
 * (login completes a deletion a crash left unfinished, so the unit lives there).
 *
 * A failure this call reports (INTERNAL) before any data was removed leaves the account whole and
 * usable: the 'deleting' mark is undone and every file kept, so the answer and the account agree;
 * the person simply asks again. A failure once the per-user data (notes, …) is being removed keeps
 * the mark, so this call never answers OK with data left: the person's retry (or their next login)
 * resumes the deletion — a user already marked 'deleting' is resumed, not refused — and finishes it.
 */
import type { Deps, Invocation } from '../ports';
import { AppError } from '../rules/errors';
import type { WxIdentity } from '../rules/identity';
import { deleteUserAccount } from './shared/account-deletion';
import { resolveCaller } from './shared/caller';

export async function deleteAccount(
  identity: WxIdentity,
  event: Record<string, unknown>,
  deps: Deps,
  invocation: Invocation,
): Promise<{ deleted: true }> {
  if (event.confirm !== true) throw new AppError('CONFIRMATION_REQUIRED', 'deleteAccount needs { confirm: true }');
  const { user } = await resolveCaller(identity, deps.store, { now: deps.now(), resumeDeletion: true });
  await deleteUserAccount(user, deps, { legacyOpenids: [identity.openid], env: invocation.env, undoOnFailure: true });
  return { deleted: true };
}
