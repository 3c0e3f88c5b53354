/**
 * What bindPhone and findAccountByPhone share about a phone number WeChat verified: trading the
 * code (phonenumber.getPhoneNumber takes the codes of 快速验证 and 实时验证 alike), recording the
 * billed success, and binding the number to the caller's account — or, when another live account
 * holds it, offering a link (LinkOffer). bindPhone's header says how the bind stays race-safe.
 */
import { settleImportedAccount } from './imported-account';
import { activeBan, assertNoActiveBan } from '../../rules/ban';
import type { BindPhoneData, ErrorCode, LinkOffer, PhoneCheckKind } from '../../../../../typings/contract';
import type { Deps, VerifiedPhone } from '../../ports';
import { EXPIRED_TICKET_GRACE_MS, LINK_TICKET_TTL_MS, linkTicketId, newLinkTicket } from '../../rules/link-ticket';
import { planMerge, previewOf } from '../../rules/merge-plan';
import { fullPhoneNumber, isPhoneKey, phoneIdentityKey, readBoundPhone } from '../../rules/phone';
import { phoneCheckDay } from '../../rules/phone-check';
import type { Caller } from './caller';
import { AppError } from '../../rules/errors';
import { toPublicUser } from '../../rules/public-user';
import type { IdentityDoc, LinkTicketDoc, UserDoc } from '../../model';

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

/** The number WeChat verified for `code`; WeChat's refusal as the person's error code. */
export async function tradePhoneCode(code: string, deps: Pick<Deps, 'phone'>): Promise<VerifiedPhone> {
  const answer = await deps.phone.getPhoneNumber(code);
  if (!answer.ok) {
    const known = PHONE_ERRORS[answer.errcode];
    if (known) throw new AppError(known.code, known.message);
    throw new Error(`getPhoneNumber failed: ${answer.errcode} ${answer.message}`);
  }
  return checkedPhone(answer.value);
}

/** One audit entry per billed success; a failure to write it is logged, never the person's problem. */
export async function recordPhoneCheck(kind: PhoneCheckKind, deps: Deps): Promise<void> {
  const at = deps.now();
  await deps.store
    .putAudit({ _id: `phone-check:${deps.randomToken()}`, type: 'phone-check', at, day: phoneCheckDay(at), kind })
    .catch((error: unknown) => deps.warn('recording a phone check failed; phone-usage will miss it', error));
}

/**
 * Binds the verified number to the caller's account; when another live account holds it, throws
 * PHONE_BELONGS_TO_ANOTHER_ACCOUNT with a link offer (nothing overwritten).
 */
export async function bindVerified(verified: VerifiedPhone, caller: Caller, owned: IdentityDoc[], deps: Deps): Promise<BindPhoneData> {
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
    const stored = await deps.store.getUser(owner);
    // An import's account not activated yet is checked first (activated, or removed as deleted).
    const holder = stored ? await settleImportedAccount(stored, deps) : null;
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

/**
 * The source of a link: the caller's account and the keys pointing at it, or — for a WeChat without
 * an account (findAccountByPhone from the login page) — nothing but this WeChat's own keys.
 */
export interface LinkSource {
  callerKey: string;
  /** '' when this WeChat has no account yet: confirmLink then takes the account its login just created. */
  user: UserDoc;
  keys: string[];
}

/** The source of a link from `caller`'s account. */
export function linkSourceOf(caller: Caller, owned: IdentityDoc[]): LinkSource {
  return {
    callerKey: caller.keys.openid,
    user: caller.user,
    keys: [...new Set([...(caller.user.identityKeys ?? []), ...owned.map((doc) => doc._id)])],
  };
}

/** Stores the ticket's record (and sweeps old ones in the same round trip); answers the ticket. */
async function issueTicket(record: Omit<LinkTicketDoc, '_id' | 'createdAt' | 'expiresAt' | 'usedAt'>, deps: Deps, now: Date) {
  const ticket = newLinkTicket(deps.randomToken());
  const expiresAt = new Date(now.getTime() + LINK_TICKET_TTL_MS);
  await Promise.all([
    deps.store.insertLinkTicket({ _id: linkTicketId(ticket), ...record, createdAt: now, expiresAt, usedAt: null }),
    // Housekeeping in the same round trip, so the collection does not grow with old offers.
    deps.store
      .removeExpiredLinkTickets(new Date(now.getTime() - EXPIRED_TICKET_GRACE_MS))
      .catch((error: unknown) => deps.warn('removing expired link tickets failed', error)),
  ]);
  return { ticket, expiresAt: expiresAt.getTime() };
}

/** Stores a ticket for linking `source` into `target`, and answers the offer the person decides on. */
export async function linkOffer(source: LinkSource, target: UserDoc, phoneKey: string, deps: Deps, now: Date): Promise<LinkOffer> {
  const plan = planMerge(source.user, target, source.keys);
  const issued = await issueTicket({ callerKey: source.callerKey, fromUserId: source.user._id, toUserId: target._id, phoneKey }, deps, now);
  return { preview: previewOf(plan, target, phoneKey), ...issued };
}

/**
 * Stores a ticket for binding a verified number nobody holds to this WeChat's account (toUserId
 * ''): the person was asked first, and confirming does not make WeChat bill a second check.
 */
export function bindingOffer(callerKey: string, fromUserId: string, phoneKey: string, deps: Deps, now: Date) {
  return issueTicket({ callerKey, fromUserId, toUserId: '', phoneKey }, deps, now);
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
  return new AppError(
    'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
    'this phone number belongs to another account; confirmLink with the ticket links this WeChat to it',
    await linkOffer(linkSourceOf(caller, owned), target, phoneKey, deps, now),
  );
}
