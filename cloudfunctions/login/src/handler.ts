/**
 * The function's front door: validates the event, routes `action`, and turns every outcome into
 * the contract's envelope. It never throws: the mini-program always gets `{ ok, ... }`.
 *
 * Identity comes from cloud.getWXContext() (`identity`, `invocation`), never from the event: an
 * action only sees the event without `action`, and no action reads identity fields from it.
 */
import type { ActionMap, ActionName, Result } from '../../../typings/contract';
import type { Deps, Invocation } from './ports';
import { bindPhone } from './actions/bind-phone';
import { confirmLink } from './actions/confirm-link';
import { deleteAccount } from './actions/delete-account';
import { exportMyData } from './actions/export-my-data';
import { findAccountByPhone } from './actions/find-account-by-phone';
import { listIdentities } from './actions/list-identities';
import { login, loginOptions } from './actions/login';
import { prepareAvatarUpload } from './actions/prepare-avatar-upload';
import { unlinkIdentity } from './actions/unlink-identity';
import { updateProfile } from './actions/update-profile';
import { failure, hasAction, parseEvent, settle } from '@wx-cloud-login/server-auth/src/envelope';
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
  login: ({ identity, event, deps, invocation }) => login(identity, deps, invocation, loginOptions(event)),
  updateProfile: ({ identity, event, deps, invocation }) => updateProfile(identity, event, deps, invocation),
  bindPhone: ({ identity, event, deps }) => bindPhone(identity, event, deps),
  confirmLink: ({ identity, event, deps }) => confirmLink(identity, event, deps),
  listIdentities: ({ identity, deps }) => listIdentities(identity, deps),
  unlinkIdentity: ({ identity, event, deps }) => unlinkIdentity(identity, event, deps),
  deleteAccount: ({ identity, event, deps, invocation }) => deleteAccount(identity, event, deps, invocation),
  exportMyData: ({ identity, deps, invocation }) => exportMyData(identity, deps, invocation),
  findAccountByPhone: ({ identity, event, deps }) => findAccountByPhone(identity, event, deps),
  prepareAvatarUpload: ({ identity, event, deps }) => prepareAvatarUpload(identity, event, deps),
};

function isActionName(name: string): name is ActionName {
  return hasAction(actions, name);
}

export async function handle(
  event: unknown,
  identity: WxIdentity | null,
  deps: Deps,
  invocation: Invocation = { env: '' },
): Promise<Result<ActionData>> {
  // The envelope, the refusals of a malformed event and the INTERNAL fallback are the shared ones.
  const parsed = parseEvent(event, isActionName, 'login');
  if (!parsed.ok) return failure(parsed.error);
  const action = parsed.action as ActionName;
  if (!identity) {
    return failure({ code: 'UNAUTHENTICATED', message: 'no WeChat identity: call this function from the mini-program' });
  }
  const run: (context: ActionContext) => Promise<ActionData> = actions[action];
  return settle<ActionData>(action, () => run({ identity, event: parsed.event, deps, invocation }), deps.error);
}
