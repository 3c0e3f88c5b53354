/**
 * The function's front door: validates the event, routes `action`, and turns every outcome into
 * the contract's envelope. It never throws: the mini-program always gets `{ ok, ... }`.
 *
 * Identity comes from cloud.getWXContext() (`identity`, `invocation`), never from the event: an
 * action only sees the event without `action`, and no action reads identity fields from it.
 */
import type { ActionMap, ActionName, ErrorBody, Result } from '../../../typings/contract';
import type { Deps, Invocation } from './ports';
import { bindPhone } from './actions/bind-phone';
import { confirmLink } from './actions/confirm-link';
import { deleteAccount } from './actions/delete-account';
import { listIdentities } from './actions/list-identities';
import { login } from './actions/login';
import { unlinkIdentity } from './actions/unlink-identity';
import { updateProfile } from './actions/update-profile';
import { AppError } from './rules/errors';
import type { WxIdentity } from './rules/identity';

interface ActionContext {
  identity: WxIdentity;
  /** The event without `action`. Never a source of identity. */
  event: Record<string, unknown>;
  deps: Deps;
  invocation: Invocation;
}

type ActionData = ActionMap[ActionName]['data'];

const actions: { [A in ActionName]: (context: ActionContext) => Promise<ActionMap[A]['data']> } = {
  login: ({ identity, deps, invocation }) => login(identity, deps, invocation),
  updateProfile: ({ identity, event, deps, invocation }) => updateProfile(identity, event, deps, invocation),
  bindPhone: ({ identity, event, deps }) => bindPhone(identity, event, deps),
  confirmLink: ({ identity, event, deps }) => confirmLink(identity, event, deps),
  listIdentities: ({ identity, deps }) => listIdentities(identity, deps),
  unlinkIdentity: ({ identity, event, deps }) => unlinkIdentity(identity, event, deps),
  deleteAccount: ({ identity, event, deps, invocation }) => deleteAccount(identity, event, deps, invocation),
};

function isActionName(name: string): name is ActionName {
  // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is not in the function's ES2021 lib (CloudBase runs Node 16).
  return Object.prototype.hasOwnProperty.call(actions, name);
}

function failure(error: ErrorBody): Result<never> {
  return { ok: false, error };
}

export async function handle(
  event: unknown,
  identity: WxIdentity | null,
  deps: Deps,
  invocation: Invocation = { env: '' },
): Promise<Result<ActionData>> {
  // Invoked with no payload the runtime may hand us undefined/null; DevTools sends {}.
  const payload = event ?? {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return failure({ code: 'INVALID_ARGUMENT', message: 'event must be an object' });
  }
  const { action = 'login', ...rest } = payload as Record<string, unknown>;
  if (typeof action !== 'string') return failure({ code: 'INVALID_ARGUMENT', message: 'action must be a string' });
  if (!isActionName(action)) return failure({ code: 'UNKNOWN_ACTION', message: `unknown action: ${action.slice(0, 64)}` });
  if (!identity) {
    return failure({ code: 'UNAUTHENTICATED', message: 'no WeChat identity: call this function from the mini-program' });
  }
  try {
    return { ok: true, data: await actions[action]({ identity, event: rest, deps, invocation }) };
  } catch (error) {
    if (error instanceof AppError) return failure(error.toBody());
    deps.error(`action ${action} failed`, error);
    return failure({ code: 'INTERNAL', message: 'internal error, please retry later' });
  }
}
