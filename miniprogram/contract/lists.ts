/**
 * The contract's closed lists, as values: error codes, action names, sign-in providers, profile
 * fields and the function's name. typings/contract.d.ts derives its unions from these
 * (`typeof ERROR_CODES[number]`), so the types and the lists the client checks answers against at
 * run time are one thing, not two that could drift.
 *
 * Why here, under miniprogram/: DevTools uploads only miniprogramRoot, so anything the
 * mini-program needs at run time must live below it; the cloud function's esbuild bundle can
 * import from anywhere. This module imports nothing (an architecture test holds that), so either
 * side loads it without the other's platform.
 *
 * Every entry is UPPER_SNAKE or camelCase wire text: never renamed or removed once shipped.
 */

/**
 * Error codes the cloud function can answer with. A newer server may send a code this client does
 * not list yet: check with isErrorCode() and treat the rest as unknown, never as a crash.
 */
export const ERROR_CODES = [
  /** No OPENID in the WeChat context: an HTTP-triggered or server-to-server call. */
  'UNAUTHENTICATED',
  /** The event is malformed (wrong type, too long, unexpected value). */
  'INVALID_ARGUMENT',
  /** `event.action` names no action of this function. */
  'UNKNOWN_ACTION',
  /** The account is banned; every action is refused. */
  'USER_BANNED',
  /** Something failed on the server; the detail is in the function's log only. */
  'INTERNAL',
  /**
   * The caller's WeChat identity has no user (never logged in, or the account was deleted or
   * unlinked from this WeChat): a session the client held is over. The client signs out and says
   * so; a login would create a new account (isNewUser), so it is never made silently.
   */
  'USER_NOT_FOUND',
  /** updateProfile: the nickname is empty, too long, or contains control/invisible characters. */
  'NICKNAME_INVALID',
  /** updateProfile: the fileID is not an avatar of this user in this environment, or the file does not exist. */
  'AVATAR_INVALID',
  /** updateProfile: WeChat's content check (msgSecCheck v2) refused the nickname ('risky' or 'review'). */
  'CONTENT_RISKY',
  /** updateProfile: the content check could not run (quota, WeChat error); nothing was changed. */
  'CONTENT_CHECK_UNAVAILABLE',
  /** bindPhone: the code is invalid, expired (5 min) or already used (WeChat 40029): ask again. */
  'PHONE_CODE_INVALID',
  /** bindPhone: WeChat's call quota is exhausted (45009 daily, 45011 per minute). */
  'PHONE_QUOTA_EXCEEDED',
  /** bindPhone: this mini-program may not use the phone number API (uncertified, unpaid, 48001 ...). */
  'PHONE_NOT_PERMITTED',
  /** bindPhone: the verified number belongs to another account; `details` offers a link (LinkOffer). */
  'PHONE_BELONGS_TO_ANOTHER_ACCOUNT',
  /** confirmLink: the ticket is malformed or unknown, or the accounts changed since it was issued. */
  'LINK_TICKET_INVALID',
  /** confirmLink: the ticket is older than its lifetime (10 min): bind the phone again. */
  'LINK_TICKET_EXPIRED',
  /** confirmLink: the ticket was already used (a completed link, or a replay). */
  'LINK_TICKET_USED',
  /** confirmLink: the ticket was issued to another WeChat identity. */
  'LINK_TICKET_NOT_YOURS',
  /** confirmLink: the account to link into is banned or no longer exists. */
  'LINK_TARGET_UNAVAILABLE',
  /** unlinkIdentity: no identity with this id belongs to the caller. */
  'IDENTITY_NOT_FOUND',
  /** unlinkIdentity: nothing that signs in to this mini-program would remain (WeChat, or the phone number to recover with). */
  'LAST_IDENTITY',
  /** deleteAccount: the event lacks `confirm: true`. */
  'CONFIRMATION_REQUIRED',
  /** notes add/edit: the text is empty or only whitespace. */
  'NOTE_EMPTY',
  /** notes add/edit: the text is longer than NOTE_MAX_LENGTH characters. */
  'NOTE_TOO_LONG',
  /** notes add: the user already has NOTES_MAX_PER_USER notes. */
  'NOTE_LIMIT_REACHED',
  /** notes edit/delete: no note with this id belongs to the caller (never existed, deleted, or someone else's). */
  'NOTE_NOT_FOUND',
  /**
   * bindPhone, the nickname check of updateProfile, confirmLink, exportMyData: the caller used up this action's
   * allowance for now (they cost money or quota); `details.retryAfterMs` says when it comes back.
   */
  'RATE_LIMITED',
] as const;

/** Actions of the `login` function (typings/contract.d.ts: ActionMap gives each its event and data). */
export const ACTION_NAMES = [
  'login',
  'updateProfile',
  'bindPhone',
  'confirmLink',
  'listIdentities',
  'unlinkIdentity',
  'deleteAccount',
  'exportMyData',
  'findAccountByPhone',
  'prepareAvatarUpload',
] as const;

/**
 * Sign-in methods, in the order listIdentities answers them. 'wechat': the openid of one
 * mini-program (appid); 'wechat-unionid': the same WeChat user across the apps of one
 * open-platform account; 'phone': a verified phone number; 'other': a provider of another client
 * (web, app).
 */
export const IDENTITY_PROVIDERS = ['wechat', 'wechat-unionid', 'phone', 'other'] as const;

/**
 * Rows of listIdentities. 'wechat': one WeChat account — its unionid (if any) and the openid of
 * every app it was used in, which are unlinked together; 'phone': the bound number (recovers the
 * account from a new WeChat); 'other': a provider of another client.
 */
export const IDENTITY_KINDS = ['wechat', 'phone', 'other'] as const;

/**
 * WeChat's two paid phone-number checks (bindPhone's `kind`), both traded through
 * phonenumber.getPhoneNumber. 'quick': 手机号快速验证, `<button open-type="getPhoneNumber">`, the
 * number WeChat holds; 'realtime': 手机号实时验证, `open-type="getRealtimePhoneNumber"`, checked
 * against the carrier (by SMS) on every request, and priced higher. The mini-program's config.ts picks one.
 */
export const PHONE_CHECK_KINDS = ['quick', 'realtime'] as const;

/** Profile fields a link can fill. */
export const PROFILE_FIELDS = ['nickName', 'avatar'] as const;

/** Why an account is banned (USER_BANNED's details): a code, so the client decides what a person reads. */
export const BAN_REASONS = ['spam', 'fraud', 'abuse', 'terms', 'other'] as const;
/**
 * Notices a login answer may carry for the account holder, shown once by the mini-program.
 * 'linked-by-phone': someone proved this account's phone number and linked their WeChat into it.
 * 'profile-cleared-by-wechat': the person withdrew their nickname/avatar in WeChat, or WeChat cleaned
 *   them: they were cleared here (pick them again).
 * 'phone-unbound-by-wechat': the person withdrew their phone number in WeChat: it was unbound here.
 * 'wechat-removed': a WeChat account of theirs was deleted (注销微信): it no longer signs in here.
 */
export const ACCOUNT_NOTICE_KINDS = ['linked-by-phone', 'profile-cleared-by-wechat', 'phone-unbound-by-wechat', 'wechat-removed'] as const;

/** The cloud function's name, as deployed. */
export const LOGIN_FUNCTION_NAME = 'login';

/**
 * exportMyData (下载我的信息): the version of PersonalDataExport's shape. Raised when a field changes
 * meaning or goes away; a new field does not raise it.
 */
export const PERSONAL_DATA_SCHEMA_VERSION = 1;

/**
 * How exportMyData hands the document over. 'inline': in the answer (small documents);
 * 'file': as a JSON file in cloud storage, fetched with wx.cloud.downloadFile (large documents,
 * which would not fit in a function's answer).
 */
export const EXPORT_DELIVERIES = ['inline', 'file'] as const;

/**
 * The kinds of PersonalDataEvent (exportMyData's account history). 'account-linked': an account
 * was linked into another (关联); 'account-banned' / 'account-unbanned': an operator banned the
 * account or lifted its ban.
 */
export const ACCOUNT_EVENT_KINDS = ['account-linked', 'account-banned', 'account-unbanned'] as const;

/** Actions of the `notes` function (我的笔记; typings/contract.d.ts: NotesActionMap). */
export const NOTES_ACTION_NAMES = ['add', 'list', 'edit', 'delete'] as const;

/** The notes function's name, as deployed. */
export const NOTES_FUNCTION_NAME = 'notes';

/** Limits of the notes function, the same on both sides: characters (code points) of one note. */
export const NOTE_MAX_LENGTH = 500;
/** Notes one user may keep. */
export const NOTES_MAX_PER_USER = 200;
/** list: notes per page when `limit` is not given, and the most one page may ask for. */
export const NOTES_PAGE_SIZE = 20;
export const NOTES_MAX_PAGE_SIZE = 50;

/** True for one of PHONE_CHECK_KINDS. */
export function isPhoneCheckKind(value: unknown): value is (typeof PHONE_CHECK_KINDS)[number] {
  return typeof value === 'string' && (PHONE_CHECK_KINDS as readonly string[]).includes(value);
}

/** True for a code this build lists; false for anything else, a newer server's code included. */
export function isErrorCode(value: unknown): value is (typeof ERROR_CODES)[number] {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isActionName(value: unknown): value is (typeof ACTION_NAMES)[number] {
  return typeof value === 'string' && (ACTION_NAMES as readonly string[]).includes(value);
}

export function isIdentityProvider(value: unknown): value is (typeof IDENTITY_PROVIDERS)[number] {
  return typeof value === 'string' && (IDENTITY_PROVIDERS as readonly string[]).includes(value);
}

export function isBanReason(value: unknown): value is (typeof BAN_REASONS)[number] {
  return typeof value === 'string' && (BAN_REASONS as readonly string[]).includes(value);
}

export function isIdentityKind(value: unknown): value is (typeof IDENTITY_KINDS)[number] {
  return typeof value === 'string' && (IDENTITY_KINDS as readonly string[]).includes(value);
}

export function isProfileField(value: unknown): value is (typeof PROFILE_FIELDS)[number] {
  return typeof value === 'string' && (PROFILE_FIELDS as readonly string[]).includes(value);
}

export function isAccountNoticeKind(value: unknown): value is (typeof ACCOUNT_NOTICE_KINDS)[number] {
  return typeof value === 'string' && (ACCOUNT_NOTICE_KINDS as readonly string[]).includes(value);
}
