/**
 * exportMyData (下载我的信息): everything stored about the caller as one JSON document
 * (rules/personal-data.ts), at most once per person every few minutes (RATE_LIMITS.exportMyData,
 * counted in parallel with resolving the caller).
 *
 * Round trips: resolve + count (1), then identities, merged accounts, audit and per-user data in
 * parallel (1). A document up to INLINE_EXPORT_MAX_BYTES comes in the answer; a larger one is
 * written to cloud storage (exports/<user id>/<random>.json) and answered as its fileID and a
 * temporary URL, then the person's previous export file is deleted, so one file per person exists
 * (3 more: the intent, the upload, the record with the URL).
 * Before the upload its cloud path is listed on the account (`pendingUploads`): a process killed
 * between the upload and the record leaves a path the account names, which 注销 empties and
 * deletes (never a file nobody knows of), as do the next export and `npm run admin -- cleanup`
 * once it is an hour old. The record takes the path off again.
 * The new fileID is recorded on the account first, in the same write that lists the previous file
 * as still to delete (`filesToDelete`), so 注销 deletes both with the account; the previous file
 * comes off the list only once it is gone, and a failed delete is retried by the next export, the
 * next login and 注销 (shared/account-cleanup.ts) — never dropped.
 */
import type { ExportMyDataData } from '../../../../typings/contract';
import type { Deps, Invocation, TemporaryUrl } from '../ports';
import { AppError } from '../rules/errors';
import { exportCloudPath, isExportFileOf } from '../rules/export-file';
import type { WxIdentity } from '../rules/identity';
import { personalDataText, summarizePersonalData } from '../rules/personal-data';
import {
  deleteFileOfDeletedAccount,
  discardUnrecordedFile,
  finishFileDeletions,
  pendingList,
  removeStaleUploads,
} from './shared/account-cleanup';
import { resolveCaller } from './shared/caller';
import { collectPersonalData } from './shared/personal-data';
import { withinLimit } from './shared/rate-limit';

/**
 * Larger documents go through cloud storage: the answer of a cloud function is limited (and slow
 * to carry through callFunction), and a clipboard is no place for more than this.
 */
export const INLINE_EXPORT_MAX_BYTES = 256 * 1024;
/** How long the temporary URL of a stored export works. */
export const EXPORT_URL_MAX_AGE_SECONDS = 30 * 60;

export async function exportMyData(identity: WxIdentity, deps: Deps, invocation: Invocation): Promise<ExportMyDataData> {
  const caller = await withinLimit('exportMyData', deps, resolveCaller(identity, deps.store, { now: deps.now() }));
  const { user } = caller;
  const now = deps.now();
  const document = await collectPersonalData(user, deps, now);
  const content = personalDataText(document);
  const summary = summarizePersonalData(document, Buffer.byteLength(content, 'utf8'));
  if (summary.bytes <= INLINE_EXPORT_MAX_BYTES) return { delivery: 'inline', summary, document };

  const cloudPath = exportCloudPath(user._id, now, deps.randomToken());
  // The intent first, durably: a crash after the upload leaves a path the account lists, and 注销
  // deletes whatever lies there (shared/account-cleanup.ts, fileIDsOfUploads).
  if (!(await deps.store.updateUser(user._id, { addToLists: { pendingUploads: [cloudPath] } }))) {
    throw new AppError('USER_NOT_FOUND', 'the account was deleted during the export');
  }
  const fileID = await deps.files.upload(cloudPath, content);
  const previous = user.personalDataFileID;
  const replaced = typeof previous === 'string' && previous !== fileID && isExportFileOf(previous, invocation.env, user._id);
  // Earlier leftovers (a previous export whose delete failed) go with this one.
  const owed = [...(replaced ? [previous] : []), ...pendingList(user.filesToDelete)];
  let recorded: boolean | undefined;
  let urls: Map<string, TemporaryUrl | null>;
  try {
    [recorded, urls] = await Promise.all([
      deps.store
        .updateUser(user._id, {
          set: { personalDataFileID: fileID },
          pullFromLists: { pendingUploads: [cloudPath] },
          ...(replaced ? { addToLists: { filesToDelete: [previous] } } : {}),
        })
        .then((done) => {
          recorded = done;
          return done;
        }),
      deps.files.temporaryUrls([fileID], EXPORT_URL_MAX_AGE_SECONDS),
    ]);
  } catch (error) {
    // A file the account does not name would outlive its 注销: removed while we still know it, or
    // listed on the account to delete.
    if (recorded !== true) await discardUnrecordedFile(user._id, fileID, deps);
    throw error;
  }
  if (!recorded) {
    // The account went away meanwhile (deleted): its export must not outlive it.
    await deleteFileOfDeletedAccount(user._id, fileID, deps);
    throw new AppError('USER_NOT_FOUND', 'the account was deleted during the export');
  }
  await Promise.all([
    // Recorded on the account before this point: a failure here leaves the files listed, not forgotten.
    owed.length > 0
      ? finishFileDeletions({ ...user, personalDataFileID: fileID, filesToDelete: owed }, invocation.env, deps).catch((error: unknown) =>
          deps.warn('deleting the previous export file failed; still listed on the account', { error }),
        )
      : undefined,
    // Paths an earlier export (killed before its record) or an unsaved avatar left an hour ago or more.
    removeStaleUploads(user, now, deps).catch((error: unknown) =>
      deps.warn('removing uploads never recorded failed; still listed on the account', error),
    ),
  ]);
  const url = urls.get(fileID);
  if (!url) throw new Error('no temporary URL for the export file just written');
  return { delivery: 'file', summary, file: { fileID, url: url.url, expiresAt: url.expiresAt.getTime() } };
}
