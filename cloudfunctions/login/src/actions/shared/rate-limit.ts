/**
 * The abuse limits (rules/rate-limit.ts) in an action, counted per PERSON: the key is the account's
 * user id, the same whichever app, openid or unionid the person calls from (one person with two
 * apps gets one allowance, not two). The account is known only once the caller is resolved, so
 * the counter is written right after that first request, and a banned or unknown caller hears
 * USER_BANNED / USER_NOT_FOUND, never a wait, and costs no counter.
 *
 * A use is counted when the action is asked for, whether it then succeeds or not: what costs
 * money is the attempt (a spent phone code is billed even when the bind fails later).
 */
import { AppError } from '../../rules/errors';
import { type LimitedAction, rateSlot } from '../../rules/rate-limit';
import type { Deps } from '../../ports';

/** The outcome of counting one use: allowed, or refused with the wait. */
export type Allowance = { allowed: true } | { allowed: false; action: LimitedAction; retryAfterMs: number };

/** The key a person is counted under: their account, never one app's openid. */
export function personRateKey(userId: string): string {
  return `user:${userId}`;
}

/**
 * The key a person WITHOUT an account is counted under (findAccountByPhone before any account
 * exists): their WeChat — the unionid when there is one, so two apps still share one allowance.
 */
export function guestRateKey(identity: { openid: string; appid: string; unionid?: string }): string {
  return identity.unionid ? `wechat-union:${identity.unionid}` : `wechat:${identity.appid}:${identity.openid}`;
}

/** Counts one use of `action` by the person owning account `userId` (one database request). */
export function countUse(action: LimitedAction, userId: string, deps: Pick<Deps, 'store' | 'now'>): Promise<Allowance> {
  return countUseUnder(action, personRateKey(userId), deps);
}

/** Counts one use of `action` under `key` (personRateKey or guestRateKey; one database request). */
export async function countUseUnder(action: LimitedAction, key: string, deps: Pick<Deps, 'store' | 'now'>): Promise<Allowance> {
  const { slot, limit, retryAfterMs } = rateSlot(action, key, deps.now());
  if (await deps.store.countUse(slot, limit)) return { allowed: true };
  return { allowed: false, action, retryAfterMs };
}

/** Throws RATE_LIMITED with `retryAfterMs` when the allowance was used up. */
export function assertAllowed(allowance: Allowance): void {
  if (!allowance.allowed) {
    throw new AppError('RATE_LIMITED', `too many ${allowance.action} calls; retry after ${allowance.retryAfterMs} ms`, {
      retryAfterMs: allowance.retryAfterMs,
    });
  }
}

/** `resolving` (the caller's resolution), then one use counted for their account; RATE_LIMITED when it is used up. */
export async function withinLimit<C extends { user: { _id: string } }>(
  action: LimitedAction,
  deps: Pick<Deps, 'store' | 'now'>,
  resolving: Promise<C>,
): Promise<C> {
  const caller = await resolving;
  assertAllowed(await countUse(action, caller.user._id, deps));
  return caller;
}
