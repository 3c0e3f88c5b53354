/**
 * Cleanup a live account still owes: the work recorded on the user document (model.ts) in the same
 * write that made it necessary, and removed from it only once done, so that a failure or a crash
 * between the two never drops it.
 *
 *   - `pendingDataMoves`: accounts confirmLink linked into this one whose per-user data (notes, …)
 *     was not confirmed moved here yet. Finished by the confirmLink itself, by its retry, and by the
 *     person's next login; the data is never lost meanwhile (it stays under the merged account's id,
 *     which the export lists and 注销 removes).
 *   - `lateDataMoves`: accounts whose data was moved before the link's late-write window
 *     (`mergedAt` + server-auth LATE_WRITE_WINDOW_MS) had passed: a protected function's write
 *     whose after-write check never finished can land under the merged id until then. Every login
 *     moves again, and a move begun after the window takes it off. A returning login owing
 *     nothing pays nothing.
 *   - `filesToDelete`: a replaced export or avatar file, a refused avatar upload. Finished by the
 *     next export or avatar change, by the next login, and deleted with the account.
 *   - `pendingUploads`: cloud paths a file is about to be uploaded to (an export, an avatar the page
 *     was handed a path for), listed before the upload and taken off by the write that records the
 *     file. Those older than an hour are left over and removed by the next avatar hand-out or export
 *     and by `npm run admin -- cleanup` (removeStaleUploads; a recent one may be in flight); 注销
 *     empties and deletes every one (fileIDsOfUploads), so a crash between upload and record leaves nothing.
 *
 * Both lists sit on a document a client may be able to write (`users` must be ADMINONLY, but the
 * function stays safe when it is not): an entry is acted on only when it is provably this
 * account's — a file in its own avatar or export folder, an account that is merged into it.
 */
import type { DeletionAuditEntry, UserDoc } from '../../model';
import type { Deps } from '../../ports';
import { AVATAR_FOLDER, avatarFileProblem } from '../../rules/avatar-file';
import { EXPORT_FOLDER, isExportFileOf } from '../../rules/export-file';
import { isStaleUploadPath } from '../../rules/upload-path';
import { LATE_WRITE_WINDOW_MS } from '@wx-cloud-login/server-auth/src/late-write';

export type CleanupDeps = Pick<Deps, 'store' | 'files' | 'userData' | 'warn' | 'now'>;

/**
 * Deletes a file of an account that no longer exists (an upload or an export made while it was
 * being deleted); when that is not confirmed, lists it on the account's deletion entry, which later
 * deletions and `npm run admin -- cleanup` finish. Only an existing entry: a made-up folder gets no
 * entry of its own. Answers whether the file is gone or listed.
 */
export async function deleteFileOfDeletedAccount(
  ownerId: string,
  fileID: string,
  deps: Pick<Deps, 'store' | 'files' | 'warn'>,
): Promise<boolean> {
  try {
    const [result] = await deps.files.deleteFiles([fileID]);
    if (result?.gone) return true;
  } catch (error) {
    deps.warn('deleting a file of a deleted account failed; listing it on the deletion entry', error);
  }
  try {
    const deletion = (await deps.store.auditEntriesAbout(ownerId, 20)).find(
      (entry): entry is DeletionAuditEntry => entry.type === 'account-deleted' && entry.userId === ownerId,
    );
    if (!deletion) return false;
    if (!deletion.pendingFileIDs.includes(fileID)) {
      await deps.store.putAudit({ ...deletion, pendingFileIDs: [...deletion.pendingFileIDs, fileID], finishedAt: null });
    }
    return true;
  } catch (error) {
    deps.warn('listing a file of a deleted account failed', error);
    return false;
  }
}

/**
 * A file just written for a live account that the account does not name (its recording write
 * failed): deleted, or else listed on the account as still to delete, so it cannot outlive 注销.
 */
export async function discardUnrecordedFile(userId: string, fileID: string, deps: Pick<Deps, 'store' | 'files' | 'warn'>): Promise<void> {
  try {
    const [result] = await deps.files.deleteFiles([fileID]);
    if (result?.gone) return;
  } catch (error) {
    deps.warn('deleting an unrecorded file failed; listing it on the account', error);
  }
  await deps.store
    .updateUser(userId, { addToLists: { filesToDelete: [fileID] } })
    .catch((error: unknown) => deps.warn('listing an unrecorded file on the account failed', error));
}

/** A pending list as stored: its strings, [] for anything else (a hand-edited or client-written value). */
export function pendingList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Whether the account records cleanup it still owes (no request is made when it does not). */
export function owesCleanup(user: UserDoc): boolean {
  return (
    pendingList(user.pendingDataMoves).length > 0 ||
    pendingList(user.lateDataMoves).length > 0 ||
    pendingList(user.filesToDelete).length > 0
  );
}

/**
 * A cloud path in `userId`'s own avatar or export folder (`pendingUploads` entries): the only kind
 * a user document may ask to empty and delete.
 */
export function isOwnUploadPath(cloudPath: string, userId: string): boolean {
  if (cloudPath.length > 850 || /[\u0000-\u001f\u007f]/.test(cloudPath)) return false;
  const parts = cloudPath.split('/');
  return (
    parts.length >= 3 &&
    (parts[0] === AVATAR_FOLDER || parts[0] === EXPORT_FOLDER) &&
    parts[1] === userId &&
    parts.slice(2).every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

/**
 * The fileIDs of upload paths an account lists (`pendingUploads`), whatever was or was not
 * uploaded there. wx-server-sdk names a file only by its fileID (`cloud://<env>.<bucket>/<path>`,
 * the bucket of which it never tells) and answers one only from an upload, and it cannot list a
 * folder: so an empty file is written over each path — replacing at once whatever a crashed export
 * or an unsaved avatar put there — and the fileID it answers is deleted like any other. A path
 * nothing was ever uploaded to thus ends as done too. Only each account's own folders.
 */
export async function fileIDsOfUploads(users: UserDoc[], deps: Pick<Deps, 'files'>): Promise<string[]> {
  const own = [...new Set(users.flatMap((user) => pendingList(user.pendingUploads).filter((path) => isOwnUploadPath(path, user._id))))];
  return Promise.all(own.map((path) => deps.files.upload(path, '')));
}

/**
 * Listed upload paths older than UPLOAD_STALE_MS (an avatar never saved, an export whose process
 * was killed before its record): emptied, deleted, then unlisted. Recent ones may be uploads in
 * flight and stay. Throws when storage or the write fails; the list keeps what is left.
 */
export async function removeStaleUploads(user: UserDoc, now: Date, deps: Pick<Deps, 'store' | 'files'>): Promise<number> {
  const stale = pendingList(user.pendingUploads).filter((path) => isStaleUploadPath(path, user._id, now));
  if (stale.length === 0) return 0;
  const fileIDs = await fileIDsOfUploads([{ ...user, pendingUploads: stale }], deps);
  const results = fileIDs.length > 0 ? await deps.files.deleteFiles(fileIDs) : [];
  if (results.some((result) => !result.gone)) throw new Error('a stale upload could not be deleted');
  await deps.store.updateUser(user._id, { pullFromLists: { pendingUploads: stale } });
  return stale.length;
}

/** A file of `userId`'s own avatar or export folder in `env`: the only kind a user document may ask to delete. */
export function isOwnFile(fileID: string, env: string, userId: string): boolean {
  return avatarFileProblem(fileID, env, userId) === null || isExportFileOf(fileID, env, userId);
}

/**
 * Moves the per-user data of the accounts merged into `user` that its document lists as pending or
 * late, then takes them off `pendingDataMoves`, and off `lateDataMoves` once their late-write
 * window had passed when the move began (else onto it). Throws when a move fails (the lists keep
 * them: a retry finishes).
 */
export async function finishDataMoves(user: UserDoc, deps: CleanupDeps): Promise<void> {
  const owed = [...new Set(pendingList(user.pendingDataMoves))];
  const late = [...new Set(pendingList(user.lateDataMoves))];
  const pending = [...new Set([...owed, ...late])];
  if (pending.length === 0) return;
  const sources = await Promise.all(pending.map((id) => deps.store.getUser(id)));
  const merged = pending.filter((_id, index) => {
    const source = sources[index];
    return source?.status === 'merged' && source.mergedInto === user._id;
  });
  const startedAt = deps.now().getTime();
  await Promise.all(merged.map((id) => deps.userData.moveAll(id, user._id)));
  // A move that began before the link's late-write window passed stays owed: a protected
  // function's write whose after-write check never finished may still land under the merged id.
  const settled = (index: number) => {
    const mergedAt = sources[index]?.mergedAt;
    return !(mergedAt instanceof Date) || startedAt >= mergedAt.getTime() + LATE_WRITE_WINDOW_MS;
  };
  // Entries that name no account merged into this one are dropped with the done ones: nothing to move.
  const stillLate = pending.filter((id, index) => merged.includes(id) && !settled(index));
  const addLate = stillLate.filter((id) => !late.includes(id));
  const pullLate = late.filter((id) => !stillLate.includes(id));
  if (owed.length === 0 && pullLate.length === 0 && addLate.length === 0) return;
  const finished = merged.filter((id) => !stillLate.includes(id));
  await Promise.all([
    deps.store.updateUser(user._id, {
      pullFromLists: {
        ...(owed.length > 0 ? { pendingDataMoves: owed } : {}),
        ...(pullLate.length > 0 ? { lateDataMoves: pullLate } : {}),
      },
      ...(addLate.length > 0 ? { addToLists: { lateDataMoves: addLate } } : {}),
    }),
    ...finished.map((id) => recordDataMoved(id, user._id, deps)),
  ]);
}

/** The link's audit entry says when its data move finished (once per link; a failure only loses the time). */
async function recordDataMoved(fromUserId: string, toUserId: string, deps: CleanupDeps): Promise<void> {
  try {
    const entry = (await deps.store.auditEntriesAbout(fromUserId, 20)).find(
      (candidate) => candidate.type === 'account-linked' && candidate.fromUserId === fromUserId && candidate.toUserId === toUserId,
    );
    if (entry?.type === 'account-linked' && entry.dataMovedAt === undefined)
      await deps.store.putAudit({ ...entry, dataMovedAt: deps.now() });
  } catch (error) {
    deps.warn('recording when a link’s data move finished failed', error);
  }
}

/**
 * Deletes the files the account lists as to delete (its own folders only), then takes the deleted
 * ones off the list. Throws when storage or the write fails; the list keeps what is left.
 */
export async function finishFileDeletions(user: UserDoc, env: string, deps: CleanupDeps): Promise<void> {
  const listed = [...new Set(pendingList(user.filesToDelete))];
  if (listed.length === 0) return;
  // Never the account's current avatar or export: an entry listed while a write's outcome was unknown may name it.
  const inUse = new Set([user.avatarFileID, user.personalDataFileID]);
  const own = listed.filter((fileID) => isOwnFile(fileID, env, user._id) && !inUse.has(fileID));
  const results = own.length > 0 ? await deps.files.deleteFiles(own) : [];
  const gone = new Set(results.filter((result) => result.gone).map((result) => result.fileID));
  // A listed file that is not the account's own, or is in use, is never deleted, and not kept on the list either.
  const done = listed.filter((fileID) => gone.has(fileID) || !own.includes(fileID));
  if (done.length > 0) await deps.store.updateUser(user._id, { pullFromLists: { filesToDelete: done } });
}

/**
 * Everything the account owes, each part on its own: a failure is logged and stays recorded on the
 * account for the next attempt (the login, the next export or avatar change, 注销).
 */
export async function finishAccountCleanup(user: UserDoc, env: string, deps: CleanupDeps): Promise<void> {
  if (!owesCleanup(user)) return;
  await Promise.all([
    finishDataMoves(user, deps).catch((error: unknown) =>
      deps.warn('moving per-user data of a linked account failed; still recorded', error),
    ),
    finishFileDeletions(user, env, deps).catch((error: unknown) =>
      deps.warn('deleting files an account owes failed; still recorded', error),
    ),
  ]);
}
