/**
 * An account an import wrote and has not activated yet (status 'importing', model.ts).
 *
 * An import claims a person's keys and then writes their user; a person can sign in, delete the
 * account (注销) and sign in again in between, and the import then re-creates the deleted id. Its
 * final check (was any of its ids deleted meanwhile? the deletion's audit entry, committed in the
 * deletion's own transaction, says so) removes such a user — but until that check nobody may act
 * under it, or what they write is orphaned when it goes. So an import writes its users 'importing',
 * no caller resolution answers with one (server-auth resolve-user.ts: USER_NOT_FOUND), and the
 * import's check activates them.
 *
 * The login does not wait for the import: meeting an 'importing' account, it makes that same check
 * for this one id (one audit query, only on the first login into an imported account while its
 * import runs or after it crashed) and activates the account or removes it, then carries on. The
 * check is sound whenever it runs after the user was written: a deletion of this id committed
 * before the user was re-created is already in the audit, and no deletion can follow before an
 * activation (nobody can act under an 'importing' account). So an import cut short strands nobody:
 * the person's next login finishes it, as does the next run or `npm run admin -- cleanup`.
 */
import type { UserDoc } from '../../model';
import type { Deps } from '../../ports';

/** Entries read to find the deletion of an imported id (an account nobody has used has few). */
const AUDIT_ENTRIES_READ = 20;

/**
 * The account once usable: `user` itself unless it is 'importing', then activated (its
 * `activatesAs`) — or null when its id was deleted (注销) while the import ran, in which case the
 * user and the claims pointing at it are removed, or when it vanished meanwhile.
 */
export async function settleImportedAccount(user: UserDoc, deps: Pick<Deps, 'store'>): Promise<UserDoc | null> {
  if (user.status !== 'importing') return user;
  const entries = await deps.store.auditEntriesAbout(user._id, AUDIT_ENTRIES_READ);
  if (entries.some((entry) => entry.type === 'account-deleted' && entry.userId === user._id)) {
    await removeImportedAccount(user, deps);
    return null;
  }
  const status = user.activatesAs === 'banned' ? 'banned' : 'active';
  if (!(await deps.store.updateUser(user._id, { set: { status }, remove: ['activatesAs'] }))) return null;
  const { activatesAs: _activatesAs, ...rest } = user;
  return { ...rest, status };
}

/**
 * Removes an import's user written after its id was deleted, and the claims pointing at it (the
 * import's final check does the same): in one transaction, a claim only while it still points
 * here, the user only while it is still 'importing'.
 */
async function removeImportedAccount(user: UserDoc, deps: Pick<Deps, 'store'>): Promise<void> {
  const claimed = await deps.store.identitiesOf([user._id]);
  const keys = [...new Set([...(user.identityKeys ?? []), ...claimed.map((identity) => identity._id)])];
  await deps.store.transaction(async (tx) => {
    for (const key of keys) if ((await tx.getIdentity(key))?.userId === user._id) await tx.removeIdentity(key);
    if ((await tx.getUser(user._id))?.status === 'importing') await tx.removeUser(user._id);
  });
}
