/**
 * The function's front door: validates the event, routes `action`, and turns every outcome into
 * the contract's envelope. It never throws: the mini-program always gets `{ ok, ... }`.
 */
import type { ActionMap, ActionName, ErrorBody, Result } from '../../../typings/contract';
import { login, type LoginDeps } from './actions/login';
import { AppError } from './errors';
import type { WxIdentity } from './identity';

export type HandlerDeps = LoginDeps & {
  /** Server-side log of unexpected failures (the caller only sees INTERNAL). */
  error: (message: string, detail?: unknown) => void;
};

interface ActionContext {
  identity: WxIdentity;
  /** The event without `action`. Never a source of identity. */
  event: Record<string, unknown>;
  deps: HandlerDeps;
}

type ActionData = ActionMap[ActionName]['data'];

const actions: { [A in ActionName]: (context: ActionContext) => Promise<ActionMap[A]['data']> } = {
  login: ({ identity, deps }) => login(identity, deps),
};

function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(actions, name);
}

function failure(code: ErrorBody['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

export async function handle(event: unknown, identity: WxIdentity | null, deps: HandlerDeps): Promise<Result<ActionData>> {
  // Invoked with no payload the runtime may hand us undefined/null; DevTools sends {}.
  const payload = event ?? {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return failure('INVALID_ARGUMENT', 'event must be an object');
  }
  const { action = 'login', ...rest } = payload as Record<string, unknown>;
  if (typeof action !== 'string') return failure('INVALID_ARGUMENT', 'action must be a string');
  if (!isActionName(action)) return failure('UNKNOWN_ACTION', `unknown action: ${action.slice(0, 64)}`);
  if (!identity) {
    return failure('UNAUTHENTICATED', 'no WeChat identity: call this function from the mini-program');
  }
  try {
    return { ok: true, data: await actions[action]({ identity, event: rest, deps }) };
  } catch (error) {
    if (error instanceof AppError) return failure(error.code, error.message);
    deps.error(`action ${action} failed`, error);
    return failure('INTERNAL', 'internal error, please retry later');
  }
}
