/**
 * The `{ ok, data } | { ok: false, error }` envelope every cloud function of this kit answers with,
 * and the two steps every one of them takes: read the event's `action`, and run it so that nothing
 * is ever thrown to the mini-program. The login function's handler and protectedFunction both use
 * these, so the envelope, the codes of a malformed event and the INTERNAL fallback are one thing.
 */
import type { ErrorBody, Result } from '../../../typings/contract';
import { AppError } from './errors';

export function failure(error: ErrorBody): Result<never> {
  return { ok: false, error };
}

/** The event split into its action and the rest, or the refusal of a malformed one. */
export type ParsedEvent = { ok: true; action: string; event: Record<string, unknown> } | { ok: false; error: ErrorBody };

/**
 * `known` answers whether a name is an action of this function. `defaultAction`: what `{}` means
 * (login's `login`: the event WeChat DevTools sends by default); without it `action` is required.
 */
export function parseEvent(raw: unknown, known: (name: string) => boolean, defaultAction?: string): ParsedEvent {
  // Invoked with no payload the runtime may hand us undefined/null; DevTools sends {}.
  const payload = raw ?? {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'event must be an object' } };
  }
  const { action = defaultAction, ...event } = payload as Record<string, unknown>;
  if (action === undefined) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'action is required' } };
  if (typeof action !== 'string') return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'action must be a string' } };
  if (!known(action)) return { ok: false, error: { code: 'UNKNOWN_ACTION', message: `unknown action: ${action.slice(0, 64)}` } };
  return { ok: true, action, event };
}

/** Whether `name` is an own key of `map` (never a prototype member such as `constructor`). */
export function hasAction(map: object, name: string): boolean {
  // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is not in the functions' ES2021 lib (CloudBase runs Node 16).
  return Object.prototype.hasOwnProperty.call(map, name);
}

/**
 * Runs an action: its data, an AppError as its body, anything else as INTERNAL with a safe
 * message (the detail goes to `logError`, the function's log, never to the caller).
 */
export async function settle<T>(
  action: string,
  work: () => Promise<T>,
  logError: (message: string, detail?: unknown) => void,
): Promise<Result<T>> {
  try {
    return { ok: true, data: await work() };
  } catch (error) {
    if (error instanceof AppError) return failure(error.toBody());
    logError(`action ${action} failed`, error);
    return failure({ code: 'INTERNAL', message: 'internal error, please retry later' });
  }
}
