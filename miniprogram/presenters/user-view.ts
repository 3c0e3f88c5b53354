import type { PublicUser } from '../../typings/contract';

/**
 * What pages render of a user, so WXML needs no logic. A fresh account has neither nickname nor
 * avatar (they come from <input type="nickname"> and chooseAvatar, never from a withdrawn
 * profile API): it gets a neutral text and the default avatar, not a made-up 微信用户, and a
 * lettered circle only once there is a nickname to take the letter from.
 */
export interface UserView {
  loggedIn: boolean;
  /** The nickname, or a hint that there is none yet. */
  displayName: string;
  hasNickName: boolean;
  /** '' when there is no avatar: render the lettered circle, or the default avatar without a letter. */
  avatarUrl: string;
  /** The nickname's first character; '' without a nickname (and logged out). */
  avatarInitial: string;
  /**
   * Still the session of the account's first login (loginCount 1, the login that created it): greet,
   * don't welcome back. The login page has the function's own isNewUser; other pages read this.
   */
  firstLogin: boolean;
  /** yyyy-mm-dd, local time; '' when logged out. */
  memberSince: string;
  lastLoginAt: string;
  loginCount: number;
}

export const LOGGED_OUT_VIEW: UserView = {
  loggedIn: false,
  displayName: '未登录',
  hasNickName: false,
  avatarUrl: '',
  avatarInitial: '',
  firstLogin: false,
  memberSince: '',
  lastLoginAt: '',
  loginCount: 0,
};

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

export function formatDate(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function formatDateTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${formatDate(epochMs)} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function toUserView(user: PublicUser | null): UserView {
  if (!user) return LOGGED_OUT_VIEW;
  const nickName = user.nickName.trim();
  return {
    loggedIn: true,
    displayName: nickName || '未设置昵称',
    hasNickName: nickName !== '',
    avatarUrl: user.avatarUrl,
    // Array.from keeps a surrogate pair (an emoji nickname) whole.
    avatarInitial: Array.from(nickName)[0] ?? '',
    // The login that creates an account counts 1; only the first session shows that count.
    firstLogin: user.loginCount <= 1,
    memberSince: formatDate(user.createdAt),
    lastLoginAt: formatDateTime(user.lastLoginAt),
    loginCount: user.loginCount,
  };
}

/** The two lines that greet the person at the top of 首页. */
export interface Greeting {
  title: string;
  text: string;
  /** No nickname yet: offer 去设置 (编辑资料) beside the greeting. */
  suggestProfile: boolean;
}

/**
 * 「欢迎加入」 is said once, by the login page, right after the login that created the account (the
 * function's isNewUser). 首页 cannot tell a relaunch from that moment (the cached user still counts
 * one login until it is refreshed), so it never says it: a first session reads 你好 / 欢迎使用, which
 * fits a person coming back just as well; a later one 欢迎回来.
 */
export function greetingFor(view: UserView): Greeting {
  if (!view.loggedIn) return { title: '你好，游客', text: '登录后可保存你的资料', suggestProfile: false };
  if (view.hasNickName) return { title: view.displayName, text: view.firstLogin ? '欢迎使用' : '欢迎回来', suggestProfile: false };
  return { title: view.firstLogin ? '你好' : '欢迎回来', text: '还没有设置头像和昵称', suggestProfile: true };
}

/** What the login page shows in the moment between a login and the return to the sender. */
export function welcomeAfterLogin(view: UserView, isNewUser: boolean): string {
  if (view.hasNickName) return `欢迎，${view.displayName}`;
  return isNewUser ? '欢迎加入' : '欢迎回来';
}
