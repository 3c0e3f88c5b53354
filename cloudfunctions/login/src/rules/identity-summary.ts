/**
 * The account's ways to sign in as the person sees them (listIdentities), and the rule of
 * unlinkIdentity: take away exactly one of them, never the last way back into this mini-program.
 *
 * A WeChat account is one unit: its unionid key (when the app is bound to an open platform) and
 * the openid key of every app it was used in. One key unlinked alone would not stick — the next
 * login of that WeChat finds the account by another of its keys and attaches the missing one again
 * (login.ts) — so a unit goes as a whole, and the list shows one row per unit.
 *
 * Which keys form a unit comes from `wechatPairs` (model.ts), which login records whenever
 * getWXContext answers an openid together with a unionid. Keys without a pair (documents from
 * before the pairs; each WeChat's next login adds its own) are grouped by how they came into the
 * account: an openid joins the unionids that came the same way (the same `movedFrom`: both the
 * account's own, or both moved by the same link). Several such unionids make one unit: an
 * uncertain case is shown as one row and removes no more than that row says.
 *
 * Ways back into THIS mini-program, one of which must remain after an unlink: an openid key of
 * the caller's app; a unionid key when the caller's app has unionids (it is bound to the open
 * platform, so the same person gets the same unionid here); the phone number, because the login
 * page offers 「换了微信？用手机号找回账号」 (bind it in a new account, accept the link offer, and
 * the new WeChat is in). Another app's openid or another client's provider ('email') brings
 * nobody back here.
 */
import { createHash } from 'node:crypto';
import type { IdentityKind, IdentitySummary, WechatApp } from '../../../../typings/contract';
import type { IdentityDoc, UserDoc, WechatPair } from '../model';
import { type IdentityKeys, parseOpenidKey } from './identity';
import { maskPhoneNumber, parsePhoneKey } from './phone';
import { nickNameOf } from './profile';

export interface OwnedIdentity {
  key: string;
  createdAt: Date | null;
  /** The account this identity was moved from by a link, null for the account's own. */
  movedFrom: string | null;
  movedAt: Date | null;
}

/** One row of the list: a WeChat account (its keys) or one other identity. */
export interface IdentityUnit {
  kind: IdentityKind;
  /** The key the row's id is made from: the unit's unionid key, else its first openid key. */
  anchor: string;
  keys: string[];
  /** When the first of its keys joined this account (the link for a moved one), ms; 0 when unknown. */
  joinedAt: number;
  /** The account its anchor was moved from by a link; null for the account's own. */
  movedFrom: string | null;
}

/** The provider of one key: the contract's names (confirm-link's audit, merge-plan's preview). */
export function providerOf(key: string): 'wechat' | 'wechat-unionid' | 'phone' | 'other' {
  if (key.startsWith('wx-openid:')) return 'wechat';
  if (key.startsWith('wx-unionid:')) return 'wechat-unionid';
  if (key.startsWith('phone:')) return 'phone';
  return 'other';
}

function isWechatKey(key: string): boolean {
  const provider = providerOf(key);
  return provider === 'wechat' || provider === 'wechat-unionid';
}

/**
 * The id listIdentities shows and unlinkIdentity takes: a hash of the key salted with the user id,
 * so it reveals neither the openid nor the number and correlates nothing across accounts.
 */
export function identityIdFor(userId: string, key: string): string {
  return createHash('sha256').update(`${userId}\n${key}`).digest('hex').slice(0, 24);
}

/** The stored pairs that are well formed (a document of another version may hold anything). */
export function readWechatPairs(value: unknown): WechatPair[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (pair): pair is WechatPair =>
      typeof pair === 'object' &&
      pair !== null &&
      providerOf(String((pair as WechatPair).openidKey)) === 'wechat' &&
      providerOf(String((pair as WechatPair).unionidKey)) === 'wechat-unionid',
  );
}

/**
 * The pairs to store after a login of `keys` on a user that then holds `heldKeys`; null when
 * nothing changes (so a returning login writes nothing for them). An openid has one unionid: a
 * pair of the same openid with another unionid (the app was moved to another open platform) is
 * replaced.
 */
export function pairsAfterLogin(recorded: unknown, keys: IdentityKeys, heldKeys: readonly string[]): WechatPair[] | null {
  if (!keys.unionid || !heldKeys.includes(keys.openid) || !heldKeys.includes(keys.unionid)) return null;
  const pairs = readWechatPairs(recorded);
  if (pairs.some((pair) => pair.openidKey === keys.openid && pair.unionidKey === keys.unionid)) return null;
  return [...pairs.filter((pair) => pair.openidKey !== keys.openid), { openidKey: keys.openid, unionidKey: keys.unionid }];
}

function joinedAtOf(identity: OwnedIdentity): number {
  return (identity.movedAt ?? identity.createdAt)?.getTime() ?? 0;
}

/** The account's identities as rows: WeChat keys grouped into WeChat accounts, anything else alone. */
export function unitsOf(owned: readonly OwnedIdentity[], pairs: readonly WechatPair[]): IdentityUnit[] {
  const byKey = new Map(owned.map((identity) => [identity.key, identity]));
  const root = new Map<string, string>();
  const find = (key: string): string => {
    let current = key;
    while (root.get(current) !== current) current = root.get(current) ?? current;
    return current;
  };
  const join = (a: string, b: string) => root.set(find(a), find(b));
  const wechat = owned.filter((identity) => isWechatKey(identity.key));
  for (const { key } of wechat) root.set(key, key);

  const paired = new Set<string>();
  for (const pair of pairs) {
    if (byKey.has(pair.openidKey) && byKey.has(pair.unionidKey)) {
      join(pair.openidKey, pair.unionidKey);
      paired.add(pair.openidKey);
    }
  }
  const unionids = wechat.filter((identity) => providerOf(identity.key) === 'wechat-unionid');
  for (const openid of wechat) {
    if (providerOf(openid.key) !== 'wechat' || paired.has(openid.key)) continue;
    for (const unionid of unionids) if (unionid.movedFrom === openid.movedFrom) join(openid.key, unionid.key);
  }

  const groups = new Map<string, OwnedIdentity[]>();
  for (const identity of wechat) groups.set(find(identity.key), [...(groups.get(find(identity.key)) ?? []), identity]);
  const units = [...groups.values()].map((members): IdentityUnit => {
    const keys = members.map((member) => member.key).sort();
    const anchor = keys.find((key) => providerOf(key) === 'wechat-unionid') ?? keys[0] ?? '';
    const joined = members.map(joinedAtOf).filter((at) => at > 0);
    return {
      kind: 'wechat',
      anchor,
      keys,
      joinedAt: joined.length > 0 ? Math.min(...joined) : 0,
      movedFrom: byKey.get(anchor)?.movedFrom ?? null,
    };
  });
  for (const identity of owned) {
    if (isWechatKey(identity.key)) continue;
    units.push({
      kind: providerOf(identity.key) === 'phone' ? 'phone' : 'other',
      anchor: identity.key,
      keys: [identity.key],
      joinedAt: joinedAtOf(identity),
      movedFrom: identity.movedFrom,
    });
  }
  return units;
}

/** True when one of `keys` signs in to the caller's mini-program (see the header). */
export function leavesWayBack(keys: readonly string[], caller: IdentityKeys): boolean {
  const appid = parseOpenidKey(caller.openid)?.appid;
  return keys.some((key) => {
    const provider = providerOf(key);
    if (provider === 'wechat') return parseOpenidKey(key)?.appid === appid;
    if (provider === 'wechat-unionid') return caller.unionid !== undefined;
    return provider === 'phone';
  });
}

function isCurrent(unit: IdentityUnit, caller: IdentityKeys): boolean {
  return unit.keys.some((key) => caller.all.includes(key));
}

function appsOf(unit: IdentityUnit, caller: IdentityKeys): WechatApp[] {
  const thisApp = parseOpenidKey(caller.openid)?.appid;
  const appids = [...new Set(unit.keys.map((key) => parseOpenidKey(key)?.appid).filter((appid) => appid !== undefined))];
  return appids.map((appid) => ({ appid, thisApp: appid === thisApp })).sort((a, b) => Number(b.thisApp) - Number(a.thisApp));
}

/** What a non-WeChat row shows: the masked number, or another client's provider name ('email'), never the identifier. */
function displayOf(unit: IdentityUnit): string {
  if (unit.kind === 'phone') {
    const phone = parsePhoneKey(unit.anchor);
    return phone ? maskPhoneNumber(phone) : '';
  }
  if (unit.kind === 'other') {
    const colon = unit.anchor.indexOf(':');
    return colon > 0 ? unit.anchor.slice(0, colon) : '';
  }
  return '';
}

const KIND_ORDER: readonly IdentityKind[] = ['wechat', 'phone', 'other'];

/** What a linked WeChat brought with it: the profile of the account it came from, as it was linked. */
export interface MergedProfile {
  nickName: string;
  /** Displayable, '' when none. */
  avatarUrl: string;
}

/**
 * The rows listIdentities answers. `mergedProfiles`: nickname and avatar of each account this one
 * absorbed (by user id), to tell two linked WeChat accounts apart in the person's words.
 */
export function summarizeIdentities(
  userId: string,
  owned: readonly OwnedIdentity[],
  pairs: readonly WechatPair[],
  caller: IdentityKeys,
  mergedProfiles: ReadonlyMap<string, MergedProfile> = new Map(),
): IdentitySummary[] {
  return unitsOf(owned, pairs)
    .map((unit): IdentitySummary => {
      const remaining = owned.map((identity) => identity.key).filter((key) => !unit.keys.includes(key));
      const from = unit.kind === 'wechat' && unit.movedFrom ? mergedProfiles.get(unit.movedFrom) : undefined;
      return {
        id: identityIdFor(userId, unit.anchor),
        kind: unit.kind,
        display: displayOf(unit),
        apps: unit.kind === 'wechat' ? appsOf(unit, caller) : [],
        openPlatform: unit.keys.some((key) => providerOf(key) === 'wechat-unionid'),
        linkedFromNickName: from?.nickName ?? '',
        linkedFromAvatarUrl: from?.avatarUrl ?? '',
        linked: unit.movedFrom !== null,
        current: isCurrent(unit, caller),
        canUnlink: leavesWayBack(remaining, caller),
        linkedAt: unit.joinedAt,
      };
    })
    .sort(
      (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || Number(b.current) - Number(a.current) || a.linkedAt - b.linkedAt,
    );
}

/**
 * The identity documents of a user as the summary reads them (the identities collection is the
 * truth). `mergedIds`: the accounts merged into this one. Only a move from one of them is a link;
 * a key taken over from a deleted account (login's and bindPhone's takeover) counts as the account's own.
 */
export function ownedIdentities(docs: readonly IdentityDoc[], mergedIds: ReadonlySet<string>): OwnedIdentity[] {
  return docs.map((doc) => {
    const linked = typeof doc.movedFrom === 'string' && mergedIds.has(doc.movedFrom);
    return {
      key: doc._id,
      createdAt: doc.createdAt instanceof Date ? doc.createdAt : null,
      movedFrom: linked ? (doc.movedFrom ?? null) : null,
      movedAt: linked && doc.movedAt instanceof Date ? doc.movedAt : null,
    };
  });
}

/**
 * Nickname and avatar of each account merged into this one, by id: how the person tells two linked
 * WeChat accounts apart. `avatarUrls`: fresh URLs of their avatar files (by fileID); an avatar
 * outside storage (legacy documents) is shown as stored.
 */
export function mergedProfiles(merged: readonly UserDoc[], avatarUrls: ReadonlyMap<string, string>): Map<string, MergedProfile> {
  return new Map(
    merged.map((user) => {
      const fileID = typeof user.avatarFileID === 'string' ? user.avatarFileID : '';
      const stored = typeof user.avatarUrl === 'string' ? user.avatarUrl : '';
      const legacy = typeof user.userInfo?.avatarUrl === 'string' ? user.userInfo.avatarUrl : '';
      return [user._id, { nickName: nickNameOf(user), avatarUrl: fileID ? (avatarUrls.get(fileID) ?? '') : stored || legacy }];
    }),
  );
}
