/**
 * findAccountByPhone { code, kind? }: 「换了微信？用手机号找回账号」 on the login page. The person is
 * signed out and this WeChat may have no account at all, so this action needs none and creates
 * nothing: it trades the code (a billed check, recorded like bindPhone's and limited by the same
 * allowance) and says who holds the number.
 *
 * - Another live account: a LinkOffer (preview + ticket) for confirmLink, which links this WeChat
 *   into it. Without an account of its own the ticket's `fromUserId` is '' and the preview moves
 *   just this WeChat; confirmLink then takes the account the client's login makes right before it.
 * - This WeChat's own account: 'yours'; signing in is all it takes.
 * - Nobody (or an account that no longer exists): 'none', with a ticket that binds the number to
 *   this WeChat's account if the person says so. Before, the page logged in (creating an account)
 *   and bound the number at once: a typo'd or someone else's number made an account nobody asked for.
 *
 * A banned holder answers LINK_TARGET_UNAVAILABLE, as bindPhone does.
 */
import { settleImportedAccount } from './shared/imported-account';
import type { FindAccountByPhoneData } from '../../../../typings/contract';
import type { Deps, VerifiedPhone } from '../ports';
import { activeBan } from '../rules/ban';
import { AppError } from '../rules/errors';
import { requiredString } from '../rules/event-fields';
import { identityKeysFor, type WxIdentity } from '../rules/identity';
import { maskPhoneNumber, phoneIdentityKey } from '../rules/phone';
import { readPhoneCheckKind } from '../rules/phone-check';
import type { UserDoc } from '../model';
import { type Caller, resolveCaller } from './shared/caller';
import { bindingOffer, type LinkSource, linkOffer, linkSourceOf, recordPhoneCheck, tradePhoneCode } from './shared/phone-binding';
import { assertAllowed, countUseUnder, guestRateKey, personRateKey } from './shared/rate-limit';

const MAX_CODE_LENGTH = 512;

/** The caller's account, or null when this WeChat has none (the only refusal that is an answer here). */
async function callerOrNull(identity: WxIdentity, deps: Deps): Promise<Caller | null> {
  try {
    return await resolveCaller(identity, deps.store, { now: deps.now() });
  } catch (error) {
    if (error instanceof AppError && error.code === 'USER_NOT_FOUND') return null;
    throw error;
  }
}

export async function findAccountByPhone(
  identity: WxIdentity,
  event: Record<string, unknown>,
  deps: Deps,
): Promise<FindAccountByPhoneData> {
  const code = requiredString(event, 'code', MAX_CODE_LENGTH);
  const kind = readPhoneCheckKind(event.kind);
  if (!kind) throw new AppError('INVALID_ARGUMENT', 'kind must be quick or realtime');
  // The same paid resource as bindPhone: the same allowance, counted before the code is spent —
  // per account when the caller has one, else per WeChat.
  const caller = await callerOrNull(identity, deps);
  assertAllowed(await countUseUnder('bindPhone', caller ? personRateKey(caller.user._id) : guestRateKey(identity), deps));
  const verified = await tradePhoneCode(code, deps);
  const recorded = recordPhoneCheck(kind, deps);
  try {
    return await find(identity, caller, verified, deps);
  } finally {
    await recorded;
  }
}

async function find(identity: WxIdentity, caller: Caller | null, verified: VerifiedPhone, deps: Deps): Promise<FindAccountByPhoneData> {
  const now = deps.now();
  const phoneKey = phoneIdentityKey(verified);
  const held = await deps.store.getIdentity(phoneKey);
  const found = held ? await deps.store.getUser(held.userId) : null;
  // An import's account not activated yet is checked first (activated, or removed as deleted).
  const holder = found ? await settleImportedAccount(found, deps) : null;
  const live = holder && holder.status !== 'merged' && holder.status !== 'deleting' ? holder : null;
  const keys = caller?.keys ?? identityKeysFor(identity);

  if (live && live._id === caller?.user._id) return { found: 'yours' };
  if (live) {
    if (activeBan(live, now)) throw new AppError('LINK_TARGET_UNAVAILABLE', 'the phone number belongs to a banned account');
    const source: LinkSource = caller
      ? linkSourceOf(caller, await deps.store.identitiesOf([caller.user._id]))
      : // No account yet: what would move is this WeChat itself.
        { callerKey: keys.openid, user: { _id: '' } satisfies UserDoc, keys: keys.all };
    return { found: 'account', offer: await linkOffer(source, live, phoneKey, deps, now) };
  }
  const offer = await bindingOffer(keys.openid, caller?.user._id ?? '', phoneKey, deps, now);
  return {
    found: 'none',
    maskedPhoneNumber: maskPhoneNumber(verified),
    hasAccount: caller !== null,
    ...offer,
  };
}
