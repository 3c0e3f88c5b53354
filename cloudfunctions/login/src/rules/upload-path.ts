/**
 * Upload paths the function lists on an account before a file is uploaded there (`pendingUploads`,
 * model.ts): `<avatars|exports>/<user id>/<time, base 36>-<random>.<extension>`. The time tells a
 * path left over (the page was closed, the process killed) from an upload in flight; the random
 * part keeps the fileID unguessable (CloudBase's default storage rule lets any user of the app read
 * a file whose fileID they know).
 */
import { AVATAR_FOLDER } from './avatar-file';

/**
 * How long a listed path may wait for its upload and record: a page uploads at once and an export
 * within a call, so a path older than this is left over, and may be emptied and deleted.
 */
export const UPLOAD_STALE_MS = 60 * 60 * 1000;

const EXPORT_FOLDER = 'exports';

/** The file name part: `<time, base 36>-<random>.<extension>`. */
export function uploadFileName(at: Date, token: string, extension: string): string {
  return `${at.getTime().toString(36)}-${token}.${extension}`;
}

/** When `cloudPath`, a path of `userId`'s avatar or export folder, was listed; null when it is not such a path. */
export function uploadPathTime(cloudPath: string, userId: string): number | null {
  for (const folder of [AVATAR_FOLDER, EXPORT_FOLDER]) {
    const prefix = `${folder}/${userId}/`;
    if (!cloudPath.startsWith(prefix)) continue;
    const match = /^([0-9a-z]{1,11})-[A-Za-z0-9_-]+\.[a-z]+$/.exec(cloudPath.slice(prefix.length));
    return match?.[1] === undefined ? null : Number.parseInt(match[1], 36);
  }
  return null;
}

/** Whether a listed path is left over at `now` (paths of no known time never are). */
export function isStaleUploadPath(cloudPath: string, userId: string, now: Date): boolean {
  const at = uploadPathTime(cloudPath, userId);
  return at !== null && now.getTime() - at > UPLOAD_STALE_MS;
}
