/**
 * Who is calling, as WeChat vouches for it through cloud.getWXContext(), and the identity keys
 * derived from it.
 *
 * An identity key is the `_id` of a document in the identities collection. Because `_id` is
 * unique in every CloudBase collection without any setup, inserting the identity document is an
 * atomic "claim": of many simultaneous first logins, exactly one insert wins and the others get a
 * duplicate-key error and read the winner. Keys are namespaced by provider so other sign-in methods
 * (phone, web) can join later without colliding.
 *
 * - `wx-openid:<appid>:<openid>`: an openid is only unique within one mini-program.
 * - `wx-unionid:<unionid>`: the same person across all apps of one open-platform account.
 */
export interface WxIdentity {
  openid: string;
  appid: string;
  /** Present only when the mini-program is bound to an open-platform account. */
  unionid?: string;
}

/** The subset of getWXContext()'s answer we read. Digit-only values arrive as numbers. */
export interface WxContextLike {
  OPENID?: unknown;
  APPID?: unknown;
  UNIONID?: unknown;
}

export function identityKeyForOpenid(appid: string, openid: string): string {
  return `wx-openid:${appid}:${openid}`;
}

export function identityKeyForUnionid(unionid: string): string {
  return `wx-unionid:${unionid}`;
}

function nonEmptyString(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Returns null when there is no caller identity (HTTP trigger, timer, server-to-server call). */
export function readWxIdentity(context: WxContextLike): WxIdentity | null {
  const openid = nonEmptyString(context.OPENID);
  if (!openid) return null;
  const appid = nonEmptyString(context.APPID) ?? '';
  const unionid = nonEmptyString(context.UNIONID);
  return unionid ? { openid, appid, unionid } : { openid, appid };
}

export interface IdentityKeys {
  openid: string;
  unionid?: string;
  /**
   * The key that decides which user a first login creates. With a unionid it is the unionid
   * key: the person, not the app, owns the account, so two apps racing for one person still meet
   * on the same document.
   */
  primary: string;
  /** Every key, primary first. */
  all: string[];
}

export function identityKeysFor(identity: WxIdentity): IdentityKeys {
  const openid = identityKeyForOpenid(identity.appid, identity.openid);
  if (!identity.unionid) return { openid, primary: openid, all: [openid] };
  const unionid = identityKeyForUnionid(identity.unionid);
  return { openid, unionid, primary: unionid, all: [unionid, openid] };
}

/**
 * Which of `users` this identity signs in to: the user of this app's openid wins over the user of
 * the unionid (two accounts of one person are never merged silently); merged accounts never.
 * Shared by login and every account action, so all of them resolve a person the same way.
 */
export function userHoldingIdentity<U extends { identityKeys?: string[]; status?: string }>(
  users: readonly U[],
  keys: IdentityKeys,
): U | undefined {
  const live = users.filter((user) => user.status !== 'merged');
  const holding = (key: string | undefined) => (key === undefined ? undefined : live.find((user) => user.identityKeys?.includes(key)));
  return holding(keys.openid) ?? holding(keys.unionid);
}
