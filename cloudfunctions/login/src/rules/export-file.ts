/**
 * Where a large personal-data export is stored: `exports/<user id>/<time>-<random>.json`
 * (rules/upload-path.ts: the time tells a path a killed export left from one in flight). The random
 * part makes the fileID unguessable (CloudBase's default storage rule lets any user of the app
 * read a file whose fileID they know); the user-id folder tells deletion and the pending-file
 * sweep whose file it is.
 */
import { cloudPathIn } from './avatar-file';
import { uploadFileName } from './upload-path';

export const EXPORT_FOLDER = 'exports';

export function exportCloudPath(userId: string, at: Date, token: string): string {
  return `${EXPORT_FOLDER}/${userId}/${uploadFileName(at, token, 'json')}`;
}

/** True when `fileID` is an export of `userId` in environment `env`. */
export function isExportFileOf(fileID: string, env: string, userId: string): boolean {
  const cloudPath = cloudPathIn(env, fileID) ?? '';
  return cloudPath.startsWith(`${EXPORT_FOLDER}/${userId}/`) && !cloudPath.includes('..');
}
