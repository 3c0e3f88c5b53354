import type { IdentityProvider, IdentitySummary } from '../../typings/contract';
import { formatDate, formatDateTime } from './user-view';

/**
 * 账号与安全's ways to sign in, in the person's words: one row per WeChat account (the server
 * groups its unionid and every app's openid), the names of the apps it was used in, the current one
 * marked; the phone number on its own, as what recovers the account; and the confirmation of
 * 解除关联, which says exactly what goes and what happens next. The server masks every identifier;
 * nothing here shows one.
 *
 * With more than one WeChat, each row is named and pictured the way the person knew it: a linked
 * one by the nickname and avatar its account had when it was linked (「小红」的微信), the account's
 * own as 注册本账号的微信 with the account's avatar; and two rows never read the same (the time they
 * joined, then a number, tells them apart).
 */

/** Names of the contract's providers (the link preview lists what moves). Both WeChat keys read as 微信. */
export const PROVIDER_NAMES: Record<IdentityProvider, string> = {
  wechat: '微信',
  'wechat-unionid': '微信',
  phone: '手机号',
  other: '其他登录方式',
};

/** appid → the name a person knows the app by (config.ts APP_NAMES); others read as 其他小程序. */
export type AppNames = Readonly<Record<string, string>>;

export interface IdentityView {
  id: string;
  kind: IdentitySummary['kind'];
  /** 微信 (the only one) / 「小红」的微信 / 注册本账号的微信 / 手机号 / 其他登录方式. */
  name: string;
  /** WeChat rows: the avatar to show beside the name ('' for the default one) and its letter. */
  avatarUrl: string;
  avatarInitial: string;
  /** 当前微信 on the WeChat account of this device, else ''. */
  tag: string;
  /** WeChat: where it is used (用于 本小程序、…); phone: the masked number; other: the provider. */
  detail: string;
  /** How it came into the account, the line that tells two WeChat accounts apart. '' when unknown. */
  origin: string;
  current: boolean;
  canUnlink: boolean;
}

export interface IdentityListView {
  wechat: IdentityView[];
  /** The phone row (its id unlinks the number); null when no number is bound. */
  phone: IdentityView | null;
  others: IdentityView[];
}

function appsText(identity: IdentitySummary, appNames: AppNames): string {
  const names = identity.apps.map((app) => (app.thisApp ? '本小程序' : (appNames[app.appid] ?? '其他小程序')));
  const unique = [...new Set(names)];
  if (unique.length === 0) return identity.openPlatform ? '用于我们的 App 或网站' : '';
  return `用于${unique.join('、')}`;
}

/** The account's own avatar: what its own WeChat row shows. */
export interface AccountPicture {
  avatarUrl: string;
  avatarInitial: string;
}

const NO_PICTURE: AccountPicture = { avatarUrl: '', avatarInitial: '' };

/** `named`: the row's name already says the nickname, so the origin line does not repeat it. */
function originText(identity: IdentitySummary, precise: boolean, named: boolean): string {
  if (identity.linkedAt <= 0) return identity.linked ? '关联进来的微信' : '';
  const when = precise ? formatDateTime(identity.linkedAt) : formatDate(identity.linkedAt);
  if (!identity.linked) return identity.kind === 'phone' ? `${when} 绑定` : `${when} 起使用`;
  return identity.linkedFromNickName && !named ? `${when} 关联 · 原账号「${identity.linkedFromNickName}」` : `${when} 关联`;
}

/** A WeChat row's name: 微信 when it is the only one, else who it was when it joined. */
function wechatName(identity: IdentitySummary, several: boolean): string {
  if (!several) return '微信';
  if (!identity.linked) return '注册本账号的微信';
  return identity.linkedFromNickName ? `「${identity.linkedFromNickName}」的微信` : '关联进来的微信';
}

function initialOf(name: string): string {
  // Array.from keeps a surrogate pair (an emoji nickname) whole.
  return Array.from(name.trim())[0] ?? '';
}

function toView(identity: IdentitySummary, appNames: AppNames, precise: boolean, several: boolean, account: AccountPicture): IdentityView {
  const wechat = identity.kind === 'wechat';
  const name = wechat ? wechatName(identity, several) : identity.kind === 'phone' ? '手机号' : '其他登录方式';
  const picture: AccountPicture = !wechat
    ? NO_PICTURE
    : identity.linked
      ? { avatarUrl: identity.linkedFromAvatarUrl || '', avatarInitial: initialOf(identity.linkedFromNickName) }
      : account;
  return {
    id: identity.id,
    kind: identity.kind,
    name,
    ...picture,
    tag: identity.current ? '当前微信' : '',
    detail: wechat ? appsText(identity, appNames) : identity.display,
    origin: originText(identity, precise, several && identity.linkedFromNickName !== ''),
    current: identity.current,
    canUnlink: identity.canUnlink,
  };
}

/** `account`: the signed-in account's avatar, for the row of its own WeChat. */
export function toIdentityListView(
  identities: IdentitySummary[],
  appNames: AppNames = {},
  account: AccountPicture = NO_PICTURE,
): IdentityListView {
  const wechat = identities.filter((identity) => identity.kind === 'wechat');
  const several = wechat.length > 1;
  const lineOf = (row: IdentityView) => `${row.name}|${row.detail}|${row.origin}`;
  // Two WeChat accounts whose lines would read the same (no nicknames, linked the same day) get the time too…
  const byDay = wechat.map((identity) => toView(identity, appNames, false, several, account));
  const precise = new Set(byDay.map(lineOf)).size < byDay.length;
  const rows = precise ? wechat.map((identity) => toView(identity, appNames, true, several, account)) : byDay;
  // …and when even the minute is the same, a number.
  const seen = new Map<string, number>();
  const numbered = rows.map((row) => {
    const count = (seen.get(lineOf(row)) ?? 0) + 1;
    seen.set(lineOf(row), count);
    return count > 1 ? { ...row, name: `${row.name}（${count}）` } : row;
  });
  const phone = identities.find((identity) => identity.kind === 'phone');
  return {
    wechat: numbered,
    phone: phone ? toView(phone, appNames, false, false, NO_PICTURE) : null,
    others: identities
      .filter((identity) => identity.kind === 'other')
      .map((identity) => toView(identity, appNames, false, false, NO_PICTURE)),
  };
}

export interface Confirmation {
  title: string;
  content: string;
  confirmText: string;
}

/** What is left to sign in with, in words, for the confirmation of unlinking the current WeChat. */
function remainingText(list: IdentityListView, unlinked: IdentityView): string {
  const otherWechats = list.wechat.filter((row) => row.id !== unlinked.id).length;
  const parts = [
    ...(otherWechats > 0 ? [otherWechats > 1 ? `其他 ${otherWechats} 个微信` : '另一个已关联的微信'] : []),
    ...(list.phone && list.phone.id !== unlinked.id ? [`手机号 ${list.phone.detail}`] : []),
  ];
  const text = parts.join('和');
  // A number at the end reads as part of the next word without a space: 「手机号 138****8000 登录」.
  return /\d$/.test(text) ? `${text} ` : text;
}

/**
 * What the person is asked before 解除关联: exactly what goes (one WeChat account, every app it was
 * used in), and for the current WeChat that this device is signed out and what its next login is.
 */
export function unlinkConfirmation(identity: IdentityView, list: IdentityListView): Confirmation {
  if (identity.kind === 'phone') {
    return {
      title: '解除手机号？',
      content: `解除后，手机号 ${identity.detail} 将从这个账号移除：换了微信时不能再用它找回账号。`,
      confirmText: '解除',
    };
  }
  if (identity.kind === 'wechat' && identity.current) {
    const remaining = remainingText(list, identity);
    return {
      title: '解除当前微信？',
      content:
        `这个微信（${identity.detail}）将不能再登录这个账号，你会立即退出登录。` +
        `之后用这个微信登录会进入一个新的空账号${remaining ? `；这个账号仍可用${remaining}登录，也可在登录页用手机号找回` : ''}。`,
      confirmText: '解除',
    };
  }
  if (identity.kind === 'wechat') {
    const which = identity.origin ? `（${identity.origin}）` : '';
    const named = identity.name === '微信' ? '这个微信' : identity.name;
    return {
      title: '解除这个微信？',
      content:
        `解除后，${named}${which}将不能再登录这个账号，${identity.detail ? `包括它${identity.detail.replace(/^用于/, '在')}的登录；` : ''}` +
        '它下次登录会进入一个新账号。你当前的微信不受影响。',
      confirmText: '解除',
    };
  }
  return {
    title: `解除${identity.name}？`,
    content: `解除后，将不能再用${identity.detail || identity.name}登录这个账号。`,
    confirmText: '解除',
  };
}
