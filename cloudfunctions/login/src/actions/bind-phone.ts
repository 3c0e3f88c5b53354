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
import { activeBan, assertNoActiveBan } from '../rules/ban';
import type { BindPhoneData, ErrorCode, PhoneCheckKind } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { EXPIRED_TICKET_GRACE_MS, LINK_TICKET_TTL_MS, linkTicketId, newLinkTicket } from '../rules/link-ticket';
import { planMerge, previewOf } from '../rules/merge-plan';
import { fullPhoneNumber, isPhoneKey, phoneIdentityKey, readBoundPhone } from '../rules/phone';
import { phoneCheckDay, readPhoneCheckKind } from '../rules/phone-check';
import { resolveCaller, type Caller } from './shared/caller';
import { withinLimit } from './shared/rate-limit';
import { AppError } from '../rules/errors';
import { requiredString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';
import { toPublicUser } from '../rules/public-user';
import type { VerifiedPhone } from '../ports';
import type { IdentityDoc, UserDoc } from '../model';

const MAX_CODE_LENGTH = 512;

/** WeChat errcodes of getPhoneNumber and what they mean to the person. Anything else is INTERNAL. */
const PHONE_ERRORS: Readonly<Record<number, { code: ErrorCode; message: string }>> = {
  40029: { code: 'PHONE_CODE_INVALID', message: 'the phone code is invalid, expired or used; ask again' },
  45009: { code: 'PHONE_QUOTA_EXCEEDED', message: 'the daily quota of the phone number API is used up' },
  45011: { code: 'PHONE_QUOTA_EXCEEDED', message: 'the per-minute quota of the phone number API is used up' },
  // The paid component's quota (trial 1000 calls, then resource packs) is exhausted. WeChat usually
  // says so in the button's callback already (errno 1400001, no code); this is the server's echo.
  1400001: { code: 'PHONE_QUOTA_EXCEEDED', message: 'the phone number component has no quota left' },
  48001: { code: 'PHONE_NOT_PERMITTED', message: 'this mini-program may not use the phone number API (certification / payment)' },
  48004: { code: 'PHONE_NOT_PERMITTED', message: 'the phone number API is banned for this mini-program' },
  40013: { code: 'PHONE_NOT_PERMITTED', message: 'the appid is not allowed to use the phone number API' },
};

export async function bindPhone(identity: WxIdentity, event: Record<string, unknown>, deps: Deps): Promise<BindPhoneData> {
  const code = requiredString(event, 'code', MAX_CODE_LENGTH);
  const kind = readPhoneCheckKind(event.kind);
  if (!kind) throw new AppError('INVALID_ARGUMENT', 'kind must be quick or realtime');
  // Every getPhoneNumber is billed: counted against the caller's limit before the code is spent.
  const caller = await withinLimit('bindPhone', identity, deps, resolveCaller(identity, deps.store, { now: deps.now() }));
  const userId = caller.user._id;

  const [answer, owned] = await Promise.all([deps.phone.getPhoneNumber(code), deps.store.identitiesOf([userId])]);
  if (!answer.ok) {
    const known = PHONE_ERRORS[answer.errcode];
    if (known) throw new AppError(known.code, known.message);
    throw new Error(`getPhoneNumber failed: ${answer.errcode} ${answer.message}`);
  }
  // Recorded alongside the bind (one more write in the same round trip), awaited before answering.
  const recorded = recordPhoneCheck(kind, deps);
  try {
    return await bindVerified(answer.value, caller, owned, deps);
  } finally {
    await recorded;
  }
}

/** One audit entry per billed success; a failure to write it is logged, never the person's problem. */
async function recordPhoneCheck(kind: PhoneCheckKind, deps: Deps): Promise<void> {
  const at = deps.now();
  await deps.store
    .putAudit({ _id: `phone-check:${deps.randomToken()}`, type: 'phone-check', at, day: phoneCheckDay(at), kind })
    .catch((error: unknown) => deps.warn('recording a phone check failed; phone-usage will miss it', error));
}

async function bindVerified(verified: VerifiedPhone, caller: Caller, owned: IdentityDoc[], deps: Deps): Promise<BindPhoneData> {
  const userId = caller.user._id;
  const phone = checkedPhone(verified);
  const key = phoneIdentityKey(phone);
  const now = deps.now();

  let owner: string;
  try {
    owner = await deps.store.claimIdentity(key, userId, now);
  } catch (error) {
    // A failed claim may still have landed (the insert applied, its answer lost on the way back).
    throw await released(key, userId, deps, error);
  }
  if (owner !== userId) {
    const holder = await deps.store.getUser(owner);
    if (holder && holder.status !== 'merged') {
      if (activeBan(holder, now)) throw new AppError('LINK_TARGET_UNAVAILABLE', 'the phone number belongs to a banned account');
      throw await offerLink(caller, holder, key, owned, deps, now);
    }
  }
  let user: UserDoc;
  try {
    user = await attachPhone(userId, phone, key, owner, owned, deps, now);
  } catch (error) {
    throw await released(key, userId, deps, error);
  }
  return { user: toPublicUser(user, now), phoneNumber: fullPhoneNumber(phone) };
}

/**
 * After any failure from the claim on, the number may point at the caller while the caller's
 * document does not show it: someone else proving the number would then be offered a link into
 * this account. Undo that, so a failed bind leaves nothing behind (the person simply binds again),
 * and hand back the original error.
 */
async function released(key: string, userId: string, deps: Deps, error: unknown): Promise<unknown> {
  await releaseUnattached(key, userId, deps).catch((releaseError: unknown) =>
    deps.warn('releasing an unattached phone identity failed; the next bind completes it', releaseError),
  );
  return error;
}

/** Removes the number's identity if it points at `userId` while that user does not list it. */
async function releaseUnattached(key: string, userId: string, deps: Deps): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if ((await tx.getIdentity(key))?.userId !== userId) return;
    if ((await tx.getUser(userId))?.identityKeys?.includes(key)) return;
    await tx.removeIdentity(key);
  });
}

function checkedPhone(phone: VerifiedPhone): VerifiedPhone {
  if (!/^\d{1,4}$/.test(phone.countryCode) || !/^\d{4,20}$/.test(phone.purePhoneNumber)) {
    throw new Error('getPhoneNumber answered a malformed number');
  }
  return phone;
}

/**
 * In one transaction: the number's identity points at the user (taken over from a dead holder if
 * need be), any previous number of the user is released, and the user document lists the key and
 * holds the number. Before this commits, a retry simply does it again.
 */
async function attachPhone(
  userId: string,
  phone: VerifiedPhone,
  key: string,
  claimedOwner: string,
  owned: IdentityDoc[],
  deps: Deps,
  now: Date,
): Promise<UserDoc> {
  return deps.store.transaction(async (tx) => {
    const user = await tx.getUser(userId);
    if (!user || user.status === 'merged') throw new AppError('USER_NOT_FOUND', 'the user disappeared (deleted or linked meanwhile)');
    assertNoActiveBan(user, now);

    const identity = await tx.getIdentity(key);
    if (identity?.userId !== userId) {
      // Someone else got the number between our claim and now: let the retry offer a link.
      if (identity && identity.userId !== claimedOwner) throw new Error(`phone identity changed hands during bindPhone`);
      const movedFrom = identity ? { movedFrom: identity.userId, movedAt: now } : {};
      await tx.putIdentity({ _id: key, userId, provider: 'phone', createdAt: now, ...movedFrom });
    }

    const previous = readBoundPhone(user.boundPhone);
    const stale = [
      ...new Set(
        [...(user.identityKeys ?? []), ...owned.map((doc) => doc._id), previous?.key ?? ''].filter((k) => isPhoneKey(k) && k !== key),
      ),
    ];
    for (const staleKey of stale) {
      // Transaction operations run one after another: MongoDB sessions take no parallel operations.
      if ((await tx.getIdentity(staleKey))?.userId === userId) await tx.removeIdentity(staleKey);
    }
    const boundPhone = { ...phone, key, boundAt: previous?.key === key ? previous.boundAt : now };
    const identityKeys = [...(user.identityKeys ?? []).filter((k) => k !== key && !stale.includes(k)), key];
    await tx.updateUser(userId, { set: { boundPhone, identityKeys } });
    return { ...user, boundPhone, identityKeys };
  });
}

/** Stores a ticket for linking the caller's account into `target`, and returns the refusal carrying it. */
async function offerLink(
  caller: Caller,
  target: UserDoc,
  phoneKey: string,
  owned: IdentityDoc[],
  deps: Deps,
  now: Date,
): Promise<AppError> {
  const sourceKeys = [...new Set([...(caller.user.identityKeys ?? []), ...owned.map((doc) => doc._id)])];
  const plan = planMerge(caller.user, target, sourceKeys);
  const ticket = newLinkTicket(deps.randomToken());
  const expiresAt = new Date(now.getTime() + LINK_TICKET_TTL_MS);
  await Promise.all([
    deps.store.insertLinkTicket({
      _id: linkTicketId(ticket),
      callerKey: caller.keys.openid,
      fromUserId: caller.user._id,
      toUserId: target._id,
      phoneKey,
      createdAt: now,
      expiresAt,
      usedAt: null,
    }),
    // Housekeeping in the same round trip, so the collection does not grow with old offers.
    deps.store
      .removeExpiredLinkTickets(new Date(now.getTime() - EXPIRED_TICKET_GRACE_MS))
      .catch((error: unknown) => deps.warn('removing expired link tickets failed', error)),
  ]);
  return new AppError(
    'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
    'this phone number belongs to another account; confirmLink with the ticket links this WeChat to it',
    { preview: previewOf(plan, target, phoneKey), ticket, expiresAt: expiresAt.getTime() },
  );
}
