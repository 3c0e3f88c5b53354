/**
 * The database as the account actions (profile, phone, linking, unlinking, deletion) see it. The
 * only implementation touching wx-server-sdk is cloudbase-account-store.ts; tests also run the
 * actions against an in-memory one.
 *
 * Data model, besides `users` and `identities` (user-store.ts):
 * - identities: phone numbers join as `phone:+<cc>:<number>` keys, claimed like WeChat keys
 *               (UserStore.claimIdentity). A key moved by a link records `movedFrom` / `movedAt`.
 * - link_tickets: `_id` = SHA-256 of the ticket (accounts/link-ticket.ts); who may use it
 *               (`callerKey`), what it links (`fromUserId` -> `toUserId`, proved by `phoneKey`),
 *               `expiresAt`, `usedAt`.
 * - account_audit: one entry per link or deletion; user ids, provider names, field names and
 *               counts only — no profile data, no phone numbers, no openids.
 * All four must be readable and writable by cloud functions only (ADMINONLY, 仅管理端可读写):
 * whoever can write `identities` can sign in as anyone.
 *
 * Multi-document changes (a link, an unlink, a deletion, binding a phone) run in a transaction:
 * all of it or none of it, so a fault in the middle followed by a retry never leaves an identity
 * pointing at a user that does not hold it. Inside a transaction only single-document operations
 * exist (CloudBase's rule); queries happen before it.
 */
import type { ProfileField } from '../../../../typings/contract';
import type { UserDoc } from './user-store';

export interface IdentityDoc {
  /** The identity key. */
  _id: string;
  userId: string;
  provider?: string;
  createdAt?: Date;
  movedFrom?: string;
  movedAt?: Date;
}

export interface LinkTicketDoc {
  _id: string;
  /** The identity key (this app's openid key) of the only caller who may use it. */
  callerKey: string;
  fromUserId: string;
  toUserId: string;
  /** The phone identity that proved the link; must still point at toUserId when it is used. */
  phoneKey: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export type AuditEntry =
  | {
      _id: string;
      type: 'account-linked';
      at: Date;
      fromUserId: string;
      toUserId: string;
      movedProviders: string[];
      releasedProviders: string[];
      filledFields: ProfileField[];
    }
  | {
      _id: string;
      type: 'account-deleted';
      at: Date;
      userId: string;
      identityCount: number;
      mergedAccountCount: number;
    };

/** Fields to write and fields to remove; `identityKeys` in `set` replaces the whole list. */
export interface UserChange {
  set?: Partial<Omit<UserDoc, '_id'>>;
  unset?: string[];
}

/** Single-document operations inside a transaction; reads see the transaction's own writes. */
export interface AccountTransaction {
  getUser(id: string): Promise<UserDoc | null>;
  getIdentity(key: string): Promise<IdentityDoc | null>;
  getLinkTicket(id: string): Promise<LinkTicketDoc | null>;
  updateUser(id: string, change: UserChange): Promise<void>;
  removeUser(id: string): Promise<void>;
  /** Creates or replaces the identity document `identity._id`. */
  putIdentity(identity: IdentityDoc): Promise<void>;
  removeIdentity(key: string): Promise<void>;
  markLinkTicketUsed(id: string, at: Date): Promise<void>;
  /** Creates or replaces the entry (its `_id` is derived from the event, so a retry writes it once). */
  putAudit(entry: AuditEntry): Promise<void>;
}

export interface AccountStore {
  /** Users whose identityKeys hold any of `keys`, in no particular order (usually one). */
  findUsersByIdentity(keys: string[]): Promise<UserDoc[]>;
  getUser(id: string): Promise<UserDoc | null>;
  /** The identity documents pointing at any of `userIds`. */
  identitiesOf(userIds: string[]): Promise<IdentityDoc[]>;
  /** Users merged into `userId` (status 'merged'). */
  usersMergedInto(userId: string): Promise<UserDoc[]>;
  /** Applies the change outside any transaction; false when there is no such user. */
  updateUser(id: string, change: UserChange): Promise<boolean>;
  insertLinkTicket(ticket: LinkTicketDoc): Promise<void>;
  getLinkTicket(id: string): Promise<LinkTicketDoc | null>;
  /** Removes the tickets issued from or to `userId` (they name its id). */
  removeLinkTicketsOf(userId: string): Promise<void>;
  /** Removes tickets that expired before `before` (used or not: past expiry they are only refused). */
  removeExpiredLinkTickets(before: Date): Promise<void>;
  /** Removes tutorial-style documents of `openid` that were never adopted (no identityKeys). */
  removeLegacyUsers(openid: string): Promise<void>;
  /**
   * Runs `work` in a transaction: commits when it resolves, rolls back when it throws (and rethrows).
   * On a write conflict with a concurrent writer it runs `work` again from the start, a few times.
   */
  transaction<T>(work: (tx: AccountTransaction) => Promise<T>): Promise<T>;
}
