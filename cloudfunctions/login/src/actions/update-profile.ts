/**
 * updateProfile { nickName?, avatarFileID? }: the nickname from `<input type="nickname">`, the
 * avatar from `<button open-type="chooseAvatar">` uploaded by the mini-program to
 * `avatars/<user id>/...` in this environment's storage.
 *
 * Order: cheap local checks, then the caller, then WeChat's content check of a changed nickname and
 * the avatar's temporary URL in parallel (the URL proves the file exists), then one write. Nothing
 * is written unless every check passed. A replaced avatar file of this user is deleted afterwards,
 * and so is an upload of the caller's own folder this call refused; either is listed on the account
 * (`filesToDelete`) until confirmed gone — the replaced one in the very write that replaces it — so
 * a failed delete is retried by the next avatar change, export or login, and 注销 removes it. The
 * kit's page uploads to a path prepareAvatarUpload handed out and listed on the account
 * (`pendingUploads`), which this write takes off; an upload never saved stays listed and goes with
 * 注销. An upload to a path of the client's own choosing that is never saved is not found:
 * wx-server-sdk cannot list a folder.
 *
 * Round trips: 1 (caller) + 1 (content check / storage, parallel) + 1 (write) [+ 1 old file delete
 * + 1 write taking it off the list]
 * [refused: + 1 read + 1 delete of the upload].
 */
import type { PublicUser } from '../../../../typings/contract';
import type { Deps, Invocation, UserPatch } from '../ports';
import { avatarFileProblem, avatarFolderFor, avatarFolderOwner, cloudPathIn } from '../rules/avatar-file';
import { checkNickname } from '../rules/nickname';
import { deleteFileOfDeletedAccount, discardUnrecordedFile, finishFileDeletions, pendingList } from './shared/account-cleanup';
import { AVATAR_URL_MAX_AGE_SECONDS, withFreshAvatarUrl } from './shared/avatar-url';
import { resolveCaller } from './shared/caller';
import { assertAllowed, countUse } from './shared/rate-limit';
import { AppError } from '../rules/errors';
import { optionalString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';
import { toPublicUser } from '../rules/public-user';
import { SCENE_PROFILE } from '../ports';
import type { UserDoc } from '../model';

/** Longer input is refused before any normalisation work (the nickname rule itself is 20 characters). */
const MAX_RAW_NICKNAME = 200;
const MAX_FILE_ID = 1024;

export async function updateProfile(
  identity: WxIdentity,
  event: Record<string, unknown>,
  deps: Deps,
  invocation: Invocation,
): Promise<{ user: PublicUser }> {
  const rawName = optionalString(event, 'nickName', MAX_RAW_NICKNAME);
  const fileID = optionalString(event, 'avatarFileID', MAX_FILE_ID);
  if (rawName === undefined && fileID === undefined) {
    throw new AppError('INVALID_ARGUMENT', 'nickName or avatarFileID is required');
  }
  const nickName = rawName === undefined ? undefined : validNickname(rawName);

  const { user } = await resolveCaller(identity, deps.store, { now: deps.now() });
  // Unchanged values cost no check (a stored nickname already passed one; an avatar taken over by
  // a link may sit in the merged account's folder). A changed nickname costs a content check:
  // one use of the person's allowance (counted per account, shared/rate-limit.ts).
  const newName = nickName !== user.nickName ? nickName : undefined;
  const newFileID = fileID !== user.avatarFileID ? fileID : undefined;
  if (newName !== undefined) assertAllowed(await countUse('nicknameCheck', user._id, deps));
  if (newFileID !== undefined) {
    const problem = avatarFileProblem(newFileID, invocation.env, user._id);
    if (problem) {
      await discardOrphanUpload(newFileID, invocation.env, deps);
      throw new AppError('AVATAR_INVALID', problem);
    }
  }
  let set: Partial<UserDoc>;
  // The replaced avatar (of this user's own folder) is listed as still to delete in the write that
  // replaces it, and comes off the list once it is gone: a failed delete is never forgotten.
  const replaced = newFileID !== undefined ? replacedAvatar(user, invocation.env) : null;
  try {
    set = await checkedChanges(newName, newFileID, identity, deps);
    // A path prepareAvatarUpload listed comes off in the write that makes it the avatar.
    const prepared = set.avatarFileID !== undefined ? preparedPath(user, set.avatarFileID, invocation.env) : null;
    const patch: UserPatch = {
      set,
      ...(replaced && set.avatarFileID !== undefined ? { addToLists: { filesToDelete: [replaced] } } : {}),
      ...(prepared ? { pullFromLists: { pendingUploads: [prepared] } } : {}),
    };
    if (Object.keys(set).length > 0 && !(await deps.store.updateUser(user._id, patch))) {
      throw new AppError('USER_NOT_FOUND', 'the user disappeared (deleted meanwhile)');
    }
  } catch (error) {
    // Refused before anything was written, or the user is gone: the upload it named will never be
    // the avatar. A write that threw may still have landed, so then the file is kept.
    if (newFileID !== undefined && error instanceof AppError) await discardUpload(user._id, newFileID, deps);
    throw error;
  }
  const owed = [...(replaced && set.avatarFileID !== undefined ? [replaced] : []), ...pendingList(user.filesToDelete)];
  if (owed.length > 0) {
    await finishFileDeletions({ ...user, ...set, filesToDelete: owed }, invocation.env, deps).catch((error: unknown) =>
      deps.warn('deleting the replaced avatar failed; still listed on the account', error),
    );
  }

  const now = deps.now();
  const shown = await withFreshAvatarUrl({ ...user, ...set }, now, {
    files: deps.files,
    save: (id, fields) => deps.store.updateUser(id, { set: fields }),
    warn: deps.warn,
  });
  return { user: toPublicUser(shown, now) };
}

/** The fields to write once WeChat's content check and the storage have agreed; throws the refusal otherwise. */
async function checkedChanges(
  newName: string | undefined,
  newFileID: string | undefined,
  identity: WxIdentity,
  deps: Deps,
): Promise<Partial<UserDoc>> {
  const [verdict, urls] = await Promise.all([
    newName === undefined ? null : deps.security.checkText({ content: newName, openid: identity.openid, scene: SCENE_PROFILE }),
    newFileID === undefined ? null : deps.files.temporaryUrls([newFileID], AVATAR_URL_MAX_AGE_SECONDS),
  ]);
  if (verdict && !verdict.ok) {
    deps.warn('msgSecCheck failed', { errcode: verdict.errcode, message: verdict.message });
    throw new AppError('CONTENT_CHECK_UNAVAILABLE', 'the content check is unavailable; nothing was changed');
  }
  // WeChat's advice for 'review' is a human look; a nickname shows at once, so it is refused too.
  if (verdict && verdict.value !== 'pass') throw new AppError('CONTENT_RISKY', 'the nickname was refused by the content check');

  const set: Partial<UserDoc> = {};
  if (newName !== undefined) set.nickName = newName;
  if (newFileID !== undefined) {
    const url = urls?.get(newFileID);
    if (!url) throw new AppError('AVATAR_INVALID', 'avatarFileID names no file');
    Object.assign(set, { avatarFileID: newFileID, avatarUrl: url.url, avatarUrlExpiresAt: url.expiresAt });
  }
  return set;
}

/**
 * An upload in the caller's own folder that this call refused: removed, so a refused save leaves no
 * file behind (the mini-program uploads afresh for every choice, so nothing retries with it). Not
 * when the stored avatar is that very file meanwhile (an earlier attempt of the same save landed).
 */
async function discardUpload(userId: string, fileID: string, deps: Deps): Promise<void> {
  let current: UserDoc | null | undefined;
  try {
    current = await deps.store.getUser(userId);
  } catch (error) {
    deps.warn('reading the user before removing a refused upload failed', error);
  }
  if (current?.avatarFileID === fileID) return;
  if (current === undefined) {
    // Unknown whether an earlier attempt made it the avatar: only listed; the list never deletes a file in use.
    await deps.store
      .updateUser(userId, { addToLists: { filesToDelete: [fileID] } })
      .catch((error: unknown) => deps.warn('listing a refused avatar upload on the account failed', error));
    return;
  }
  // Not confirmed gone: listed on the account, or on the deletion entry of an account deleted meanwhile.
  if (current === null) await deleteFileOfDeletedAccount(userId, fileID, deps);
  else await discardUnrecordedFile(userId, fileID, deps);
}

/**
 * A refused fileID in the folder of a user that no longer exists: an upload made under an account
 * deleted meanwhile (the mini-program's cached id was stale). Such a folder is garbage whoever
 * names it, so it is removed rather than left with nobody to remove it.
 */
async function discardOrphanUpload(fileID: string, env: string, deps: Deps): Promise<void> {
  const owner = avatarFolderOwner(fileID, env);
  if (owner === null || avatarFileProblem(fileID, env, owner) !== null) return;
  try {
    if ((await deps.store.getUser(owner)) !== null) return;
  } catch (error) {
    deps.warn('removing an orphaned avatar upload failed', error);
    return;
  }
  await deleteFileOfDeletedAccount(owner, fileID, deps);
}

function validNickname(raw: string): string {
  const check = checkNickname(raw);
  if (!check.ok) throw new AppError('NICKNAME_INVALID', check.reason);
  return check.nickName;
}

/** The cloud path of `fileID` when the account lists it as handed out for an upload (prepareAvatarUpload). */
function preparedPath(user: UserDoc, fileID: string, env: string): string | null {
  const cloudPath = cloudPathIn(env, fileID);
  return cloudPath !== null && pendingList(user.pendingUploads).includes(cloudPath) ? cloudPath : null;
}

/** The avatar a new one replaces, when it lies in this user's own avatar folder (an adopted or merged one elsewhere is left alone). */
function replacedAvatar(user: UserDoc, env: string): string | null {
  const previous = user.avatarFileID;
  if (!previous || !cloudPathIn(env, previous)?.startsWith(avatarFolderFor(user._id))) return null;
  return previous;
}
