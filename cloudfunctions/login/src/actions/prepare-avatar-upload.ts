/**
 * prepareAvatarUpload { extension? }: the cloud path the mini-program uploads a chosen avatar to
 * (rules/avatar-upload.ts), listed on the account (`pendingUploads`) BEFORE the upload. updateProfile
 * takes it off in the write that saves it as the avatar; a path never saved stays listed, and 注销
 * empties and deletes whatever lies there (shared/account-cleanup.ts, fileIDsOfUploads). So the
 * kit's own page leaves no file the function never heard of. The folder comes from the caller the
 * function resolves, never from the device's cache, so a stale cached user id cannot misdirect it.
 *
 * Listed paths older than UPLOAD_STALE_MS (rules/upload-path.ts) are left over (the page was
 * closed): this call empties, deletes and unlists them after its own record, so the list stays
 * short. A failure there leaves them listed (注销 still deletes them) and the path is answered all
 * the same. One use of the person's allowance (RATE_LIMITS.avatarUpload): every path lengthens the
 * account's document until it is saved.
 *
 * Round trips: resolve (1), count (1), the record (1) — 5 requests, 3 round trips in `npm run bench`
 * [+ stale paths: 1 upload, 1 delete, 1 write].
 */
import type { Deps } from '../ports';
import { avatarUploadPath, isAvatarExtension } from '../rules/avatar-upload';
import { AppError } from '../rules/errors';
import { optionalString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';
import { removeStaleUploads } from './shared/account-cleanup';
import { resolveCaller } from './shared/caller';
import { withinLimit } from './shared/rate-limit';

export async function prepareAvatarUpload(
  identity: WxIdentity,
  event: Record<string, unknown>,
  deps: Deps,
): Promise<{ cloudPath: string }> {
  const extension = (optionalString(event, 'extension', 8) ?? 'jpg').toLowerCase();
  if (!isAvatarExtension(extension)) throw new AppError('INVALID_ARGUMENT', 'extension must be one of png, jpg, jpeg, gif, webp');
  const { user } = await withinLimit('avatarUpload', deps, resolveCaller(identity, deps.store, { now: deps.now() }));
  const now = deps.now();
  const cloudPath = avatarUploadPath(user._id, now, deps.randomToken(), extension);
  if (!(await deps.store.updateUser(user._id, { addToLists: { pendingUploads: [cloudPath] } }))) {
    throw new AppError('USER_NOT_FOUND', 'the account was deleted meanwhile');
  }
  await removeStaleUploads(user, now, deps).catch((error: unknown) =>
    deps.warn('removing uploads never recorded failed; still listed on the account', error),
  );
  return { cloudPath };
}
