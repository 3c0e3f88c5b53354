/**
 * The profile each linked WeChat brought with it (listIdentities, unlinkIdentity): the nickname and
 * avatar of the account it came from. That account is kept as it was at the link, marked merged,
 * and nobody signs in to it again, so its document is the record of who that WeChat was when it
 * joined. Its avatar file gets a fresh temporary URL in one storage request (only when a linked
 * account had one); a storage failure costs the avatars of this answer, never the answer.
 */
import type { Deps } from '../../ports';
import type { UserDoc } from '../../model';
import { type MergedProfile, mergedProfiles } from '../../rules/identity-summary';
import { AVATAR_URL_MAX_AGE_SECONDS } from './avatar-url';

export async function mergedProfilesOf(
  merged: readonly UserDoc[],
  deps: Pick<Deps, 'files' | 'warn'>,
): Promise<Map<string, MergedProfile>> {
  const fileIDs = [...new Set(merged.map((user) => user.avatarFileID).filter((id): id is string => typeof id === 'string' && id !== ''))];
  const urls = new Map<string, string>();
  if (fileIDs.length > 0) {
    try {
      for (const [fileID, found] of await deps.files.temporaryUrls(fileIDs, AVATAR_URL_MAX_AGE_SECONDS))
        if (found) urls.set(fileID, found.url);
    } catch (error) {
      deps.warn('avatar URLs of linked accounts failed', error);
    }
  }
  return mergedProfiles(merged, urls);
}
