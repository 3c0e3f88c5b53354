/**
 * The part of a users document that resolving a caller and answering their public fields read.
 * The login function's own UserDoc (cloudfunctions/login/src/model.ts) is one of these; a function
 * that only needs "who is calling" never sees more than this.
 */

/** A phone number as WeChat verified it and bindPhone stored it. */
export interface BoundPhone {
  countryCode: string;
  purePhoneNumber: string;
  /** The identity key, `phone:+<countryCode>:<purePhoneNumber>`. */
  key: string;
  boundAt: Date;
}

export interface UserRecord {
  _id: string;
  identityKeys?: string[];
  /** 'active' | 'banned' | 'merged' | 'deleting' | 'importing' (login's model.ts documents each). */
  status?: string;
  /** With status 'banned': when the ban ends by itself (absent: until an operator lifts it); ban.ts. */
  bannedUntil?: Date;
  /** With status 'banned': why, one of BAN_REASONS. */
  banReason?: string;
  /** With status 'merged': the user this one was merged into. */
  mergedInto?: string;
  nickName?: string;
  avatarUrl?: string;
  avatarFileID?: string;
  avatarUrlExpiresAt?: Date;
  boundPhone?: BoundPhone;
  createdAt?: Date;
  lastLoginAt?: Date;
  loginCount?: number;
  /** Legacy tutorial fields (read for the profile, never returned). */
  userInfo?: { nickName?: unknown; avatarUrl?: unknown };
  [field: string]: unknown;
}
