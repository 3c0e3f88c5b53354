/**
 * Link tickets: what PHONE_BELONGS_TO_ANOTHER_ACCOUNT hands out and confirmLink takes back.
 *
 * A ticket is 256 random bits (`lt1_<base64url>`), minted by the server. Everything it stands for
 * — the caller's identity key, the user it would merge from and the one it would merge into, the
 * phone that proved the link, expiry, whether it was used — lives in a `link_tickets` record the
 * client never sees, stored under the SHA-256 of the ticket. So:
 *   - it cannot be forged or pointed at other accounts: the client holds only an unguessable
 *     reference, never a user id (an HMAC over client-visible claims would add a key to generate,
 *     store and rotate for no property this lacks — single use needs the server record anyway);
 *   - it is single use and short-lived by that record, checked again inside the merge transaction;
 *   - a copy of the collection (a backup, the emulator's status page) holds no usable tickets,
 *     only their hashes.
 */
import { createHash } from 'node:crypto';

/** Long enough to read the preview and decide; short enough that a leaked ticket is soon worthless. */
export const LINK_TICKET_TTL_MS = 10 * 60 * 1000;

const TICKET_PREFIX = 'lt1_';
/** 32 random bytes in base64url without padding. */
const TICKET_FORMAT = /^lt1_[A-Za-z0-9_-]{43}$/;

/** `randomBase64Url`: 32 random bytes, base64url-encoded (deps.randomToken). */
export function newLinkTicket(randomBase64Url: string): string {
  const ticket = `${TICKET_PREFIX}${randomBase64Url}`;
  if (!TICKET_FORMAT.test(ticket)) throw new Error('randomToken must give 32 bytes in base64url');
  return ticket;
}

export function isLinkTicket(value: unknown): value is string {
  return typeof value === 'string' && TICKET_FORMAT.test(value);
}

/** The `_id` of the ticket's record. */
export function linkTicketId(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

/** Expired tickets are kept this long (answered LINK_TICKET_EXPIRED / USED), then removed. */
export const EXPIRED_TICKET_GRACE_MS = 24 * 60 * 60 * 1000;
