/**
 * Every side effect the login function has, as small interfaces: the database (Store), WeChat's
 * open API (PhoneNumberApi, ContentSecurityApi), cloud storage (FileStorage), the clock, ids and
 * logs (Deps). cloudbase/ implements them on wx-server-sdk and index.ts wires them; tests pass
 * in-memory ones (test/cloudfunctions/login/support/), and one conformance suite holds the
 * memory store to the CloudBase one. The data model lives in model.ts.
 */
import type { UserDataStore } from '@wx-cloud-login/server-auth/src/user-data';
import type { IdentityKeys } from './rules/identity';
import type { AuditEntry, DeletionAuditEntry, IdentityDoc, LinkTicketDoc, LoginStamp, RateLimitDoc, UserDoc } from './model';

// ---------------------------------------------------------------------------------------------
// The database
// ---------------------------------------------------------------------------------------------

/**
 * One change to a user document. The fields combine in one write; `identityKeys` given in `set`
 * replaces the whole list, and one patch never both adds to and removes from the same list
 * (one update cannot both push to and pull from a field).
 */
export interface UserPatch {
  /** Plain field values to write. */
  set?: Partial<Omit<UserDoc, '_id'>>;
  /**
   * Fields to delete (e.g. legacy secrets such as session_key, or `boundPhone`); a dotted path
   * (`userInfo.session_key`, `accounts.0.token`) deletes a field at depth, a missing one is no error.
   */
  remove?: string[];
  /** Adds keys to `identityKeys` (a key already there is not repeated). */
  addIdentityKeys?: string[];
  /** Removes keys from `identityKeys`. Never together with addIdentityKeys. */
  removeIdentityKeys?: string[];
  /** Adds keys found held by another live user (UserDoc.keysHeldElsewhere), without repeats. */
  noteKeysHeldElsewhere?: string[];
  /** Records a login: lastLoginAt = stamp.at, lastLoginId = stamp.id, loginCount + 1. */
  stamp?: LoginStamp;
  /** Adds values to the pending-cleanup lists (a value already there is not repeated). */
  addToLists?: Partial<Record<PendingListField, string[]>>;
  /** Removes values from the pending-cleanup lists. Never together with addToLists on the same list. */
  pullFromLists?: Partial<Record<PendingListField, string[]>>;
}

/** The lists of work a user document records as pending (model.ts). */
export type PendingListField = 'filesToDelete' | 'pendingUploads' | 'pendingDataMoves' | 'lateDataMoves';

export interface StampAndFindResult {
  /** Users holding any of the keys, or legacy documents of the openid. Usually zero or one. */
  users: UserDoc[];
  /** True when the login was recorded on the (non-banned, non-merged, non-deleting) user holding the openid key. */
  stamped: boolean;
}

/**
 * The single-document operations, inside a transaction or outside one (Store extends it). Inside a
 * transaction reads see the transaction's own writes, and nothing is visible to others before it
 * commits.
 */
export interface StoreTransaction {
  /** The user, or null when none has this id (or its document fails the guard). */
  getUser(id: string): Promise<UserDoc | null>;
  /** Applies the patch; false when no user has this id (nothing written). */
  updateUser(id: string, patch: UserPatch): Promise<boolean>;
  /** Deletes the user document; a missing one is not an error. */
  removeUser(id: string): Promise<void>;
  /** The identity document of `key`, or null when there is none (or it is not to be trusted). */
  getIdentity(key: string): Promise<IdentityDoc | null>;
  /** Creates or replaces the identity document `identity._id`. */
  putIdentity(identity: IdentityDoc): Promise<void>;
  /** Deletes the identity document of `key`; a missing one is not an error. */
  removeIdentity(key: string): Promise<void>;
  /** The link ticket, or null when there is none (or it is not to be trusted). */
  getLinkTicket(id: string): Promise<LinkTicketDoc | null>;
  /** Sets `usedAt` of the ticket. */
  markLinkTicketUsed(id: string, at: Date): Promise<void>;
  /** Creates or replaces the entry (its `_id` is derived from the event, so a retry writes it once). */
  putAudit(entry: AuditEntry): Promise<void>;
}

/**
 * The database. The only implementation touching wx-server-sdk is cloudbase/cloudbase-store.ts.
 * Queries (several documents, found by a field) exist only here, not in a transaction.
 */
export interface Store extends StoreTransaction {
  /**
   * In ONE round trip (requests issued in parallel): record the login on the non-banned,
   * non-merged, non-deleting user whose identityKeys holds `keys.openid`, and read the users holding any of
   * `keys.all` or being a legacy document (`_openid` / `openid`) of `legacyOpenid`. Whether the read
   * sees the write is not ordered; `lastLoginId` tells. Only users the caller may trust (model.ts,
   * the trust rule) are answered or stamped: a client-written document needs an identity of `keys`
   * pointing at it, or to be the caller's own not-adopted legacy document.
   */
  stampAndFind(keys: IdentityKeys, legacyOpenid: string, stamp: LoginStamp): Promise<StampAndFindResult>;
  /**
   * Inserts identity `key` -> `userId` unless the key already exists (insert wins).
   * Returns the userId the key points to afterwards: `userId` when this call won.
   */
  claimIdentity(key: string, userId: string, at: Date): Promise<string>;
  /**
   * Points identity `key` at `toUserId` if it still points at `fromUserId`, an owner that no longer
   * exists (a deletion raced a login). False when it changed meanwhile (nothing written).
   */
  reassignIdentity(key: string, fromUserId: string, toUserId: string, at: Date): Promise<boolean>;
  /**
   * Sets status 'deleting' on the user unless it is banned or merged (one conditional update, no
   * transaction, so a concurrent login cannot make it fail). True when the user is now 'deleting'.
   */
  markUserDeleting(id: string): Promise<boolean>;
  /** Inserts a user; false when a user with this `_id` already exists (nothing written). */
  insertUser(user: UserDoc): Promise<boolean>;
  /**
   * Removes `fields` from every not-adopted legacy document (no identityKeys) of `openid` (the
   * tutorial pattern's own race left duplicates, each with its session_key). Legacy documents of
   * `openid`, here and below: `_openid` = openid with no other `openid`, or `openid` without `_openid`.
   */
  scrubLegacyDocuments(openid: string, fields: readonly string[]): Promise<void>;
  /** Removes the not-adopted legacy documents (no identityKeys) of `openid`. */
  removeLegacyUsers(openid: string): Promise<void>;
  /**
   * Users whose identityKeys hold any of `keys`, in no particular order (usually one); a
   * client-written one only when an identity document of `keys` points at it (model.ts).
   */
  findUsersByIdentity(keys: string[]): Promise<UserDoc[]>;
  /** The identity documents pointing at any of `userIds` ([] for none). */
  identitiesOf(userIds: string[]): Promise<IdentityDoc[]>;
  /** Users merged into `userId` (status 'merged', mergedInto = userId). */
  usersMergedInto(userId: string): Promise<UserDoc[]>;
  /**
   * Up to `limit` users whose document lists a data move of a link as owed (`pendingDataMoves`) or
   * as repeated until its late-write window passed (`lateDataMoves`), in no particular order
   * (`npm run admin -- cleanup` finishes them for people who do not log in again).
   */
  usersOwingDataMoves(limit: number): Promise<UserDoc[]>;
  /** Inserts a new ticket (its `_id` is fresh: a duplicate is an error). */
  insertLinkTicket(ticket: LinkTicketDoc): Promise<void>;
  /**
   * Removes the tickets issued from or to any of `userIds` (they name their ids), or to a caller
   * whose key is one of `callerKeys` (they hold that raw openid).
   */
  removeLinkTicketsOf(userIds: string[], callerKeys: string[]): Promise<void>;
  /** Removes tickets that expired before `before` (used or not: past expiry they are only refused). */
  removeExpiredLinkTickets(before: Date): Promise<void>;
  /**
   * Up to `limit` deletion audit entries with work left — `pendingFileIDs` (files a deletion could
   * not confirm gone), `pendingUserIds` (per-user data not confirmed removed) or `lateUploadFileIDs`
   * (upload paths to delete once more after the window) not empty — in no particular order; never one a client wrote (it could name any file or account). With `dueAt`,
   * only entries with files left or whose late-write window ended by then (`lateWritesUntil` ≤
   * `dueAt`, or none recorded): entries still waiting never crowd out the ones that can finish.
   */
  deletionsWithPendingWork(limit: number, dueAt?: Date): Promise<DeletionAuditEntry[]>;
  /**
   * Up to `limit` audit entries about `userId` (it is the `userId`, `fromUserId` or `toUserId`),
   * newest first; never one a client wrote (it could claim anything about anyone).
   */
  auditEntriesAbout(userId: string, limit: number): Promise<AuditEntry[]>;
  /**
   * Counts one use in the window `slot` (its `count` is ignored) unless it already holds `limit`
   * uses; true when this use was counted. One atomic step per call, so of any number of parallel
   * calls (from any number of function instances) at most `limit` are counted per window. The
   * first use of a window may also remove this caller's earlier windows of the same action.
   */
  countUse(slot: Omit<RateLimitDoc, 'count'>, limit: number): Promise<boolean>;
  /**
   * Runs `work` in a transaction: commits when it resolves, rolls back when it throws (and
   * rethrows), so nothing of a failed `work` is written. On a write conflict with a concurrent
   * writer it may run `work` again from the start, a few times.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}

// ---------------------------------------------------------------------------------------------
// WeChat open API
// ---------------------------------------------------------------------------------------------
/*
 * WeChat answers failures as an errcode; through wx-server-sdk a non-zero errcode is thrown as
 * `{ errCode, errMsg }`. Implementations turn that into `{ ok: false, errcode }` so the actions can
 * decide what each errcode means to the person; anything that is not a WeChat answer (network,
 * CloudBase) is still thrown.
 */

export type OpenApiResult<T> = { ok: true; value: T } | { ok: false; errcode: number; message: string };

/** A phone number as WeChat verified it. */
export interface VerifiedPhone {
  /** '86' for mainland China. */
  countryCode: string;
  /** The number without country code. */
  purePhoneNumber: string;
}

export interface PhoneNumberApi {
  /** phonenumber.getPhoneNumber: trades the code of `<button open-type="getPhoneNumber">` (single use, 5 min). */
  getPhoneNumber(code: string): Promise<OpenApiResult<VerifiedPhone>>;
}

/** msgSecCheck v2's verdict. WeChat advises: 'pass' publish, 'review' hold for a person, 'risky' refuse. */
export type ContentVerdict = 'pass' | 'review' | 'risky';

/** msgSecCheck v2 scenes: 1 资料 (profile), 2 评论, 3 论坛, 4 社交日志. */
export const SCENE_PROFILE = 1;

export interface ContentSecurityApi {
  /** security.msgSecCheck version 2, on behalf of `openid` (who must have used the mini-program within 2 hours). */
  checkText(input: { content: string; openid: string; scene: number }): Promise<OpenApiResult<ContentVerdict>>;
}

// ---------------------------------------------------------------------------------------------
// Cloud storage
// ---------------------------------------------------------------------------------------------

export interface TemporaryUrl {
  url: string;
  expiresAt: Date;
}

export interface FileDeletion {
  fileID: string;
  /** True when the file is gone afterwards: deleted now, or there was no such file. */
  gone: boolean;
}

export interface FileStorage {
  /**
   * Temporary download URLs valid for `maxAgeSeconds`. The map has an entry per fileID: null when
   * there is no such file (CloudBase -503003) or it cannot be read.
   */
  temporaryUrls(fileIDs: string[], maxAgeSeconds: number): Promise<Map<string, TemporaryUrl | null>>;
  /** Deletes files; a missing file counts as gone, so retries are harmless. */
  deleteFiles(fileIDs: string[]): Promise<FileDeletion[]>;
  /** Writes `content` (UTF-8) to `cloudPath`, replacing a file there; answers its fileID. */
  upload(cloudPath: string, content: string): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// Everything an action is given
// ---------------------------------------------------------------------------------------------

/** What every action is given; index.ts wires the real ones, tests in-memory ones. */
export interface Deps {
  store: Store;
  phone: PhoneNumberApi;
  security: ContentSecurityApi;
  files: FileStorage;
  /** Per-user data of other functions (@wx-cloud-login/server-auth, user-data.ts): moved on link, removed on deletion. */
  userData: UserDataStore;
  now: () => Date;
  /** A fresh document id (user ids). */
  newId: () => string;
  /** 32 random bytes, base64url (link tickets). */
  randomToken: () => string;
  /** Server-side log only; never reaches the caller. */
  warn: (message: string, detail?: unknown) => void;
  /** Server-side log of unexpected failures (the caller only sees INTERNAL). */
  error: (message: string, detail?: unknown) => void;
}

/** Per invocation, from cloud.getWXContext(). */
export interface Invocation {
  /** The CloudBase environment id (ENV); '' when unknown, which makes every fileID foreign. */
  env: string;
}
