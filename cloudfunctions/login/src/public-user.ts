import type { PublicUser } from '../../../typings/contract';
import type { UserDoc } from './store/user-store';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function millis(value: unknown, fallback: number): number {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : fallback;
}

/**
 * The allow-list: a field reaches the mini-program only if it is written here. Everything else in
 * the document — session_key of legacy data, raw openids, identity keys, bookkeeping — stays on the
 * server. Legacy documents keep their profile in `userInfo`; it is used when the top level is empty.
 */
export function toPublicUser(user: UserDoc, now: Date): PublicUser {
  const nowMs = now.getTime();
  return {
    id: user._id,
    nickName: text(user.nickName) || text(user.userInfo?.nickName),
    avatarUrl: text(user.avatarUrl) || text(user.userInfo?.avatarUrl),
    createdAt: millis(user.createdAt, nowMs),
    lastLoginAt: millis(user.lastLoginAt, nowMs),
    loginCount: typeof user.loginCount === 'number' ? user.loginCount : 1,
  };
}
