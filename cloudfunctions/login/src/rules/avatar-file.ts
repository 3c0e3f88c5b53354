/**
 * Which cloud files may become a user's avatar.
 *
 * The function reads files with admin rights (getTempFileURL ignores storage permissions), so a
 * fileID from the event must not be trusted beyond "a file of mine": otherwise anyone could set
 * another person's private upload as their avatar and receive a URL for it. Hence two rules:
 *   1. the fileID names this environment: `cloud://<ENV>.<bucket>/...`, ENV from getWXContext();
 *   2. its path lies under `avatars/<user id>/`, the folder the mini-program uploads avatars to.
 */

export const AVATAR_FOLDER = 'avatars';
/** CloudBase cloud paths are at most 850 bytes; with the prefix a fileID stays well under this. */
const MAX_FILE_ID_LENGTH = 1024;

/** The folder (cloud path prefix) avatars of `userId` are uploaded to. */
export function avatarFolderFor(userId: string): string {
  return `${AVATAR_FOLDER}/${userId}/`;
}

/** The cloud path of a fileID of environment `env`, or null when it is not one. */
export function cloudPathIn(env: string, fileID: string): string | null {
  if (env === '' || fileID.length > MAX_FILE_ID_LENGTH) return null;
  const prefix = `cloud://${env}.`;
  if (!fileID.startsWith(prefix)) return null;
  const rest = fileID.slice(prefix.length);
  const slash = rest.indexOf('/');
  // The bucket: no '/', non-empty. The path: non-empty.
  if (slash <= 0 || slash === rest.length - 1) return null;
  return rest.slice(slash + 1);
}

/** Why `fileID` cannot be the avatar of `userId` in `env`, or null when it can. */
export function avatarFileProblem(fileID: string, env: string, userId: string): string | null {
  const cloudPath = cloudPathIn(env, fileID);
  if (cloudPath === null) return 'avatarFileID is not a file of this environment';
  if (/[\u0000-\u001f\u007f]/.test(cloudPath) || cloudPath.split('/').some((part) => part === '..' || part === '.')) {
    return 'avatarFileID has an invalid path';
  }
  const folder = avatarFolderFor(userId);
  if (!cloudPath.startsWith(folder) || cloudPath.length === folder.length) {
    return `avatarFileID must be uploaded under ${AVATAR_FOLDER}/<user id>/`;
  }
  return null;
}

/**
 * The user id whose avatar folder holds `fileID` (`avatars/<id>/<name>` of environment `env`), or
 * null when it is not an avatar path of `env`.
 */
export function avatarFolderOwner(fileID: string, env: string): string | null {
  const cloudPath = cloudPathIn(env, fileID);
  const match = cloudPath === null ? null : /^avatars\/([^/]+)\/[^/]+/.exec(cloudPath);
  return match?.[1] ?? null;
}

/** The avatar URL rule for URLs another system stored: one copy, in server-auth (toPublicUser applies it too). */
export { externalAvatarUrlProblem, MAX_AVATAR_URL_LENGTH } from '@wx-cloud-login/server-auth/src/avatar-url';
