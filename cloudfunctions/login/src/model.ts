/**
 * The login function's data model: what it keeps in the CloudBase database and why it is safe.
 *
 * Collections (names overridable through USERS_COLLECTION, IDENTITIES_COLLECTION,
 * LINK_TICKETS_COLLECTION, AUDIT_COLLECTION, RATE_LIMITS_COLLECTION):
 * - users:         one document per person (UserDoc). `identityKeys` lists every identity key
 *                  (rules/identity.ts) that signs in to it, so a returning login finds and stamps its
 *                  user with one request keyed by the identity. `wechatPairs` records which openid
 *                  key came with which unionid key, so that the keys group into WeChat accounts. Legacy documents written by the
 *                  common tutorial pattern carry `_openid` / `openid` and no `identityKeys` until a
 *                  login adopts them. A user linked into another keeps its document with status
 *                  'merged' and `mergedInto`; it holds no keys and is never signed in to.
 * - identities:    `_id` = identity key, `userId` = owner (IdentityDoc). WeChat keys
 *                  (`wx-openid:<appid>:<openid>`, `wx-unionid:<unionid>`) and phone keys
 *                  (`phone:+<cc>:<number>`). `users.identityKeys` is the lookup copy of it.
 * - link_tickets:  `_id` = SHA-256 of the ticket handed to the caller (rules/link-ticket.ts): who
 *                  may use it, what it links, the phone key that proved it, expiry, use.
 * - account_audit: one entry per link or deletion; user ids, provider names, field names and counts
 *                  only: no profile data, no phone numbers, no openids. Also one entry per successful
 *                  paid phone check (which kind, which day; no user, no number): what
 *                  `npm run admin -- phone-usage` counts (rules/phone-check.ts).
 * - rate_limits:   one counter per caller + limited action + time window (RateLimitDoc,
 *                  rules/rate-limit.ts): the person appears only as a hash of their account's key,
 *                  and a document past its `resetAt` means nothing (deleting it is always safe).
 *
 * Why first login is race-safe: `_id` is unique in every CloudBase collection with no setup, so
 * inserting the identities document *is* the claim. Of many simultaneous first logins exactly one
 * insert wins; the others get a duplicate key, read the winner's `userId` and sign in to it. A user
 * is only ever created under an id an identity points to, so there is never a second user for one
 * identity, and never an identity pointing at nothing once a login has succeeded.
 *
 * Why ADMINONLY (仅管理端可读写): whoever can write `identities` can sign in as anyone, and whoever
 * can write `link_tickets` can take over an account. All four collections must be readable and
 * writable by cloud functions only (rate_limits too: whoever can write it can lift their own limits). A document written from a mini-program always carries
 * `_openid` (the platform sets it, the client cannot leave it out) while this function, writing as
 * admin, never does: such a document in identities or link_tickets is never trusted
 * (cloudbase/client-written.ts). Every stored document is read through a guard; a document of the
 * wrong shape (hand-edited, written by another version) reads as absent.
 *
 * Which users document is the caller's (the trust rule; the function must stay safe when `users`
 * is client-writable, which it is whenever the function had to create it): the identities
 * collection decides, because only this function writes it. A users document is the caller's
 * account only if
 * - an identity document of the caller (not client-written) points at it, or
 * - no client wrote it (no `_openid`: this function or an admin did), or
 * - it is a not-adopted legacy document (no identityKeys) the caller wrote itself: its `_openid` is
 *   the caller's own openid and its `openid` field, if any, says the same.
 * So `identityKeys` on a client-written document proves nothing (anyone can plant
 * `{ identityKeys: [<victim's key>] }`), and a document whose `openid` differs from its `_openid`
 * was written by someone else about that openid: never adopted, stamped, scrubbed or removed for
 * it (a planted `{ openid: victim, status: 'banned' }` must not ban the victim). An adopted legacy
 * document keeps its `_openid` but is vouched for by the identities its adoption claimed; from then
 * on the function owns it. The Store applies the rule itself: stampAndFind and findUsersByIdentity
 * read the caller's identity documents in the same round trip and answer only trusted users, and
 * the login stamp never lands on a document another client wrote. What it cannot undo: a client
 * updating a document it created (an adopted legacy one, under a creator-may-write permission)
 * after adoption — which is why `users` must still be ADMINONLY.
 *
 * Transactions: multi-document changes (a link, an unlink, a deletion, binding a phone) run in one,
 * all of it or none of it, so a fault in the middle followed by a retry never leaves an identity
 * pointing at a user that does not hold it. Inside a transaction only single-document operations
 * exist (CloudBase's rule); queries happen before it (ports.ts, StoreTransaction).
 */
import type { BanReason, PhoneCheckKind, ProfileField } from '../../../typings/contract';
import type { LinkNotice } from './rules/link-notice';
import type { PushEvent } from './rules/wechat-push';

/**
 * 'merged': the account was linked into `mergedInto` (see actions/confirm-link.ts); kept, never signed in to.
 * 'deleting': deleteAccount has begun (actions/delete-account.ts); logins neither stamp nor sign in to it, and
 * no account is linked into it, so nothing writes the document while the deletion's transaction runs.
 * 'importing': written by `npm run admin -- import` (scripts/lib/admin/import/importer.ts) and not usable yet:
 * no action acts under it (USER_NOT_FOUND) until the import's final check — was this id deleted (注销) while
 * the import ran? — activates it (status `activatesAs`) or removes it. The login makes the same check for
 * the one account it meets (actions/shared/imported-account.ts), so a crashed import strands nobody.
 */
export type UserStatus = 'active' | 'banned' | 'merged' | 'deleting' | 'importing';

/** A phone number verified by WeChat (actions/bind-phone.ts). Its identity key is claimed like a WeChat one. */
export interface BoundPhone {
  countryCode: string;
  purePhoneNumber: string;
  /** The identity key, `phone:+<countryCode>:<purePhoneNumber>`. */
  key: string;
  boundAt: Date;
}

export interface UserDoc {
  _id: string;
  identityKeys?: string[];
  status?: UserStatus;
  nickName?: string;
  /**
   * A displayable URL. For an avatar in cloud storage (`avatarFileID`), a cached temporary URL that
   * is valid until `avatarUrlExpiresAt` (see actions/shared/avatar-url.ts); for legacy documents, whatever was stored.
   */
  avatarUrl?: string;
  /** `cloud://<env>.<bucket>/avatars/<userId>/...`, set by updateProfile. */
  avatarFileID?: string;
  avatarUrlExpiresAt?: Date;
  boundPhone?: BoundPhone;
  /** With status 'banned': when the ban ends by itself (absent: until an operator lifts it). */
  bannedUntil?: Date;
  /** With status 'banned': why, one of BAN_REASONS. */
  banReason?: BanReason;
  /** With status 'merged': the user this one was merged into. */
  mergedInto?: string;
  mergedAt?: Date;
  createdAt?: Date;
  lastLoginAt?: Date;
  loginCount?: number;
  /**
   * Identity keys of this person that another live user already holds (two accounts of one person
   * are never merged silently): remembered so that logins stop trying to claim them.
   */
  keysHeldElsewhere?: string[];
  /** Links into this account by its phone number that its holder has not been told of yet (rules/link-notice.ts). */
  linkNotices?: LinkNotice[];
  /**
   * Which openid key was seen with which unionid key in one getWXContext (login records it): what
   * makes the account's WeChat keys into WeChat accounts, one per person (rules/identity-summary.ts).
   * Documents from before it read as none; the next login of each WeChat adds its pair.
   */
  wechatPairs?: WechatPair[];
  /**
   * The person's last large personal-data export (`cloud://<env>.<bucket>/exports/<userId>/…`,
   * actions/export-my-data.ts): replaced by the next one, deleted with the account.
   */
  personalDataFileID?: string;
  /**
   * Files of this person the function must still delete (a replaced export or avatar, a refused
   * upload) whose deletion was not confirmed: recorded in the same write that replaced them, removed
   * once they are gone; retried by the next export, the next avatar change, and deleted with the
   * account (actions/shared/account-cleanup.ts).
   */
  filesToDelete?: string[];
  /**
   * Cloud paths (`exports/<userId>/…`, `avatars/<userId>/…`) a file may be uploaded to that the
   * account does not name yet: written BEFORE the upload (an export, an avatar upload the page was
   * handed), taken off in the write that records the file (the export, the saved avatar). A crash
   * between the upload and that write leaves the path listed, and 注销 deletes whatever lies there
   * (a path nothing was uploaded to counts as done): actions/shared/account-deletion.ts.
   */
  pendingUploads?: string[];
  /**
   * Accounts linked into this one whose per-user data (notes, …) was not confirmed moved here yet:
   * written by confirmLink's transaction, removed once the move is done; finished by a retry of
   * confirmLink and by the next login (actions/shared/account-cleanup.ts).
   */
  pendingDataMoves?: string[];
  /**
   * Accounts linked into this one whose data was moved before the link's late-write window
   * (`mergedAt` + server-auth LATE_WRITE_WINDOW_MS) had passed: a protected function's write whose
   * after-write check never finished can still land under the merged id. Moved again by each login
   * until a move that began after the window takes it off (actions/shared/account-cleanup.ts).
   */
  lateDataMoves?: string[];
  /** With status 'importing': the status the account gets once the import's final check activates it. */
  activatesAs?: 'active' | 'banned';
  /** Id of the login that last wrote lastLoginAt: tells whether a parallel read saw our write. */
  lastLoginId?: string;
  /** Legacy tutorial fields (read for adoption, never returned). */
  _openid?: string;
  openid?: string;
  userInfo?: { nickName?: unknown; avatarUrl?: unknown };
  [field: string]: unknown;
}

/** An openid key and the unionid key WeChat answered with it (both `identities` keys). */
export interface WechatPair {
  openidKey: string;
  unionidKey: string;
}

export interface LoginStamp {
  id: string;
  at: Date;
}

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
      /**
       * When the per-user data move finished: the first move that began after the link's late-write
       * window (actions/shared/account-cleanup.ts). Absent while it is owed, and on older entries.
       */
      dataMovedAt?: Date;
    }
  | {
      _id: string;
      type: 'account-deleted';
      at: Date;
      userId: string;
      identityCount: number;
      mergedAccountCount: number;
      /**
       * Avatar and export files of the deleted documents, deleted only after the commit; what is
       * still listed here was not confirmed gone (a crash or a storage fault between commit and
       * file deletion).
       */
      pendingFileIDs: string[];
      /**
       * The deleted account ids whose per-user data (PER_USER_COLLECTIONS) is to be removed once
       * more after the commit (a write in flight during the deletion); what is still listed was
       * not confirmed removed, or the removal has not yet run after `lateWritesUntil`. Absent on
       * entries from before it was recorded.
       */
      pendingUserIds?: string[];
      /**
       * Until when a write of a protected function that resolved the user before the commit can
       * still land (commit + server-auth LATE_WRITE_WINDOW_MS): `pendingUserIds` is removed again,
       * and the entry not finished, until a removal has run after it. Absent on older entries
       * (`at` + the window is used).
       */
      lateWritesUntil?: Date;
      /**
       * The files at the upload paths the deleted accounts listed (`pendingUploads`: an export or an
       * avatar upload announced before it was made). An upload still in flight when the deletion
       * committed lands after the first delete, so they are deleted once more after
       * `lateWritesUntil` (longer than any function's time limit) and stay listed until then.
       * Absent on older entries.
       */
      lateUploadFileIDs?: string[];
      /** When nothing was pending any more (files and per-user data); null while something is. Absent on older entries. */
      finishedAt?: Date | null;
      /**
       * What was still pending when the deletion answered (files, accounts' per-user data), kept
       * after later sweeps finish it; absent when its own cleanup could not even be recorded.
       */
      leftWhenAnswered?: { files: number; userData: number };
    }
  | {
      /** An operator's change through `npm run admin` (scripts/lib/admin/): who, when, what — no personal data. */
      _id: string;
      type: 'admin-action';
      at: Date;
      /** The operator's name (--operator, else the OS user). */
      operator: string;
      /**
       * 'delete': the account was deleted on request (its own `account-deleted` entry says what went);
       * 'export': its personal data was exported (`npm run admin -- export`).
       */
      action: 'ban' | 'unban' | 'delete' | 'export';
      userId: string;
      reason?: BanReason;
      /** ban: when it ends by itself; null for a ban until lifted. */
      until?: Date | null;
    }
  | WechatPushAuditEntry
  | {
      /**
       * One phone number WeChat verified for bindPhone (a billed success). Names nobody: no user
       * id, no number, so it is no one's personal data and outlives every account.
       */
      _id: string;
      type: 'phone-check';
      at: Date;
      /** The China-time day of `at`, `2026-12-07` (WeChat bills by it): what the admin report groups by. */
      day: string;
      kind: PhoneCheckKind;
    };

/**
 * A WeChat push (授权用户信息变更) that changed an account (actions/apply-wechat-push.ts). `_id` is
 * derived from the message (rules/wechat-push.ts, pushAuditId), so a retried push is recorded once.
 * Field names and counts only: never the openid, the nickname or the number.
 */
export interface WechatPushAuditEntry {
  _id: string;
  type: 'wechat-push';
  at: Date;
  /** 'push': WeChat's push reached the push function; 'revocation-list': an operator applied WeChat's list. */
  source: 'push' | 'revocation-list';
  event: PushEvent;
  revokeInfo: string[];
  userId: string;
  /** What was removed: 'nickName', 'avatar', 'phone', 'wechat' (that WeChat's identities). */
  cleared: string[];
  /** True when no way in remained and the account was deleted as by 注销 (its own entry says what went). */
  accountDeleted: boolean;
}

/**
 * The audit entry of a deletion; what it lists as pending is finished by the deletion itself, by
 * later deletions and by `npm run admin -- cleanup` (actions/shared/account-deletion.ts).
 */
export type DeletionAuditEntry = Extract<AuditEntry, { type: 'account-deleted' }>;
/**
 * How often one caller used one limited action in one fixed window (rules/rate-limit.ts). `_id` =
 * `<action>:<windowStart ms>:<keyHash>`, so the first use of a window is an insert that only one of
 * many parallel calls wins, and every later one an atomic conditional increment.
 */
export interface RateLimitDoc {
  _id: string;
  action: string;
  /** SHA-256 (base64url) of the person's key (`user:<userId>`): counts a person without naming them. */
  keyHash: string;
  windowStart: Date;
  /** When the window ends and the allowance is whole again. */
  resetAt: Date;
  count: number;
}
