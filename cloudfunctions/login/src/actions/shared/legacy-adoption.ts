/**
 * Adopting a tutorial-era users document (model.ts: `_openid` / `openid`, no identityKeys) into an
 * account: which of several documents of one openid is adopted, and what the adoption writes.
 * Shared by the login (one person at the first login) and by `npm run admin -- import users` (every
 * not-adopted document at once), so that a bulk adoption leaves exactly what logins would have left.
 */
import type { IdentityKeys } from '../../rules/identity';
import { pairsAfterLogin } from '../../rules/identity-summary';
import { secretPaths } from '../../rules/secret-fields';
import type { UserDoc } from '../../model';
import type { UserPatch } from '../../ports';

/**
 * Top-level secrets tutorial-era users documents are known to carry, in the spellings apps used;
 * removed from not-adopted duplicates by name (a query update cannot look inside each document).
 * The adopted document itself loses every secret-named field at any depth (rules/secret-fields.ts).
 */
export const LEGACY_SECRET_FIELDS = [
  'session_key',
  'sessionKey',
  'skey',
  'sk',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
] as const;

function time(value: unknown): number {
  return value instanceof Date ? value.getTime() : Number.MAX_SAFE_INTEGER;
}

/**
 * The legacy document to adopt among those found for one openid: the oldest (the tutorial's own
 * race can leave duplicates), ties by `_id`, a document without a creation date last. The others
 * keep their data and lose their secrets.
 */
export function legacyDocumentToAdopt<U extends Pick<UserDoc, '_id' | 'identityKeys' | 'status' | 'createdAt'>>(
  found: readonly U[],
): U | undefined {
  return found
    .filter((user) => !user.identityKeys && user.status !== 'merged')
    .sort((a, b) => time(a.createdAt) - time(b.createdAt) || a._id.localeCompare(b._id))[0];
}

/**
 * What adopting `legacy` writes, once the identity claims are made: `attached` are the keys now
 * pointing at it (the primary key first), `heldElsewhere` those another live user holds. The
 * document keeps its `_id` and its data (the tutorial's `userInfo` is read as the profile when the
 * top level has none, rules/public-user.ts); it loses its secrets, wherever they sit. A login adds its stamp.
 */
export function adoptionPatch(legacy: UserDoc, keys: IdentityKeys, attached: string[], heldElsewhere: string[], at: Date): UserPatch {
  const wechatPairs = pairsAfterLogin(legacy.wechatPairs, keys, attached);
  return {
    addIdentityKeys: attached,
    ...(heldElsewhere.length > 0 ? { noteKeysHeldElsewhere: heldElsewhere } : {}),
    set: {
      status: 'active',
      ...(legacy.createdAt instanceof Date ? {} : { createdAt: at }),
      ...(wechatPairs ? { wechatPairs } : {}),
    },
    // Every secret-named field, at any depth (nested objects, arrays of them), in any spelling.
    remove: [...new Set([...LEGACY_SECRET_FIELDS, ...secretPaths(legacy)])],
  };
}
