import type { LinkOffer, ProfileField } from '../../typings/contract';
import { PROVIDER_NAMES } from './identity-view';
import { formatDate, formatDateTime } from './user-view';

/**
 * The preview of 关联到已有账号, from the server's LinkOffer: what the existing account is, and
 * exactly what the link moves, fills, keeps and releases, in words, before the person confirms.
 */

const FIELD_NAMES: Record<ProfileField, string> = {
  nickName: '昵称',
  avatar: '头像',
};

export interface LinkPreviewView {
  ticket: string;
  phone: string;
  /** The existing account's nickname, or a hint that it has none. */
  targetName: string;
  targetCreatedAt: string;
  /** HH:mm (device time) after which the ticket is refused with LINK_TICKET_EXPIRED. */
  validUntil: string;
  /** One sentence per effect, in the order the person should read them. */
  effects: string[];
}

function names(fields: ProfileField[]): string {
  return fields.map((field) => FIELD_NAMES[field]).join('、');
}

export function toLinkPreviewView(offer: LinkOffer): LinkPreviewView {
  const { preview } = offer;
  const moving = [...new Set(preview.movingIdentities.map((provider) => PROVIDER_NAMES[provider]))];
  const effects = [
    moving.length > 0
      ? `当前账号的${moving.join('、')}登录将移到该账号，之后用这个微信登录的就是该账号。`
      : '之后用这个微信登录的就是该账号。',
  ];
  if (preview.keptFields.length > 0) effects.push(`保留该账号的${names(preview.keptFields)}。`);
  if (preview.filledFields.length > 0) effects.push(`该账号没有的${names(preview.filledFields)}，用当前账号的补上。`);
  if (preview.releasedPhoneNumber) {
    effects.push(`当前账号绑定的手机号 ${preview.releasedPhoneNumber} 将解除绑定（一个账号只保留一个手机号）。`);
  }
  effects.push('当前账号不会被删除，它的资料会保留并标记为已合并。');
  return {
    ticket: offer.ticket,
    phone: preview.target.maskedPhoneNumber,
    targetName: preview.target.nickName || '未设置昵称',
    targetCreatedAt: formatDate(preview.target.createdAt),
    validUntil: formatDateTime(offer.expiresAt).slice(-5),
    effects,
  };
}
