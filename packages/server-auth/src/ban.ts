/**
 * Bans: `status: 'banned'` with an optional end (`bannedUntil`) and a reason code, set by an
 * operator (`npm run admin -- ban`). A ban whose end has passed is lifted: every check goes
 * through activeBan, and the next login that records itself on the account clears the fields.
 */
import type { BanDetails } from '../../../typings/contract';
import { isBanReason } from '../../../miniprogram/contract/lists';
import { AppError } from './errors';
import type { UserRecord } from './user-record';

/** The ban in force on `user` at `now`, or null (never banned, lifted, or expired). */
export function activeBan(user: UserRecord, now: Date): BanDetails | null {
  if (user.status !== 'banned') return null;
  const until = user.bannedUntil instanceof Date ? user.bannedUntil : null;
  if (until && until.getTime() <= now.getTime()) return null;
  return { bannedUntil: until ? until.getTime() : null, reason: isBanReason(user.banReason) ? user.banReason : null };
}

/** True when `user` is marked banned but the ban has ended: the login lifts it. */
export function isExpiredBan(user: UserRecord, now: Date): boolean {
  return user.status === 'banned' && activeBan(user, now) === null;
}

/** The patch fields that lift a ban (UserPatch `set` / `remove`). */
export const LIFTED_BAN = { set: { status: 'active' as const }, remove: ['bannedUntil', 'banReason'] };

/** Throws USER_BANNED with the ban's end and reason when one is in force. */
export function assertNoActiveBan(user: UserRecord, now: Date): void {
  const ban = activeBan(user, now);
  if (ban) throw new AppError('USER_BANNED', 'This account is banned', ban);
}
