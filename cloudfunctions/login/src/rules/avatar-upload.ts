/**
 * Where the mini-program uploads a chosen avatar: a path the function hands out and records on the
 * account before the upload (actions/prepare-avatar-upload.ts), so that an image uploaded and
 * never saved (the page closed between the upload and updateProfile) is still a path the account
 * names, and 注销 deletes it. `avatars/<user id>/<time, base 36>-<random>.<extension>`: the user's
 * own folder (the only one updateProfile accepts), a fresh name per choice (a cached temporary URL
 * of the old file never shows for the new one), with the time and random part of every listed
 * upload path (rules/upload-path.ts).
 */
import { avatarFolderFor } from './avatar-file';
import { uploadFileName } from './upload-path';

export const AVATAR_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp'] as const;
export type AvatarExtension = (typeof AVATAR_EXTENSIONS)[number];

export function isAvatarExtension(value: string): value is AvatarExtension {
  return (AVATAR_EXTENSIONS as readonly string[]).includes(value);
}

export function avatarUploadPath(userId: string, at: Date, token: string, extension: AvatarExtension): string {
  return `${avatarFolderFor(userId)}${uploadFileName(at, token, extension)}`;
}
