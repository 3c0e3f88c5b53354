/**
 * bindPhone { code, kind? }: the code of `<button open-type="getPhoneNumber">` (快速验证, kind
 * 'quick') or `"getRealtimePhoneNumber"` (实时验证, kind 'realtime') is traded for the number WeChat
 * verified — both through the same phonenumber.getPhoneNumber, which takes either code alike — and
 * the number's identity key is claimed for the caller like a WeChat identity: an insert with a
 * unique `_id`, so of two accounts racing for one number exactly one gets it.
 *
 * Each successful trade is billed by WeChat and recorded here (an audit entry of its kind and day,
 * naming nobody: rules/phone-check.ts), whatever the bind then does; `npm run admin -- phone-usage`
 * counts them. `kind` only prices the record: a client that lies about it skews an estimate.
 *
 * - Claimed by the caller: the number is stored on the user (a previous number is released) in one
 *   transaction; the answer carries the full number, to its owner only.
 * - Held by another live account: nothing is overwritten. The answer is
 *   PHONE_BELONGS_TO_ANOTHER_ACCOUNT with a LinkOffer — a preview of what linking would do and a
 *   ticket for confirmLink (rules/link-ticket.ts).
 * - Held by an identity whose account no longer exists (deleted, or merged in a race): taken over.
 *
 * A bind that fails after the claim releases the claim again (releaseUnattached): no number stays
 * attached to an account that does not show it.
 *
 * The caller is resolved BEFORE the code is spent: a code works once, and the client's lazy-login
 * retry (USER_NOT_FOUND -> login -> same call again) would otherwise resend a used code.
 */
import type { BindPhoneData } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { readPhoneCheckKind } from '../rules/phone-check';
import { resolveCaller } from './shared/caller';
import { bindVerified, recordPhoneCheck, tradePhoneCode } from './shared/phone-binding';
import { withinLimit } from './shared/rate-limit';
import { AppError } from '../rules/errors';
import { requiredString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';

const MAX_CODE_LENGTH = 512;

export async function bindPhone(identity: WxIdentity, event: Record<string, unknown>, deps: Deps): Promise<BindPhoneData> {
  const code = requiredString(event, 'code', MAX_CODE_LENGTH);
  const kind = readPhoneCheckKind(event.kind);
  if (!kind) throw new AppError('INVALID_ARGUMENT', 'kind must be quick or realtime');
  // Every getPhoneNumber is billed: counted against the caller's limit before the code is spent.
  const caller = await withinLimit('bindPhone', deps, resolveCaller(identity, deps.store, { now: deps.now() }));

  const [verified, owned] = await Promise.all([tradePhoneCode(code, deps), deps.store.identitiesOf([caller.user._id])]);
  // Recorded alongside the bind (one more write in the same round trip), awaited before answering.
  const recorded = recordPhoneCheck(kind, deps);
  try {
    return await bindVerified(verified, caller, owned, deps);
  } finally {
    await recorded;
  }
}
