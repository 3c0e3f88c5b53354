/**
 * A user's profile as it reads, whatever generation of document holds it: legacy tutorial
 * documents keep nickName / avatarUrl under `userInfo`, used when the top level is empty.
 */
import type { UserRecord } from './user-record';

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function nickNameOf(user: UserRecord): string {
  return text(user.nickName) || text(user.userInfo?.nickName);
}

export function hasAvatar(user: UserRecord): boolean {
  return text(user.avatarFileID) !== '' || text(user.avatarUrl) !== '' || text(user.userInfo?.avatarUrl) !== '';
}

/** The avatar fields to copy when `user`'s avatar fills another account's empty one. */
export function avatarFieldsOf(user: UserRecord): Pick<UserRecord, 'avatarFileID' | 'avatarUrl' | 'avatarUrlExpiresAt'> {
  const fileID = text(user.avatarFileID);
  if (fileID !== '') {
    return {
      avatarFileID: fileID,
      avatarUrl: text(user.avatarUrl),
      // Unknown expiry: stale at once, so the next login refreshes it.
      avatarUrlExpiresAt: user.avatarUrlExpiresAt instanceof Date ? user.avatarUrlExpiresAt : new Date(0),
    };
  }
  return { avatarUrl: text(user.avatarUrl) || text(user.userInfo?.avatarUrl) };
}
