/**
 * deleteAccount { confirm: true } (注销账号): the person's data goes, so the next login of this
 * WeChat starts fresh (a new id, isNewUser true). Removed: the user document, the documents of
 * accounts merged into it (their profiles are this person's too), every identity pointing at any
 * of them, their avatar files, never-adopted tutorial documents of this openid, and link tickets
 * naming the user. Kept: one audit entry — user id, time, counts, the avatar files still to delete;
 * no profile data, no phone number.
 *
 * Order:
 *   1. mark the user 'deleting' with one conditional update (no transaction): from then on logins
 *      neither stamp nor sign in to it and no account is linked into it, so concurrent logins
 *      cannot make the deletion lose its transaction over and over;
 *   2. query what belongs to it (merged accounts, identities) — queries exist only outside a
 *      transaction — then, in one transaction, re-read every document it deletes by key and check
 *      the queried set is still the whole of it (the user's identityKeys unchanged: a confirmLink
 *      into it adds the merged account's keys); when it changed, the whole unit runs again with
 *      fresh queries, a bounded number of times;
 *   3. only after the commit, delete the avatar files. The audit entry written in the commit lists
 *      them (`pendingFileIDs`) and is emptied once they are gone, so a crash or a storage fault in
 *      between leaves a record to finish from; the files themselves are not personal data a login
 *      can reach (their document is gone).
 * A fault before the commit leaves the account whole (marked 'deleting', which a retry resumes,
 * every file kept); there is no half-deleted account that a login could adopt.
 */
import type { Deps, Invocation, StoreTransaction } from '../ports';
import { cloudPathIn } from '../rules/avatar-file';
import { EXPIRED_TICKET_GRACE_MS } from '../rules/link-ticket';
import { resolveCaller } from './shared/caller';
import { assertNoActiveBan, isExpiredBan, LIFTED_BAN } from '../rules/ban';
import { AppError } from '../rules/errors';
import type { WxIdentity } from '../rules/identity';
import type { AuditEntry, IdentityDoc, UserDoc } from '../model';

type DeletionAudit = Extract<AuditEntry, { type: 'account-deleted' }>;

/** What the committed transaction deleted. */
interface Deleted {
  entry: DeletionAudit;
  userIds: string[];
  /** The identity keys of the deleted accounts (link tickets hold them as callerKey). */
  keys: string[];
}

/** How many times the unit of work runs when what it queried changed before its transaction. */
const MAX_DELETION_ROUNDS = 4;

/** Thrown inside the transaction when the queried set is stale: roll back, query again. */
class StaleDeletionPlan extends Error {}

export async function deleteAccount(
  identity: WxIdentity,
  event: Record<string, unknown>,
  deps: Deps,
  invocation: Invocation,
): Promise<{ deleted: true }> {
  if (event.confirm !== true) throw new AppError('CONFIRMATION_REQUIRED', 'deleteAccount needs { confirm: true }');
  const { user } = await resolveCaller(identity, deps.store, { now: deps.now(), resumeDeletion: true });
  await deleteUserAccount(user, deps, invocation.env, [identity.openid]);
  return { deleted: true };
}

/** What the deletion core needs: the person's own 注销 and `npm run admin -- delete` give the same. */
export type DeletionDeps = Pick<Deps, 'store' | 'files' | 'now' | 'warn'>;

/** What a deletion removed; null fields when a concurrent deletion had already finished it. */
export interface DeletionOutcome {
  /** The deletion's `account-deleted` audit entry, or null when the account was already gone. */
  entry: DeletionAudit | null;
  /** The user documents removed (the account and the accounts merged into it). */
  userIds: string[];
}

/**
 * The deletion itself, by user: everything below the caller's resolution. `user` is the account as
 * last read (its status may be 'active' or 'deleting'); `legacyOpenids` name the never-adopted
 * tutorial documents to remove with it (the caller's openid, or every openid of its keys).
 */
export async function deleteUserAccount(user: UserDoc, deps: DeletionDeps, env: string, legacyOpenids: string[]): Promise<DeletionOutcome> {
  if (!(await markForDeletion(user._id, deps))) {
    const now = await deps.store.getUser(user._id);
    if (!now) return { entry: null, userIds: [] }; // A concurrent deleteAccount finished first.
    if (now.status === 'merged') throw new AppError('USER_NOT_FOUND', 'the account was linked into another meanwhile');
    assertNoActiveBan(now, deps.now());
    throw new Error(`user ${user._id} could not be marked for deletion`);
  }
  for (const openid of new Set(legacyOpenids)) await deps.store.removeLegacyUsers(openid);

  const now = deps.now();
  let audit: Deleted | null | undefined;
  for (let round = 1; audit === undefined; round += 1) {
    try {
      const fresh = await deps.store.getUser(user._id);
      if (!fresh) return { entry: null, userIds: [] }; // A concurrent deleteAccount finished first.
      const merged = await deps.store.usersMergedInto(user._id);
      const owned = await deps.store.identitiesOf([user._id, ...merged.map((doc) => doc._id)]);
      audit = await deps.store.transaction((tx) => deleteInTransaction(tx, fresh, merged, owned, now, env));
    } catch (error) {
      if (error instanceof StaleDeletionPlan && round < MAX_DELETION_ROUNDS) continue;
      // Nothing was deleted: give the account back rather than leave it unreachable ('deleting').
      // Should the commit have landed after all, the document is gone and this writes nothing.
      // Only while still 'deleting': a confirmLink that read it earlier may have merged it meanwhile.
      await deps.store
        .transaction(async (tx) => {
          if ((await tx.getUser(user._id))?.status === 'deleting') await tx.updateUser(user._id, { set: { status: 'active' } });
        })
        .catch((restoreError: unknown) => deps.warn('restoring a user after a failed deletion failed', restoreError));
      throw error;
    }
  }

  if (audit) await deleteAvatarFiles(audit.entry, deps);
  // Tickets naming any deleted account or holding one of its openid keys (callerKey), and every
  // expired ticket: a deletion must not depend on someone else asking for a ticket to sweep them.
  // They are refused once their account is gone, so a failure here is logged, not answered.
  const ticketIds = audit ? audit.userIds : [user._id];
  const ticketKeys = audit ? audit.keys : (user.identityKeys ?? []);
  await Promise.all([
    deps.store.removeLinkTicketsOf(ticketIds, ticketKeys),
    deps.store.removeExpiredLinkTickets(new Date(now.getTime() - EXPIRED_TICKET_GRACE_MS)),
  ]).catch((error: unknown) => deps.warn('removing link tickets failed', error));
  return { entry: audit?.entry ?? null, userIds: audit?.userIds ?? [] };
}

/** The deletion's database changes; answers the avatar files to delete after the commit. */
async function deleteInTransaction(
  tx: StoreTransaction,
  planned: UserDoc,
  merged: UserDoc[],
  owned: IdentityDoc[],
  now: Date,
  env: string,
): Promise<Deleted | null> {
  const current = await tx.getUser(planned._id);
  if (!current) return null; // A concurrent deleteAccount committed first.
  if (current.status === 'merged') throw new AppError('USER_NOT_FOUND', 'the account was linked into another meanwhile');
  if (!sameKeys(current.identityKeys, planned.identityKeys)) throw new StaleDeletionPlan('identityKeys changed since the queries');
  const mergedNow: UserDoc[] = [];
  for (const doc of merged) {
    const fresh = await tx.getUser(doc._id);
    if (fresh?.mergedInto === current._id) mergedNow.push(fresh);
  }
  const ids = [current._id, ...mergedNow.map((doc) => doc._id)];
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
  const entry: DeletionAudit = {
    _id: `delete:${current._id}`,
    type: 'account-deleted',
    at: now,
    userId: current._id,
    identityCount,
    mergedAccountCount: mergedNow.length,
    pendingFileIDs: avatarFileIDs([current, ...mergedNow], env),
  };
  await tx.putAudit(entry);
  return { entry, userIds: ids, keys: [...keys] };
}

/**
 * The 'deleting' mark (Store.markUserDeleting refuses a banned user). A ban that has ended counts
 * as lifted: it is lifted here and the mark set again.
 */
async function markForDeletion(userId: string, deps: DeletionDeps): Promise<boolean> {
  if (await deps.store.markUserDeleting(userId)) return true;
  const current = await deps.store.getUser(userId);
  if (!current || !isExpiredBan(current, deps.now())) return false;
  await deps.store.updateUser(userId, LIFTED_BAN);
  return deps.store.markUserDeleting(userId);
}

function sameKeys(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  return left.size === right.size && [...left].every((key) => right.has(key));
}

/** Avatar files of this environment (a foreign fileID is not ours to delete). */
function avatarFileIDs(users: UserDoc[], env: string): string[] {
  return [
    ...new Set(users.map((doc) => doc.avatarFileID).filter((id): id is string => typeof id === 'string' && cloudPathIn(env, id) !== null)),
  ];
}

/**
 * After the commit: deletes the files and rewrites the audit entry with only what is left. A failure
 * is logged, not answered — the account is deleted; the entry still lists what is left to delete.
 */
async function deleteAvatarFiles(entry: DeletionAudit, deps: DeletionDeps): Promise<void> {
  if (entry.pendingFileIDs.length === 0) return;
  try {
    const results = await deps.files.deleteFiles(entry.pendingFileIDs);
    const left = results.filter((result) => !result.gone).map((result) => result.fileID);
    if (left.length > 0)
      deps.warn('avatar files of a deleted account are left; listed in its audit entry', { userId: entry.userId, count: left.length });
    await deps.store.putAudit({ ...entry, pendingFileIDs: left });
  } catch (error) {
    deps.warn('deleting avatar files of a deleted account failed; listed in its audit entry', { userId: entry.userId, error });
  }
}
