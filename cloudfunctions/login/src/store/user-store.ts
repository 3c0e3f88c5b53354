/**
 * The database as the login logic sees it. The only implementation that touches wx-server-sdk is
 * cloudbase-user-store.ts; tests also run the logic against an in-memory store.
 *
 * Data model
 * - users:      one document per person. `identityKeys` lists every identity key (see identity.ts)
 *               that signs in to it, so a returning login finds its user with one query keyed by
 *               the identity. Legacy documents written by the common tutorial pattern have
 *               `_openid` / `openid` and no `identityKeys` until they are adopted.
 * - identities: `_id` = identity key, `userId` = owner. Insert-only; the unique `_id` is what makes
 *               first login race-safe. `users.identityKeys` is the lookup copy of it.
 */
import type { IdentityKeys } from '../rules/identity';

/** 'merged': the account was linked into `mergedInto` (see actions/confirm-link.ts); kept, never signed in to. */
export type UserStatus = 'active' | 'banned' | 'merged';

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
   * is valid until `avatarUrlExpiresAt` (see avatar-url.ts); for legacy documents, whatever was stored.
   */
  avatarUrl?: string;
  /** `cloud://<env>.<bucket>/avatars/<userId>/...`, set by updateProfile. */
  avatarFileID?: string;
  avatarUrlExpiresAt?: Date;
  boundPhone?: BoundPhone;
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
  /** Id of the login that last wrote lastLoginAt: tells whether a parallel read saw our write. */
  lastLoginId?: string;
  /** Legacy tutorial fields (read for adoption, never returned). */
  _openid?: string;
  openid?: string;
  userInfo?: { nickName?: unknown; avatarUrl?: unknown };
  [field: string]: unknown;
}

export interface LoginStamp {
  id: string;
  at: Date;
}

export interface UserPatch {
  addIdentityKeys?: string[];
  /** Keys found held by another live user (see UserDoc.keysHeldElsewhere). */
  noteKeysHeldElsewhere?: string[];
  /** Never together with addIdentityKeys (one update cannot both add to and pull from a field). */
  removeIdentityKeys?: string[];
  /** Record a login: lastLoginAt = stamp.at, loginCount + 1. */
  stamp?: LoginStamp;
  /** Set when absent-or-empty is not enough to know: plain field values to write. */
  set?: Partial<Pick<UserDoc, 'status' | 'createdAt' | 'nickName' | 'avatarUrl' | 'avatarUrlExpiresAt'>>;
  /** Fields to delete (legacy secrets such as session_key). */
  remove?: string[];
}

export interface StampAndFindResult {
  /** Users holding any of the keys, or legacy documents of the openid. Usually zero or one. */
  users: UserDoc[];
  /** True when the login was recorded on the (non-banned) user holding the openid key. */
  stamped: boolean;
}

export interface UserStore {
  /**
   * In ONE round trip (requests issued in parallel): record the login on the non-banned, non-merged user whose
   * identityKeys holds `keys.openid`, and read the users holding any key or being a legacy document
   * of `legacyOpenid`. Whether the read sees the write is not ordered; `lastLoginId` tells.
   */
  stampAndFind(keys: IdentityKeys, legacyOpenid: string, stamp: LoginStamp): Promise<StampAndFindResult>;
  /**
   * Inserts identity `key` -> `userId` unless the key already exists.
   * Returns the userId the key points to afterwards: `userId` when this call won.
   */
  claimIdentity(key: string, userId: string, at: Date): Promise<string>;
  /**
   * Points identity `key` at `toUserId` if it still points at `fromUserId`, an owner that no longer
   * exists (a deletion raced a login). False when it changed meanwhile.
   */
  reassignIdentity(key: string, fromUserId: string, toUserId: string, at: Date): Promise<boolean>;
  /** Inserts a user; false when a user with this `_id` already exists (nothing written). */
  insertUser(user: UserDoc): Promise<boolean>;
  /** The user, or null when there is none with this id. */
  getUser(id: string): Promise<UserDoc | null>;
  /** Applies the patch; false when no user has this id. */
  updateUser(id: string, patch: UserPatch): Promise<boolean>;
  /** Deletes a user document (used to undo a half-done first login). */
  removeUser(id: string): Promise<void>;
  /**
   * Removes `fields` from every not-adopted legacy document of `openid` (the tutorial pattern's
   * own race left duplicates, each with its session_key).
   */
  scrubLegacyDocuments(openid: string, fields: readonly string[]): Promise<void>;
}
