/**
 * deleteAccount { confirm: true } (注销账号): the person's data goes, so the next login of this
 * WeChat starts fresh (a new id, isNewUser true). Removed: the user document, the documents of
 * accounts merged into it (their profiles are this person's too), every identity pointing at any
 * of them, their avatar files, never-adopted tutorial documents of this openid, and link tickets
 * naming the user. Kept: one audit entry — user id, time, counts; no profile data, no phone number.
 *
 * Order: files first (idempotent: a missing file counts as deleted), then every database change in
 * one transaction. A fault before the commit leaves the account whole (perhaps without its avatar)
 * and a retry finishes the job; there is no half-deleted account that a login could adopt.
 */
import type { Deps, Invocation } from '../ports';
import { cloudPathIn } from '../rules/avatar-file';
import { resolveCaller } from './shared/caller';
import { AppError } from '../rules/errors';
import type { WxIdentity } from '../rules/identity';
import type { UserDoc } from '../model';

export async function deleteAccount(
  identity: WxIdentity,
  event: Record<string, unknown>,
  deps: Deps,
  invocation: Invocation,
): Promise<{ deleted: true }> {
  if (event.confirm !== true) throw new AppError('CONFIRMATION_REQUIRED', 'deleteAccount needs { confirm: true }');
  const { user } = await resolveCaller(identity, deps.store);
  const merged = await deps.store.usersMergedInto(user._id);
  const userIds = [user._id, ...merged.map((doc) => doc._id)];
  const owned = await deps.store.identitiesOf(userIds);

  await Promise.all([deleteAvatarFiles([user, ...merged], invocation.env, deps), deps.store.removeLegacyUsers(identity.openid)]);

  const now = deps.now();
  await deps.store.transaction(async (tx) => {
    const current = await tx.getUser(user._id);
    if (!current) return; // A concurrent deleteAccount finished first.
    if (current.status === 'merged') throw new AppError('USER_NOT_FOUND', 'the account was linked into another meanwhile');
    const mergedNow: UserDoc[] = [];
    for (const doc of merged) {
      const fresh = await tx.getUser(doc._id);
      if (fresh?.mergedInto === user._id) mergedNow.push(fresh);
    }
    const ids = [user._id, ...mergedNow.map((doc) => doc._id)];
    const keys = new Set([...[current, ...mergedNow].flatMap((doc) => doc.identityKeys ?? []), ...owned.map((doc) => doc._id)]);
    let identityCount = 0;
    for (const key of keys) {
      const doc = await tx.getIdentity(key);
      if (doc && ids.includes(doc.userId)) {
        await tx.removeIdentity(key);
        identityCount += 1;
      }
    }
    for (const id of ids) await tx.removeUser(id);
    await tx.putAudit({
      _id: `delete:${user._id}`,
      type: 'account-deleted',
      at: now,
      userId: user._id,
      identityCount,
      mergedAccountCount: mergedNow.length,
    });
  });

  // Tickets only name user ids and expire within minutes; failing to remove them costs nothing.
  await deps.store.removeLinkTicketsOf(user._id).catch((error: unknown) => deps.warn('removing link tickets failed', error));
  return { deleted: true };
}

/** Avatar files of this environment; a file that cannot be deleted stops the deletion (retry later). */
async function deleteAvatarFiles(users: UserDoc[], env: string, deps: Deps): Promise<void> {
  const fileIDs = [
    ...new Set(users.map((doc) => doc.avatarFileID).filter((id): id is string => typeof id === 'string' && cloudPathIn(env, id) !== null)),
  ];
  if (fileIDs.length === 0) return;
  const results = await deps.files.deleteFiles(fileIDs);
  const left = results.filter((result) => !result.gone);
  if (left.length > 0) throw new Error(`avatar files could not be deleted: ${left.length}`);
}
