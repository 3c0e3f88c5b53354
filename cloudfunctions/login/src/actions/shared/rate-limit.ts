/**
 * The abuse limits (rules/rate-limit.ts) in an action: `countUse` writes the counter — start it
 * together with the action's first database request, so the happy path costs no extra round trip —
 * and `assertAllowed` refuses with RATE_LIMITED once that request is back. Refusing after the
 * first request keeps its answer first: a banned or unknown caller hears USER_BANNED /
 * USER_NOT_FOUND, not a wait.
 *
 * A use is counted when the action is asked for, whether it then succeeds or not: what costs
 * money is the attempt (a spent phone code is billed even when the bind fails later).
 */
import { AppError } from '../../rules/errors';
import { identityKeysFor, type WxIdentity } from '../../rules/identity';
import { type LimitedAction, rateSlot } from '../../rules/rate-limit';
import type { Deps } from '../../ports';

/** The outcome of counting one use: allowed, or refused with the wait. */
export type Allowance = { allowed: true } | { allowed: false; action: LimitedAction; retryAfterMs: number };

/** Counts one use of `action` by the caller (one database request). */
export async function countUse(action: LimitedAction, identity: WxIdentity, deps: Pick<Deps, 'store' | 'now'>): Promise<Allowance> {
  const { slot, limit, retryAfterMs } = rateSlot(action, identityKeysFor(identity).openid, deps.now());
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

/** `first` (the action's first database request) and the counter in parallel; RATE_LIMITED after `first` answered. */
export async function withinLimit<T>(
  action: LimitedAction,
  identity: WxIdentity,
  deps: Pick<Deps, 'store' | 'now'>,
  first: Promise<T>,
): Promise<T> {
  const [result, allowance] = await Promise.all([first, countUse(action, identity, deps)]);
  assertAllowed(allowance);
  return result;
}
