/**
 * Where the mini-program uploads a chosen avatar: a path the function hands out and records on the
 * account before the upload (actions/prepare-avatar-upload.ts), so that an image uploaded and
 * never saved (the page closed between the upload and updateProfile) is still a path the account
 * names, and 注销 deletes it. `avatars/<user id>/<time, base 36>-<random>.<extension>`: the user's
 * own folder (the only one updateProfile accepts), a fresh name per choice (a cached temporary URL
 * of the old file never shows for the new one), the time so that a path left long ago can be told
 * from an upload in flight, and a random part so that nobody can guess the fileID (CloudBase's
 * default storage rule lets any user of the app read a file whose fileID they know).
 */
import { avatarFolderFor } from './avatar-file';

export const AVATAR_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp'] as const;
export type AvatarExtension = (typeof AVATAR_EXTENSIONS)[number];

/**
 * How long a handed-out path may wait for its upload and save: the page uploads at once, so a path
 * older than this is left over (the page was closed), and the next hand-out empties and deletes it.
 */
export const AVATAR_UPLOAD_STALE_MS = 60 * 60 * 1000;

export function isAvatarExtension(value: string): value is AvatarExtension {
  return (AVATAR_EXTENSIONS as readonly string[]).includes(value);
}

export function avatarUploadPath(userId: string, at: Date, token: string, extension: AvatarExtension): string {
  return `${avatarFolderFor(userId)}${at.getTime().toString(36)}-${token}.${extension}`;
}

/** When `cloudPath` was handed out to `userId`, or null when it is not such a path. */
export function avatarUploadTime(cloudPath: string, userId: string): number | null {
  const folder = avatarFolderFor(userId);
  if (!cloudPath.startsWith(folder)) return null;
  const match = /^([0-9a-z]{1,11})-[A-Za-z0-9_-]+\.[a-z]+$/.exec(cloudPath.slice(folder.length));
  return match?.[1] === undefined ? null : Number.parseInt(match[1], 36);
}
