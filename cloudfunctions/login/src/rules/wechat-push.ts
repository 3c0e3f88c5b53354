/**
 * What WeChat's `authorized_user_information_changes` push asks of this kit, as pure rules: which
 * messages are read, what each one changes, and the id that makes applying one idempotent.
 *
 * The three events (WeChat's 授权用户信息变更):
 * - `user_authorization_revoke` with `RevokeInfo`: the person withdrew something they gave the app.
 *   `6` nickname and avatar, `19` the nickname chosen in the nickname keyboard, `20` the avatar chosen
 *   in the avatar component: cleared (the avatar file deleted); `8` the phone number: unbound and
 *   removed from the database. Other codes concern data this kit does not keep: nothing to do.
 * - `user_info_modified`: WeChat cleaned a risky nickname or avatar. The push does not say which, and
 *   the kit cannot fetch the cleaned one (WeChat gives profiles only through the person's own input),
 *   so both are cleared: the person picks them again.
 * - `user_authorization_cancellation`: the person deleted their WeChat account. That WeChat account
 *   (every key of it: this openid, its unionid, its openids of other apps) leaves the person's
 *   account; when no way back in remains, the account is deleted as by 注销.
 *
 * Who may send these is decided before they get here (push-signature.ts): a message read here has
 * already been proven to come from WeChat, or an operator applies WeChat's own list.
 */
import { createHash } from 'node:crypto';

export const PUSH_EVENTS = ['user_authorization_revoke', 'user_info_modified', 'user_authorization_cancellation'] as const;
export type PushEvent = (typeof PUSH_EVENTS)[number];

/** RevokeInfo codes this kit keeps data for. */
export const REVOKE_NICKNAME_AND_AVATAR = '6';
export const REVOKE_PHONE = '8';
export const REVOKE_NICKNAME = '19';
export const REVOKE_AVATAR = '20';

/** One push, as the kit reads it (WeChat's field names: OpenID, AppID, Event, RevokeInfo, CreateTime). */
export interface WechatPushMessage {
  event: PushEvent;
  openid: string;
  /** The mini-program's AppID the push names ('' when it names none). */
  appid: string;
  /** RevokeInfo codes (a revoke names one; a list is read as several). */
  revokeInfo: string[];
  /** CreateTime, seconds since the epoch (0 when absent). */
  createTime: number;
  /** PluginID: set when the person withdrew something from a plugin, not from this mini-program. */
  pluginId?: string;
}

export type ProfilePart = 'nickName' | 'avatar';

/** What one message changes on the account of its openid. */
export type PushEffect =
  | { kind: 'clear-profile'; parts: ProfilePart[]; unbindPhone: boolean }
  | { kind: 'remove-wechat' }
  | { kind: 'none' };

export type ReadPushResult = { ok: true; message: WechatPushMessage } | { ok: false; reason: string };

const MAX_FIELD_LENGTH = 128;

function field(body: Record<string, unknown>, name: string): string {
  // WeChat's own JSON example writes some keys with a leading space (" OpenID"); read both.
  const value = body[name] ?? body[` ${name}`];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value.trim() : '';
}

function isPushEvent(value: string): value is PushEvent {
  return (PUSH_EVENTS as readonly string[]).includes(value);
}

/** Reads a push body (already proven genuine); anything else is refused with a reason, never thrown. */
export function readPushMessage(body: unknown): ReadPushResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'the message is not an object' };
  const record = body as Record<string, unknown>;
  const event = field(record, 'Event');
  if (!isPushEvent(event)) return { ok: false, reason: `not an authorised-user-information event: ${event.slice(0, 40) || '(none)'}` };
  const openid = field(record, 'OpenID');
  if (openid === '' || openid.length > MAX_FIELD_LENGTH) return { ok: false, reason: 'OpenID is missing' };
  const appid = field(record, 'AppID');
  if (appid.length > MAX_FIELD_LENGTH) return { ok: false, reason: 'AppID is too long' };
  const revokeInfo = field(record, 'RevokeInfo')
    .split(/[\s,|;]+/)
    .filter((code) => /^\d{1,4}$/.test(code));
  if (event === 'user_authorization_revoke' && revokeInfo.length === 0) return { ok: false, reason: 'RevokeInfo is missing' };
  const createTime = Number(field(record, 'CreateTime'));
  const pluginId = field(record, 'PluginID');
  const message: WechatPushMessage = {
    event,
    openid,
    appid,
    revokeInfo,
    createTime: Number.isSafeInteger(createTime) && createTime > 0 ? createTime : 0,
  };
  return { ok: true, message: pluginId === '' ? message : { ...message, pluginId: pluginId.slice(0, MAX_FIELD_LENGTH) } };
}

/** What the message changes. */
export function effectOf(message: WechatPushMessage): PushEffect {
  // A plugin's revocation (PluginID, OpenPID) concerns what the plugin holds, not this kit's data.
  if (message.pluginId) return { kind: 'none' };
  if (message.event === 'user_authorization_cancellation') return { kind: 'remove-wechat' };
  if (message.event === 'user_info_modified') return { kind: 'clear-profile', parts: ['nickName', 'avatar'], unbindPhone: false };
  const codes = new Set(message.revokeInfo);
  const parts: ProfilePart[] = [];
  if (codes.has(REVOKE_NICKNAME_AND_AVATAR) || codes.has(REVOKE_NICKNAME)) parts.push('nickName');
  if (codes.has(REVOKE_NICKNAME_AND_AVATAR) || codes.has(REVOKE_AVATAR)) parts.push('avatar');
  const unbindPhone = codes.has(REVOKE_PHONE);
  return parts.length > 0 || unbindPhone ? { kind: 'clear-profile', parts, unbindPhone } : { kind: 'none' };
}

/**
 * The audit entry's id of one message: the same message (WeChat retries one it got no answer to,
 * an operator applies a list twice) always names the same entry, so it is recorded once. Hashed: an
 * audit entry never holds an openid.
 */
export function pushAuditId(message: WechatPushMessage): string {
  const hash = createHash('sha256')
    .update([message.event, message.appid, message.openid, [...message.revokeInfo].sort().join(','), String(message.createTime)].join('\n'))
    .digest('base64url');
  return `wechat-push:${hash}`;
}
