/**
 * Displayable avatar URLs for avatars kept in cloud storage.
 *
 * The user document stores the avatar's fileID and a cached temporary URL with its expiry, so a
 * returning login answers a working URL without any extra request (it stays at one database round
 * trip). Only when the cached URL is about to expire — about once a day per user — does the login
 * that notices it ask storage for a new one and store it: one storage request and one write more.
 */
import type { FileStorage } from '../../ports';
import type { UserDoc } from '../../model';

/** Lifetime asked of getTempFileURL (CloudBase's default is one day). */
export const AVATAR_URL_MAX_AGE_SECONDS = 24 * 60 * 60;
/** A URL handed out must stay usable while the page that got it is open: refresh before this is left. */
export const AVATAR_URL_REFRESH_MARGIN_MS = 2 * 60 * 60 * 1000;

export type AvatarUrlFields = Required<Pick<UserDoc, 'avatarUrl' | 'avatarUrlExpiresAt'>>;

export function avatarUrlIsStale(user: UserDoc, now: Date): boolean {
  if (typeof user.avatarFileID !== 'string' || user.avatarFileID === '') return false;
  const expiresAt = user.avatarUrlExpiresAt instanceof Date ? user.avatarUrlExpiresAt.getTime() : 0;
  return expiresAt - now.getTime() < AVATAR_URL_REFRESH_MARGIN_MS;
}

/**
 * A new URL for `fileID`. A missing file gives an empty URL cached as long as a real one would be,
 * so a deleted file is not looked up at every login.
 */
export async function freshAvatarUrl(files: FileStorage, fileID: string, now: Date): Promise<AvatarUrlFields> {
  const found = (await files.temporaryUrls([fileID], AVATAR_URL_MAX_AGE_SECONDS)).get(fileID);
  if (found) return { avatarUrl: found.url, avatarUrlExpiresAt: found.expiresAt };
  return { avatarUrl: '', avatarUrlExpiresAt: new Date(now.getTime() + AVATAR_URL_MAX_AGE_SECONDS * 1000) };
}

export interface AvatarRefreshDeps {
  files: FileStorage;
  /** Stores the new URL fields on the user. */
  save: (userId: string, fields: AvatarUrlFields) => Promise<unknown>;
  warn: (message: string, detail?: unknown) => void;
}

/** The user with a valid avatar URL; a storage failure costs the avatar of this answer, never the call. */
export async function withFreshAvatarUrl(user: UserDoc, now: Date, deps: AvatarRefreshDeps): Promise<UserDoc> {
  if (!avatarUrlIsStale(user, now) || !user.avatarFileID) return user;
  try {
    const fresh = await freshAvatarUrl(deps.files, user.avatarFileID, now);
    await deps.save(user._id, fresh);
    return { ...user, ...fresh };
  } catch (error) {
    deps.warn('avatar URL refresh failed', error);
    return user;
  }
}
