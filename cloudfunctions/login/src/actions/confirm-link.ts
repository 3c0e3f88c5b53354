/**
 * confirmLink { ticket }: links the caller's account into the account that holds the phone number
 * (the LinkOffer of bindPhone), as the preview said:
 *   - the caller's identities (WeChat keys, anything else it had) move to the target; a phone
 *     number of the caller is released because the target's is kept (merge-plan.ts);
 *   - profile fields: the target's values win, empty ones are filled;
 *   - the caller's old account is kept, marked `status: 'merged', mergedInto` — nothing deleted;
 *   - an audit entry records who was merged into whom, what moved and what was filled;
 *   - the target keeps a notice for its holder, who was not asked: their next login answers it
 *     once (rules/link-notice.ts).
 *
 * Ticket checks, in this order, each with its own code: well-formed and known (LINK_TICKET_INVALID),
 * issued to this WeChat identity (LINK_TICKET_NOT_YOURS), unused (LINK_TICKET_USED), unexpired
 * (LINK_TICKET_EXPIRED), still describing the accounts as they are (LINK_TICKET_INVALID).
 *
 * Tickets of findAccountByPhone (the login page's 「用手机号找回账号」, asked without an account):
 *   - `fromUserId` '' — this WeChat had no account when the offer was made: the account it has now
 *     stands in, if it was created after the offer (the client's login right before this call);
 *   - `toUserId` '' — nobody held the verified number and the person chose to keep it: it is bound
 *     to the caller's account (bindPhone's bind, no second billed check), then the ticket is used.
 *
 * Crash safety: every write — identities re-pointed, both users, the ticket marked used, the audit
 * entry — is one transaction, and the ticket is re-checked inside it. A fault anywhere before the
 * commit leaves everything as it was and the same ticket works again; after the commit the link is
 * complete and the ticket is used. There is no state in between in which an identity points at a
 * user that does not list it, or at nothing.
 *
 * Per-user data of other functions (notes, …) moves after the commit (queries exist only outside a
 * transaction). The transaction records the move as pending on the target (`pendingDataMoves`),
 * and only a finished move takes it off: a move that fails is answered INTERNAL, never OK, and
 * the same call again (the ticket is used by then, but the caller's account is its target and
 * still owes the move) finishes it and answers OK; so does the person's next login
 * (shared/account-cleanup.ts). A finished move goes on `lateDataMoves`: until the link's late-write
 * window has passed (server-auth late-write.ts) the logins move again. Until then the data stays under the merged account's id, which the
 * export lists and 注销 removes.
 */
import { activeBan, assertNoActiveBan } from '../rules/ban';
import type { PublicUser } from '../../../../typings/contract';
import type { Deps } from '../ports';
import { providerOf } from '../rules/identity-summary';
import { isLinkTicket, linkTicketId } from '../rules/link-ticket';
import { withLinkNotice } from '../rules/link-notice';
import { planMerge } from '../rules/merge-plan';
import { finishDataMoves, pendingList } from './shared/account-cleanup';
import { withFreshAvatarUrl } from './shared/avatar-url';
import { resolveCaller, type Caller } from './shared/caller';
import { withinLimit } from './shared/rate-limit';
import { AppError } from '../rules/errors';
import { requiredString } from '../rules/event-fields';
import type { WxIdentity } from '../rules/identity';
import { toPublicUser } from '../rules/public-user';
import { parsePhoneKey } from '../rules/phone';
import { bindVerified } from './shared/phone-binding';
import type { IdentityDoc, LinkTicketDoc, UserDoc } from '../model';
import type { StoreTransaction } from '../ports';

const MAX_TICKET_LENGTH = 128;

export async function confirmLink(identity: WxIdentity, event: Record<string, unknown>, deps: Deps): Promise<{ user: PublicUser }> {
  const ticket = requiredString(event, 'ticket', MAX_TICKET_LENGTH);
  if (!isLinkTicket(ticket)) throw new AppError('LINK_TICKET_INVALID', 'malformed link ticket');
  const ticketId = linkTicketId(ticket);

  const [caller, record] = await Promise.all([
    withinLimit('confirmLink', deps, resolveCaller(identity, deps.store, { now: deps.now() })),
    deps.store.getLinkTicket(ticketId),
  ]);
  const now = deps.now();
  if (isLinkAwaitingItsData(record, caller)) {
    // The link committed earlier but its data move did not finish: this retry finishes it.
    await finishDataMoves(caller.user, deps);
    return { user: toPublicUser(await withFreshAvatarUrl(caller.user, now, avatarDeps(deps)), now) };
  }
  const valid = checkTicket(record, caller, now);
  const owned = await deps.store.identitiesOf([caller.user._id]);
  if (valid.toUserId === '') return bindFromTicket(ticketId, valid, caller, owned, deps);

  const linked = await deps.store.transaction((tx) => link(tx, ticketId, caller, valid, owned, now));
  // Per-user data of other functions (notes, …) joins the account too: queries, so after the
  // commit. A failure is answered (INTERNAL) and stays recorded on the target for the retry.
  await deps.userData.moveAll(caller.user._id, linked._id);
  // Moved, but a late write can still land under the merged id until the link's late-write window
  // has passed: the logins until then move again (lateDataMoves, shared/account-cleanup.ts).
  await deps.store
    .updateUser(linked._id, { pullFromLists: { pendingDataMoves: [caller.user._id] }, addToLists: { lateDataMoves: [caller.user._id] } })
    .catch((error: unknown) => deps.warn('recording a finished data move failed; the next login repeats it', error));
  const shown = await withFreshAvatarUrl(linked, now, avatarDeps(deps));
  return { user: toPublicUser(shown, now) };
}

function avatarDeps(deps: Deps) {
  return { files: deps.files, save: (id: string, fields: Partial<UserDoc>) => deps.store.updateUser(id, { set: fields }), warn: deps.warn };
}

/** A used ticket of this caller whose link landed in the caller's account and whose data move is still owed. */
function isLinkAwaitingItsData(record: LinkTicketDoc | null, caller: Caller): record is LinkTicketDoc {
  return (
    record !== null &&
    record.usedAt !== null &&
    record.callerKey === caller.keys.openid &&
    record.toUserId === caller.user._id &&
    pendingList(caller.user.pendingDataMoves).includes(record.fromUserId)
  );
}

/** The ticket's record if `caller` may use it now; otherwise the refusal. */
export function checkTicket(record: LinkTicketDoc | null, caller: Caller, now: Date): LinkTicketDoc {
  if (!record) throw new AppError('LINK_TICKET_INVALID', 'unknown link ticket');
  if (record.callerKey !== caller.keys.openid) throw new AppError('LINK_TICKET_NOT_YOURS', 'this link ticket was issued to someone else');
  if (record.usedAt) throw new AppError('LINK_TICKET_USED', 'this link ticket was already used');
  if (!(record.expiresAt instanceof Date) || record.expiresAt.getTime() <= now.getTime()) {
    throw new AppError('LINK_TICKET_EXPIRED', 'this link ticket has expired; bind the phone number again');
  }
  if (record.fromUserId !== caller.user._id && !(record.fromUserId === '' && createdSince(caller.user, record.createdAt))) {
    throw new AppError('LINK_TICKET_INVALID', 'the account changed since the ticket was issued');
  }
  return record;
}

/** True when `user` was created at or after `at`: the account a guest offer's confirming login made. */
function createdSince(user: UserDoc, at: Date): boolean {
  return user.createdAt instanceof Date && at instanceof Date && user.createdAt.getTime() >= at.getTime();
}

/** A 'none' ticket of findAccountByPhone: bind its verified number, then spend the ticket. */
async function bindFromTicket(ticketId: string, ticket: LinkTicketDoc, caller: Caller, owned: IdentityDoc[], deps: Deps) {
  const phone = parsePhoneKey(ticket.phoneKey);
  if (!phone) throw new AppError('LINK_TICKET_INVALID', 'the ticket names no phone number');
  // Binding the same number again changes nothing, so a double tap binds once; the ticket is spent after.
  const { user } = await bindVerified(phone, caller, owned, deps);
  await deps.store.markLinkTicketUsed(ticketId, deps.now());
  return { user };
}

/**
 * The link itself, inside the transaction. Operations run one after another: a MongoDB session
 * (what a CloudBase transaction is) does not take parallel operations.
 */
async function link(
  tx: StoreTransaction,
  ticketId: string,
  caller: Caller,
  ticket: LinkTicketDoc,
  owned: IdentityDoc[],
  now: Date,
): Promise<UserDoc> {
  // Again inside the transaction: a concurrent confirmLink with the same ticket loses here or on conflict.
  checkTicket(await tx.getLinkTicket(ticketId), caller, now);
  // A guest offer ('' : no account when it was made) links the account this WeChat has now (checkTicket).
  const source = await tx.getUser(ticket.fromUserId || caller.user._id);
  if (!source || source.status === 'merged' || source.status === 'deleting')
    throw new AppError('LINK_TICKET_INVALID', 'the account was already linked or deleted');
  assertNoActiveBan(source, now);
  const target = await tx.getUser(ticket.toUserId);
  if (!target || target.status === 'merged' || activeBan(target, now) || target.status === 'deleting' || target.status === 'importing') {
    throw new AppError('LINK_TARGET_UNAVAILABLE', 'the account to link into is banned or no longer exists');
  }
  const phoneIdentity = await tx.getIdentity(ticket.phoneKey);
  if (phoneIdentity?.userId !== target._id) throw new AppError('LINK_TICKET_INVALID', 'the phone number no longer belongs to that account');

  // What the source really owns: listed keys and identities pointing at it, confirmed one by one.
  const candidates = [...new Set([...(source.identityKeys ?? []), ...owned.map((doc) => doc._id)])];
  const sourceIdentities = new Map<string, IdentityDoc>();
  for (const key of candidates) {
    const doc = await tx.getIdentity(key);
    if (doc?.userId === source._id) sourceIdentities.set(key, doc);
  }
  const plan = planMerge(source, target, [...sourceIdentities.keys()]);

  for (const key of plan.movedKeys) {
    const doc = sourceIdentities.get(key);
    await tx.putIdentity({
      _id: key,
      userId: target._id,
      provider: doc?.provider ?? key.slice(0, key.indexOf(':')),
      createdAt: doc?.createdAt instanceof Date ? doc.createdAt : now,
      movedFrom: source._id,
      movedAt: now,
    });
  }
  for (const key of plan.releasedKeys) await tx.removeIdentity(key);
  // The holder was not asked: their next login tells them (rules/link-notice.ts).
  const linkNotices = withLinkNotice(target.linkNotices, now, plan.movedKeys);
  // The per-user data move is owed from this commit on (finished after it, shared/account-cleanup.ts).
  await tx.updateUser(target._id, { set: { ...plan.targetSet, linkNotices }, addToLists: { pendingDataMoves: [source._id] } });
  await tx.updateUser(source._id, {
    set: { status: 'merged', mergedInto: target._id, mergedAt: now, identityKeys: [] },
    remove: ['boundPhone'],
  });
  await tx.markLinkTicketUsed(ticketId, now);
  await tx.putAudit({
    _id: `link:${ticketId}`,
    type: 'account-linked',
    at: now,
    fromUserId: source._id,
    toUserId: target._id,
    movedProviders: plan.movedKeys.map(providerOf),
    releasedProviders: plan.releasedKeys.map(providerOf),
    filledFields: plan.filledFields,
  });
  return { ...target, ...plan.targetSet, linkNotices, pendingDataMoves: [...pendingList(target.pendingDataMoves), source._id] };
}
