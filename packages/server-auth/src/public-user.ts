import type { PublicUser } from '../../../typings/contract';
import { maskPhoneNumber, readBoundPhone } from './phone';
import { nickNameOf, text } from './profile';
import type { UserRecord } from './user-record';

function millis(value: unknown, fallback: number): number {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : fallback;
}

/**
 * A displayable avatar URL. For an avatar in cloud storage the stored URL is a temporary one: it is
 * returned only while valid (login refreshes it); an expired one would only show a broken image.
 */
function avatarUrlOf(user: UserRecord, nowMs: number): string {
  if (text(user.avatarFileID) !== '') {
    return millis(user.avatarUrlExpiresAt, 0) > nowMs ? text(user.avatarUrl) : '';
  }
  return text(user.avatarUrl) || text(user.userInfo?.avatarUrl);
}

/**
 * The allow-list: a field reaches the mini-program only if it is written here. Everything else in
 * the document — session_key of legacy data, raw openids, identity keys, the full phone number,
 * bookkeeping — stays on the server. Legacy documents keep their profile in `userInfo`; it is used
 * when the top level is empty.
 */
export function toPublicUser(user: UserRecord, now: Date): PublicUser {
  const nowMs = now.getTime();
  const phone = readBoundPhone(user.boundPhone);
  return {
    id: user._id,
    nickName: nickNameOf(user),
    avatarUrl: avatarUrlOf(user, nowMs),
    createdAt: millis(user.createdAt, nowMs),
    lastLoginAt: millis(user.lastLoginAt, nowMs),
    loginCount: typeof user.loginCount === 'number' ? user.loginCount : 1,
    hasPhone: phone !== null,
    maskedPhoneNumber: phone ? maskPhoneNumber(phone) : '',
  };
}
