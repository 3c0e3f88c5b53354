/**
 * Deleting an account (注销) as one coherent unit, shared by deleteAccount (the person asks) and
 * login (a deletion a crash left unfinished: the person asked for it, so it is completed, never
 * undone behind their back).
 *
 * Removed: the user document, the documents of accounts merged into it (their profiles are this
 * person's too), every identity pointing at any of them, their avatar files, never-adopted tutorial
 * documents of this openid, and link tickets naming the user or holding its openid keys. Kept: one
 * audit entry — user id, time, counts, the avatar files still to delete; no profile data, no phone.
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
 *      between leaves a record to finish from: every later deletion sweeps a few such entries
 *      (sweepPendingFiles), so files left by a fault do not wait for their own person.
 *
 * A crash between 1 and the commit leaves a user marked 'deleting' with everything in place. Every
 * action but login and deleteAccount treats it as gone (USER_NOT_FOUND); the next login or
 * deleteAccount of that person runs this unit again, which completes it (the unit is idempotent:
 * two runs racing each other converge, the loser finds the document gone). A failure the person is
 * told about (deleteAccount answering INTERNAL) is different: then the mark is undone, so the answer
 * and the account agree ("not deleted, try again"). A failure whose request applied all the same
 * (a commit whose reply was lost) is recognised by the user document being gone: the deletion is
 * then finished — files, tickets — and answered as done, instead of INTERNAL with files left.
 */
import type { DeletionAuditEntry, IdentityDoc, UserDoc } from '../../model';
import type { Deps, StoreTransaction } from '../../ports';
import { cloudPathIn } from '../../rules/avatar-file';
import { isExportFileOf } from '../../rules/export-file';
import { assertNoActiveBan, isExpiredBan, LIFTED_BAN } from '../../rules/ban';
import { AppError } from '../../rules/errors';
import { EXPIRED_TICKET_GRACE_MS } from '../../rules/link-ticket';

/** What the committed transaction deleted. */
interface Deleted {
  entry: DeletionAuditEntry;
  userIds: string[];
  /** The identity keys of the deleted accounts (link tickets hold them as callerKey). */
  keys: string[];
}

/** How many times the unit of work runs when what it queried changed before its transaction. */
const MAX_DELETION_ROUNDS = 4;
/** Deletion entries of other people whose leftover files one deletion retries (bounded work per call). */
export const PENDING_SWEEP_LIMIT = 5;

/** Thrown inside the transaction when the queried set is stale: roll back, query again. */
class StaleDeletionPlan extends Error {}

export interface DeletionOptions {
  /** The openids whose never-adopted tutorial documents go too (the caller's; every one of the account's for an operator). */
  legacyOpenids: string[];
  /** This environment (getWXContext().ENV): only its fileIDs are deleted. */
  env: string;
  /**
   * On a failure before the commit, set the user back to 'active' (the person is told it failed).
   * A login completing a stale mark leaves it marked instead: the next attempt completes it.
   */
  undoOnFailure: boolean;
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

/** Deletes `user` and everything of theirs; resolves once the database part is committed. */
/** What a deletion needs: the person's own 注销 and `npm run admin -- delete` give the same. */
export type DeletionDeps = Pick<Deps, 'store' | 'files' | 'now' | 'warn' | 'userData'>;

export async function deleteUserAccount(user: UserDoc, deps: DeletionDeps, options: DeletionOptions): Promise<void> {
  const now = deps.now();
  let audit: Deleted | null | undefined;
  /** What the last transaction attempt would commit: a commit whose reply was lost did commit it. */
  let attempted: Deleted | null = null;
  try {
    if (!(await markForDeletion(user._id, deps))) {
      const current = await deps.store.getUser(user._id);
      if (!current) return; // A concurrent deletion finished first.
      if (current.status === 'merged') throw new AppError('USER_NOT_FOUND', 'the account was linked into another meanwhile');
      assertNoActiveBan(current, deps.now());
      throw new Error(`user ${user._id} could not be marked for deletion`);
    }
    for (const openid of new Set(options.legacyOpenids)) await deps.store.removeLegacyUsers(openid);
    for (let round = 1; audit === undefined; round += 1) {
      try {
        const fresh = await deps.store.getUser(user._id);
        if (!fresh) {
          audit = null; // A concurrent deletion finished first.
          break;
        }
        const merged = await deps.store.usersMergedInto(user._id);
        const owned = await deps.store.identitiesOf([user._id, ...merged.map((doc) => doc._id)]);
        audit = await deps.store.transaction(async (tx) => {
          attempted = await deleteInTransaction(tx, fresh, merged, owned, now, options.env);
          return attempted;
        });
      } catch (error) {
        if (error instanceof StaleDeletionPlan && round < MAX_DELETION_ROUNDS) continue;
        throw error;
      }
    }
  } catch (error) {
    // A request that failed may have applied all the same (its reply lost): a user document that
    // is gone means the deletion committed, so it is finished rather than reported as failed.
    if (error instanceof AppError || !(await isGone(user._id, deps))) {
      if (options.undoOnFailure) await undoMark(user._id, deps);
      throw error;
    }
    audit = attempted;
  }

  // Per-user data of other functions (notes, …): queries, so after the commit; idempotent.
  if (audit) await deps.userData.removeAll(audit.userIds).catch((error: unknown) => deps.warn('removing per-user data failed', error));
  if (audit) await deleteAvatarFiles(audit.entry, deps);
  // Tickets naming any deleted account or holding one of its openid keys (callerKey), and every
  // expired ticket; then files earlier deletions could not remove. Both are housekeeping of a
  // committed deletion: a failure is logged, not answered.
  const ticketIds = audit ? audit.userIds : [user._id];
  const ticketKeys = audit ? audit.keys : (user.identityKeys ?? []);
  await Promise.all([
    deps.store.removeLinkTicketsOf(ticketIds, ticketKeys),
    deps.store.removeExpiredLinkTickets(new Date(now.getTime() - EXPIRED_TICKET_GRACE_MS)),
    sweepPendingFiles(deps),
  ]).catch((error: unknown) => deps.warn('housekeeping after a deletion failed', error));
}

/** Whether the user document is gone, as far as a fresh read can tell (a failed read tells nothing). */
async function isGone(userId: string, deps: DeletionDeps): Promise<boolean> {
  return deps.store.getUser(userId).then(
    (doc) => doc === null,
    () => false,
  );
}

/**
 * Nothing was deleted: give the account back rather than leave it unreachable ('deleting'). Should
 * the commit have landed after all, the document is gone and this writes nothing. Only while still
 * 'deleting': a confirmLink that read it earlier may have merged it meanwhile.
 */
async function undoMark(userId: string, deps: DeletionDeps): Promise<void> {
  await deps.store
    .transaction(async (tx) => {
      if ((await tx.getUser(userId))?.status === 'deleting') await tx.updateUser(userId, { set: { status: 'active' } });
    })
    .catch((restoreError: unknown) => deps.warn('restoring a user after a failed deletion failed', restoreError));
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
  if (!current) return null; // A concurrent deletion committed first.
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
  const entry: DeletionAuditEntry = {
    _id: `delete:${current._id}`,
    type: 'account-deleted',
    at: now,
    userId: current._id,
    identityCount,
    mergedAccountCount: mergedNow.length,
    pendingFileIDs: userFileIDs([current, ...mergedNow], env),
  };
  await tx.putAudit(entry);
  return { entry, userIds: ids, keys: [...keys] };
}

function sameKeys(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  return left.size === right.size && [...left].every((key) => right.has(key));
}

/** Avatar and export files of this environment (a foreign fileID is not ours to delete). */
function userFileIDs(users: UserDoc[], env: string): string[] {
  const avatars = users
    .map((doc) => doc.avatarFileID)
    .filter((id): id is string => typeof id === 'string' && cloudPathIn(env, id) !== null);
  const exports = users.flatMap((doc) =>
    typeof doc.personalDataFileID === 'string' && isExportFileOf(doc.personalDataFileID, env, doc._id) ? [doc.personalDataFileID] : [],
  );
  return [...new Set([...avatars, ...exports])];
}

/**
 * After the commit: deletes the files and rewrites the audit entry with only what is left. A failure
 * is logged, not answered — the account is deleted; the entry still lists what is left to delete.
 */
async function deleteAvatarFiles(entry: DeletionAuditEntry, deps: DeletionDeps): Promise<void> {
  if (entry.pendingFileIDs.length === 0) return;
  try {
    const left = await deleteListed([entry], deps);
    if (left > 0) deps.warn('avatar files of a deleted account are left; listed in its audit entry', { userId: entry.userId, count: left });
  } catch (error) {
    deps.warn('deleting avatar files of a deleted account failed; listed in its audit entry', { userId: entry.userId, error });
  }
}

/**
 * Retries the files of up to PENDING_SWEEP_LIMIT earlier deletions whose file removal failed. Every
 * deletion runs it, so leftovers go with the next deletion anyone makes. Only avatar paths are
 * deleted (an entry is written by this function alone, and client-written ones are never read).
 */
export async function sweepPendingFiles(deps: DeletionDeps): Promise<void> {
  const entries = await deps.store.deletionsWithPendingFiles(PENDING_SWEEP_LIMIT);
  if (entries.length > 0) await deleteListed(entries, deps);
}

/** One storage call for every listed file, then each entry rewritten with what is left; answers that count. */
async function deleteListed(entries: DeletionAuditEntry[], deps: DeletionDeps): Promise<number> {
  const files = [...new Set(entries.flatMap((entry) => entry.pendingFileIDs.filter(isUserFileID)))];
  const gone = new Set((await deps.files.deleteFiles(files)).filter((result) => result.gone).map((result) => result.fileID));
  let left = 0;
  await Promise.all(
    entries.map((entry) => {
      const remaining = entry.pendingFileIDs.filter((fileID) => isUserFileID(fileID) && !gone.has(fileID));
      left += remaining.length;
      return deps.store.putAudit({ ...entry, pendingFileIDs: remaining });
    }),
  );
  return left;
}

/** An avatar or an export file of some user: the only kinds of file a deletion entry may name. */
function isUserFileID(fileID: string): boolean {
  return /^cloud:\/\/[^/]+\/(avatars|exports)\/[^/]+\/./.test(fileID);
}
