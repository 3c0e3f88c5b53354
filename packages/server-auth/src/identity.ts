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
 *
 * Components are escaped (`%` -> `%25`, `:` -> `%3A`) so a key names exactly one (appid, openid):
 * unescaped, appid 'a:b' + openid 'c' and appid 'a' + openid 'b:c' would share a key. Real appids
 * and openids contain neither character, so their keys are the plain ones already stored.
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

const OPENID_KEY_PREFIX = 'wx-openid:';
const UNIONID_KEY_PREFIX = 'wx-unionid:';

/** Escapes the separator and the escape character, nothing else: real values keep their keys. */
export function encodeKeyComponent(text: string): string {
  return text.replace(/[%:]/g, (char) => (char === '%' ? '%25' : '%3A'));
}

/** The inverse of encodeKeyComponent; null for text it cannot have produced (a bare ':' or '%'). */
export function decodeKeyComponent(text: string): string | null {
  if (/:|%(?!25|3A)/i.test(text)) return null;
  return text.replace(/%(25|3A)/gi, (sequence) => (sequence === '%25' ? '%' : ':'));
}

export function identityKeyForOpenid(appid: string, openid: string): string {
  return `${OPENID_KEY_PREFIX}${encodeKeyComponent(appid)}:${encodeKeyComponent(openid)}`;
}

export function identityKeyForUnionid(unionid: string): string {
  return `${UNIONID_KEY_PREFIX}${encodeKeyComponent(unionid)}`;
}

/** The (appid, openid) of an openid key; null for any other or malformed key. */
export function parseOpenidKey(key: string): { appid: string; openid: string } | null {
  if (!key.startsWith(OPENID_KEY_PREFIX)) return null;
  const parts = key.slice(OPENID_KEY_PREFIX.length).split(':');
  if (parts.length !== 2) return null;
  const appid = decodeKeyComponent(parts[0] ?? '');
  const openid = decodeKeyComponent(parts[1] ?? '');
  return appid !== null && openid ? { appid, openid } : null;
}

/** The unionid of a unionid key; null for any other or malformed key. */
export function parseUnionidKey(key: string): string | null {
  if (!key.startsWith(UNIONID_KEY_PREFIX)) return null;
  return decodeKeyComponent(key.slice(UNIONID_KEY_PREFIX.length)) || null;
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
