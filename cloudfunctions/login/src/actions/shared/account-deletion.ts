/**
 * Deleting an account (注销) as one coherent unit, shared by deleteAccount (the person asks), login
 * (a deletion a crash left unfinished: the person asked for it, so it is completed, never undone
 * behind their back) and `npm run admin -- delete`.
 *
 * Removed: the user document, the documents of accounts merged into it (their profiles are this
 * person's too), every identity pointing at any of them, their documents in every per-user
 * collection (server-auth PER_USER_COLLECTIONS), their avatar and export files, the files their
 * documents list as still to delete and whatever lies at the upload paths they list (`pendingUploads`:
 * an export or avatar upload whose record never came), never-adopted tutorial documents of this openid, and link
 * tickets naming the user or holding its openid keys. Kept: one audit entry — user id, time,
 * counts, what was still pending after the commit and when it finished; no profile data, no phone.
 *
 * Order:
 *   1. mark the user 'deleting' with one conditional update (no transaction): from then on logins
 *      neither stamp nor sign in to it and no account is linked into it, so concurrent logins
 *      cannot make the deletion lose its transaction over and over;
 *   2. query what belongs to it (merged accounts, identities) — queries exist only outside a
 *      transaction — and remove its per-user data (queries too). From here on a failure leaves
 *      the account marked: part of its data is gone, so it is not handed back as if whole, and the
 *      person's retry of deleteAccount or their next login runs the unit again and finishes it;
 *   3. in one transaction, re-read every document it deletes by key and check the queried set is
 *      still the whole of it (the user's identityKeys unchanged: a confirmLink into it adds the
 *      merged account's keys); when it changed, the unit runs again with fresh queries, a bounded
 *      number of times. The audit entry written in the commit lists what is left: the per-user
 *      data once more (`pendingUserIds`: a write in flight during the deletion may have landed
 *      after step 2) and the files (`pendingFileIDs`), with `finishedAt: null` and
 *      `lateWritesUntil` (the commit + server-auth LATE_WRITE_WINDOW_MS), and the files at the
 *      listed upload paths once more (`lateUploadFileIDs`: an upload in flight at the commit lands
 *      after the first delete; the window is longer than any function's time limit);
 *   4. after the commit, that work is done and the entry rewritten with only what is left, and
 *      `finishedAt` once nothing is. The per-user data stays listed until a removal has run after
 *      `lateWritesUntil`: a protected function's write whose after-write check never finished (a
 *      crashed instance, late-write.ts) can land until then. What a fault, a crash or that window
 *      leaves listed is finished by every later deletion (a few entries each, sweepPendingWork),
 *      by a first login (which is also the deleted person's next login) and by `npm run admin --
 *      cleanup`.
 *
 * A crash between 1 and the commit leaves a user marked 'deleting'. Every action but login and
 * deleteAccount treats it as gone (USER_NOT_FOUND); the next login or deleteAccount of that person
 * runs this unit again, which completes it (the unit is idempotent: two runs racing each other
 * converge, the loser finds the document gone). A failure the person is told about before any of
 * their data was removed (deleteAccount answering INTERNAL) undoes the mark, so the answer and the
 * account agree ("not deleted, try again"). A failure whose request applied all the same (a commit
 * whose reply was lost) is recognised by the user document being gone: the deletion is then
 * finished — data, files, tickets — and answered as done, instead of INTERNAL with work left.
 */
import type { DeletionAuditEntry, IdentityDoc, UserDoc } from '../../model';
import type { Deps, StoreTransaction } from '../../ports';
import { cloudPathIn } from '../../rules/avatar-file';
import { isExportFileOf } from '../../rules/export-file';
import { fileIDsOfUploads, isOwnFile } from './account-cleanup';
import { assertNoActiveBan, isExpiredBan, LIFTED_BAN } from '../../rules/ban';
import { AppError } from '../../rules/errors';
import { EXPIRED_TICKET_GRACE_MS } from '../../rules/link-ticket';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';

/** What the committed transaction deleted. */
interface Deleted {
  entry: DeletionAuditEntry;
  userIds: string[];
  /** The identity keys of the deleted accounts (link tickets hold them as callerKey). */
  keys: string[];
}

/** How many times the unit of work runs when what it queried changed before its transaction. */
const MAX_DELETION_ROUNDS = 4;
/** Deletion entries of other people whose leftover work one deletion retries (bounded work per call). */
export const PENDING_SWEEP_LIMIT = 5;

/** Thrown inside the transaction when the queried set is stale: roll back, query again. */
class StaleDeletionPlan extends Error {}

export interface DeletionOptions {
  /** The openids whose never-adopted tutorial documents go too (the caller's; every one of the account's for an operator). */
  legacyOpenids: string[];
  /** This environment (getWXContext().ENV): only its fileIDs are deleted. */
  env: string;
  /**
   * On a failure before any per-user data was removed, set the user back to 'active' (the person
   * is told it failed). A login completing a stale mark leaves it marked instead: the next attempt
   * completes it.
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
  /** Per-user data removal has begun: a failure from then on keeps the mark (a retry finishes). */
  let removing = false;
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
        // Paths listed before an upload whose record never came (a killed export, an unsaved
        // avatar): named as fileIDs now, so the commit lists them with the other files.
        const uploads = await fileIDsOfUploads([fresh, ...merged], deps);
        // Before the commit, so that a failure is answered (and retried) while the account still
        // leads to its data; queries, so outside the transaction.
        removing = true;
        await deps.userData.removeAll([fresh._id, ...merged.map((doc) => doc._id)]);
        const lateWritesUntil = new Date(deps.now().getTime() + LATE_WRITE_WINDOW_MS);
        audit = await deps.store.transaction(async (tx) => {
          attempted = await deleteInTransaction(tx, fresh, merged, owned, { now, lateWritesUntil, uploads }, options.env);
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
      if (options.undoOnFailure && !removing) await undoMark(user._id, deps);
      throw error;
    }
    audit = attempted;
  }

  // Tickets naming any deleted account or holding one of its openid keys (callerKey), every
  // expired ticket, and work earlier deletions left: housekeeping of a committed deletion, so a
  // failure is logged, not answered. This deletion's own leftovers stay listed in its entry.
  const ticketIds = audit ? audit.userIds : [user._id];
  const ticketKeys = audit ? audit.keys : (user.identityKeys ?? []);
  await Promise.all([
    audit ? finishOwnEntry(audit.entry, deps) : undefined,
    Promise.all([
      deps.store.removeLinkTicketsOf(ticketIds, ticketKeys),
      deps.store.removeExpiredLinkTickets(new Date(now.getTime() - EXPIRED_TICKET_GRACE_MS)),
      sweepPendingWork(deps, audit?.entry._id),
    ]).catch((error: unknown) => deps.warn('housekeeping after a deletion failed', error)),
  ]);
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
  { now, lateWritesUntil, uploads }: { now: Date; lateWritesUntil: Date; uploads: string[] },
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
    pendingFileIDs: [...new Set([...userFileIDs([current, ...mergedNow], env), ...uploads])].filter(isUserFileID),
    pendingUserIds: ids,
    lateWritesUntil,
    ...(uploads.some(isUserFileID) ? { lateUploadFileIDs: uploads.filter(isUserFileID) } : {}),
    finishedAt: null,
  };
  await tx.putAudit(entry);
  return { entry, userIds: ids, keys: [...keys] };
}

function sameKeys(a: string[] | undefined, b: string[] | undefined): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  return left.size === right.size && [...left].every((key) => right.has(key));
}

/**
 * Avatar and export files of this environment (a foreign fileID is not ours to delete), and the
 * files each document lists as still to delete, when they lie in that account's own folders.
 */
function userFileIDs(users: UserDoc[], env: string): string[] {
  const avatars = users
    .map((doc) => doc.avatarFileID)
    .filter((id): id is string => typeof id === 'string' && cloudPathIn(env, id) !== null);
  const exports = users.flatMap((doc) =>
    typeof doc.personalDataFileID === 'string' && isExportFileOf(doc.personalDataFileID, env, doc._id) ? [doc.personalDataFileID] : [],
  );
  const owed = users.flatMap((doc) =>
    (Array.isArray(doc.filesToDelete) ? doc.filesToDelete : []).filter(
      (id): id is string => typeof id === 'string' && isOwnFile(id, env, doc._id),
    ),
  );
  return [...new Set([...avatars, ...exports, ...owed])].filter(isUserFileID);
}

/**
 * After the commit: this deletion's own pending work, done and recorded. A failure is logged, not
 * answered — the account is deleted, its data was removed before the commit, and the entry still
 * lists what is left for the next sweep.
 */
async function finishOwnEntry(entry: DeletionAuditEntry, deps: DeletionDeps): Promise<void> {
  try {
    const left = await finishPending([entry], deps, { answering: true });
    if (left > 0) deps.warn('cleanup of a deleted account is left; listed in its audit entry', { userId: entry.userId, left });
  } catch (error) {
    deps.warn('cleanup of a deleted account failed; listed in its audit entry', { userId: entry.userId, error });
  }
}

/**
 * Finishes up to PENDING_SWEEP_LIMIT earlier deletions whose cleanup was left (files, per-user
 * data, the removal after the late-write window). Every deletion and every first login runs it, so
 * leftovers go with the next deletion or new account anyone makes; `npm run admin -- cleanup` runs
 * the same until nothing is left. Only user files are deleted (an entry is written
 * by this function alone, and client-written ones are never read). Answers how much is still left.
 */
export async function sweepPendingWork(deps: DeletionDeps, exceptEntryId?: string, limit = PENDING_SWEEP_LIMIT): Promise<number> {
  const now = deps.now();
  // An entry still inside its late-write window is finished by a sweep after it, not re-run now.
  const entries = (await deps.store.deletionsWithPendingWork(limit, now)).filter(
    (entry) => entry._id !== exceptEntryId && !awaitsLateWrites(entry, now),
  );
  return entries.length > 0 ? finishPending(entries, deps) : 0;
}

/**
 * When the per-user data of a deletion can no longer gain a late write: a removal that starts at
 * or after this time is the last one needed.
 */
export function lateWritesSettleAt(entry: DeletionAuditEntry): number {
  if (entry.lateWritesUntil instanceof Date) return entry.lateWritesUntil.getTime();
  return entry.at instanceof Date ? entry.at.getTime() + LATE_WRITE_WINDOW_MS : 0;
}

/** An entry whose only work left is waiting out its late-write window (nothing failed). */
export function awaitsLateWrites(entry: DeletionAuditEntry, now: Date): boolean {
  const waiting = (entry.pendingUserIds ?? []).length > 0 || (entry.lateUploadFileIDs ?? []).length > 0;
  return entry.pendingFileIDs.length === 0 && waiting && now.getTime() < lateWritesSettleAt(entry);
}

/**
 * One per-user data removal and one storage call for everything listed, then each entry rewritten
 * with what is left (and when it finished, once nothing is; `answering`: the deletion's own call,
 * which also records what it left when it answered); answers what is left because something
 * failed. Either part failing leaves its part listed; the other is still recorded as done. The
 * per-user data of an entry whose late-write window had not passed when the removal began stays
 * listed, not counted as left: the next sweep after the window removes it once more and finishes.
 */
export async function finishPending(
  entries: DeletionAuditEntry[],
  deps: DeletionDeps,
  options: { answering?: boolean } = {},
): Promise<number> {
  const files = [
    ...new Set(entries.flatMap((entry) => [...entry.pendingFileIDs, ...(entry.lateUploadFileIDs ?? [])].filter(isUserFileID))),
  ];
  const userIds = [...new Set(entries.flatMap((entry) => entry.pendingUserIds ?? []))];
  const startedAt = deps.now().getTime();
  const [dataRemoved, gone] = await Promise.all([
    userIds.length === 0
      ? true
      : deps.userData.removeAll(userIds).then(
          () => true,
          (error: unknown) => {
            deps.warn('removing per-user data of deleted accounts failed; still listed', error);
            return false;
          },
        ),
    files.length === 0
      ? new Set<string>()
      : deps.files.deleteFiles(files).then(
          (results) => new Set(results.filter((result) => result.gone).map((result) => result.fileID)),
          (error: unknown) => {
            deps.warn('deleting files of deleted accounts failed; still listed', error);
            return new Set<string>();
          },
        ),
  ]);
  let left = 0;
  await Promise.all(
    entries.map((entry) => {
      const remainingFiles = entry.pendingFileIDs.filter((fileID) => isUserFileID(fileID) && !gone.has(fileID));
      const failedUsers = dataRemoved ? [] : (entry.pendingUserIds ?? []);
      const remainingUsers = dataRemoved && startedAt >= lateWritesSettleAt(entry) ? [] : (entry.pendingUserIds ?? []);
      // An upload in flight at the commit can land after a delete: listed until one ran after the window.
      const lateUploads = (entry.lateUploadFileIDs ?? []).filter(isUserFileID);
      const remainingUploads = startedAt >= lateWritesSettleAt(entry) ? lateUploads.filter((fileID) => !gone.has(fileID)) : lateUploads;
      const failedUploads = startedAt >= lateWritesSettleAt(entry) ? remainingUploads : [];
      left += remainingFiles.length + failedUsers.length + failedUploads.length;
      const finished = remainingFiles.length === 0 && remainingUsers.length === 0 && remainingUploads.length === 0;
      return deps.store.putAudit({
        ...entry,
        pendingFileIDs: remainingFiles,
        pendingUserIds: remainingUsers,
        ...(entry.lateUploadFileIDs ? { lateUploadFileIDs: remainingUploads } : {}),
        finishedAt: finished ? deps.now() : null,
        // The deletion's own call records what it left when it answered (failures, not the window); later sweeps keep that.
        ...(options.answering ? { leftWhenAnswered: { files: remainingFiles.length, userData: failedUsers.length } } : {}),
      });
    }),
  );
  return left;
}

/** An avatar or an export file of some user: the only kinds of file a deletion entry may name. */
function isUserFileID(fileID: string): boolean {
  return /^cloud:\/\/[^/]+\/(avatars|exports)\/[^/]+\/./.test(fileID);
}
