import type { PublicUser } from '../../../typings/contract';
import { externalAvatarUrlProblem } from './avatar-url';
import { maskPhoneNumber, readBoundPhone } from './phone';
import { nickNameOf, text } from './profile';
import type { UserRecord } from './user-record';

function millis(value: unknown, fallback: number): number {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : fallback;
}

/** `url` when it may be shown as an avatar (avatar-url.ts), else ''. */
function shownExternal(url: string): string {
  return url !== '' && externalAvatarUrlProblem(url) === null ? url : '';
}

/**
 * A displayable avatar URL. For an avatar in cloud storage the stored URL is a temporary one: it is
 * returned only while valid (login refreshes it); an expired one would only show a broken image.
 * Any other URL was stored by someone else (a tutorial's `userInfo`, a legacy top-level field, an
 * import): only an absolute http(s) URL is passed on, never `javascript:`, `data:` or the like.
 */
function avatarUrlOf(user: UserRecord, nowMs: number): string {
  if (text(user.avatarFileID) !== '') {
    return millis(user.avatarUrlExpiresAt, 0) > nowMs ? text(user.avatarUrl) : '';
  }
  return shownExternal(text(user.avatarUrl)) || shownExternal(text(user.userInfo?.avatarUrl));
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
