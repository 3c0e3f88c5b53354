import type { PublicUser } from '../../typings/contract';

/**
 * What pages render of a user, so WXML needs no logic. A fresh account has neither nickname nor
 * avatar (they come from <input type="nickname"> and chooseAvatar, never from a withdrawn
 * profile API): it gets a neutral text and a lettered circle, not a fake 微信用户 with a grey avatar.
 */
export interface UserView {
  loggedIn: boolean;
  /** The nickname, or a hint that there is none yet. */
  displayName: string;
  hasNickName: boolean;
  /** '' when there is no avatar: render the placeholder circle with `avatarInitial`. */
  avatarUrl: string;
  avatarInitial: string;
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
    avatarInitial: Array.from(nickName)[0] ?? '我',
    memberSince: formatDate(user.createdAt),
    lastLoginAt: formatDateTime(user.lastLoginAt),
    loginCount: user.loginCount,
  };
}
