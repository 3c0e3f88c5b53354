/**
 * Abuse limits: how often one person may use the actions that cost money or quota. The one table
 * to change them is RATE_LIMITS below (README 「调用频率限制」).
 *
 * - bindPhone: WeChat bills every phonenumber.getPhoneNumber call; a script tapping 绑定手机号 in a
 *   loop would spend real money.
 * - nicknameCheck: every changed nickname costs a msgSecCheck call, which has a daily quota per
 *   mini-program.
 * - confirmLink: each link moves identities and writes an audit entry; repeating it is never
 *   what a person needs.
 * - exportMyData: reserved for the personal-data export (one per person every few minutes).
 * - avatarUpload: every avatar path handed out is listed on the account until saved (its document
 *   grows); far above what choosing a picture needs.
 *
 * Fixed windows (the clock cut into `windowMs` slices): one counter document per person, action
 * and window, so a counter is an insert or one atomic conditional increment — no read first, no
 * transaction. A burst straddling two windows may get up to twice the limit; that bound is enough
 * against a loop, and far cheaper than a sliding log.
 *
 * Who counts as one person: their account (`user:<userId>`, actions/shared/rate-limit.ts), so the
 * same person calling from two apps, two openids or two WeChats linked into one account shares one
 * allowance. It is stored only as a hash.
 */
import { createHash } from 'node:crypto';
import type { RateLimitDoc } from '../model';

export interface RateLimit {
  /** Uses allowed per window (0 refuses every use). */
  limit: number;
  /** The window's length in milliseconds. */
  windowMs: number;
}

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

/** The limits, in one place. */
export const RATE_LIMITS = {
  bindPhone: { limit: 5, windowMs: HOUR_MS },
  nicknameCheck: { limit: 20, windowMs: HOUR_MS },
  confirmLink: { limit: 10, windowMs: HOUR_MS },
  exportMyData: { limit: 1, windowMs: 5 * MINUTE_MS },
  avatarUpload: { limit: 30, windowMs: HOUR_MS },
} as const satisfies Record<string, RateLimit>;

export type LimitedAction = keyof typeof RATE_LIMITS;

/** The counter a use at `now` goes to, and the wait when it is full. */
export interface RateSlot {
  slot: Omit<RateLimitDoc, 'count'>;
  limit: number;
  /** From `now` to the window's end (> 0). */
  retryAfterMs: number;
}

/** SHA-256 of the person's key, base64url: the counter names nobody in clear. */
export function rateKeyHash(personKey: string): string {
  return createHash('sha256').update(personKey).digest('base64url');
}

export function rateSlot(
  action: LimitedAction,
  personKey: string,
  now: Date,
  limits: Record<LimitedAction, RateLimit> = RATE_LIMITS,
): RateSlot {
  const { limit, windowMs } = limits[action];
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  const keyHash = rateKeyHash(personKey);
  return {
    slot: {
      _id: `${action}:${start}:${keyHash}`,
      action,
      keyHash,
      windowStart: new Date(start),
      resetAt: new Date(start + windowMs),
    },
    limit,
    retryAfterMs: start + windowMs - now.getTime(),
  };
}
