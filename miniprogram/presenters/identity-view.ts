import type { IdentityProvider, IdentitySummary } from '../../typings/contract';
import { formatDate } from './user-view';

/**
 * Sign-in methods as 账号与安全 lists them. The server already masks every identifier; this only
 * names the providers in Chinese and words the confirmation of 解除关联.
 */

export const PROVIDER_NAMES: Record<IdentityProvider, string> = {
  wechat: '微信',
  'wechat-unionid': '微信（开放平台）',
  phone: '手机号',
  other: '其他登录方式',
};

export interface IdentityView {
  id: string;
  name: string;
  /** Masked identifier, or for 'wechat' the mini-program it belongs to. */
  display: string;
  /** 当前微信 / 唯一登录方式 …, '' when there is nothing to add. */
  note: string;
  current: boolean;
  canUnlink: boolean;
  /** yyyy-mm-dd; '' when unknown. */
  linkedAt: string;
}

function noteFor(identity: IdentitySummary): string {
  if (identity.current) return '当前微信';
  if (identity.provider === 'wechat-unionid') return '同一开放平台下的 App、网站通用';
  return '';
}

export function toIdentityView(identity: IdentitySummary): IdentityView {
  const display = identity.provider === 'wechat' && identity.appid ? `${identity.display} · 小程序 ${identity.appid}` : identity.display;
  return {
    id: identity.id,
    name: PROVIDER_NAMES[identity.provider],
    display,
    note: noteFor(identity),
    current: identity.current,
    canUnlink: identity.canUnlink,
    linkedAt: identity.linkedAt > 0 ? formatDate(identity.linkedAt) : '',
  };
}

export function toIdentityViews(identities: IdentitySummary[]): IdentityView[] {
  return identities.map(toIdentityView);
}

export interface Confirmation {
  title: string;
  content: string;
  confirmText: string;
}

/**
 * What the person is asked before 解除关联. The current WeChat goes as a whole (its openid and
 * unionid re-attach each other), and this device is signed out: say so before, not after.
 */
export function unlinkConfirmation(identity: IdentityView): Confirmation {
  if (identity.current) {
    return {
      title: '解除当前微信？',
      content: '解除后，当前微信将不能再登录这个账号，并会立即退出登录；之后用微信登录会创建一个新账号。',
      confirmText: '解除',
    };
  }
  return {
    title: `解除${identity.name}？`,
    content: `解除后将不能再用${identity.name}（${identity.display}）登录这个账号。`,
    confirmText: '解除',
  };
}
