/**
 * The one contract between the mini-program and the `login` cloud function.
 * Both sides import it with `import type`, so nothing here exists at run time.
 */

/** Error codes the cloud function can answer with. UPPER_SNAKE, never renamed once shipped. */
export type ErrorCode =
  /** No OPENID in the WeChat context: an HTTP-triggered or server-to-server call. */
  | 'UNAUTHENTICATED'
  /** The event is malformed (wrong type, too long, unexpected value). */
  | 'INVALID_ARGUMENT'
  /** `event.action` names no action of this function. */
  | 'UNKNOWN_ACTION'
  /** The account is banned; every action is refused. */
  | 'USER_BANNED'
  /** Something failed on the server; the detail is in the function's log only. */
  | 'INTERNAL'
  /**
   * The caller's WeChat identity has no user (never logged in, or the account was deleted or
   * unlinked from this WeChat): call `login`, then retry the action once.
   */
  | 'USER_NOT_FOUND'
  /** updateProfile: the nickname is empty, too long, or contains control/invisible characters. */
  | 'NICKNAME_INVALID'
  /** updateProfile: the fileID is not an avatar of this user in this environment, or the file does not exist. */
  | 'AVATAR_INVALID'
  /** updateProfile: WeChat's content check (msgSecCheck v2) refused the nickname ('risky' or 'review'). */
  | 'CONTENT_RISKY'
  /** updateProfile: the content check could not run (quota, WeChat error); nothing was changed. */
  | 'CONTENT_CHECK_UNAVAILABLE'
  /** bindPhone: the code is invalid, expired (5 min) or already used (WeChat 40029): ask again. */
  | 'PHONE_CODE_INVALID'
  /** bindPhone: WeChat's call quota is exhausted (45009 daily, 45011 per minute). */
  | 'PHONE_QUOTA_EXCEEDED'
  /** bindPhone: this mini-program may not use the phone number API (uncertified, unpaid, 48001 ...). */
  | 'PHONE_NOT_PERMITTED'
  /** bindPhone: the verified number belongs to another account; `details` offers a link (LinkOffer). */
  | 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT'
  /** confirmLink: the ticket is malformed or unknown, or the accounts changed since it was issued. */
  | 'LINK_TICKET_INVALID'
  /** confirmLink: the ticket is older than its lifetime (10 min): bind the phone again. */
  | 'LINK_TICKET_EXPIRED'
  /** confirmLink: the ticket was already used (a completed link, or a replay). */
  | 'LINK_TICKET_USED'
  /** confirmLink: the ticket was issued to another WeChat identity. */
  | 'LINK_TICKET_NOT_YOURS'
  /** confirmLink: the account to link into is banned or no longer exists. */
  | 'LINK_TARGET_UNAVAILABLE'
  /** unlinkIdentity: no identity with this id belongs to the caller. */
  | 'IDENTITY_NOT_FOUND'
  /** unlinkIdentity: it is the account's last way to sign in. */
  | 'LAST_IDENTITY'
  /** deleteAccount: the event lacks `confirm: true`. */
  | 'CONFIRMATION_REQUIRED';

export interface ErrorBody {
  code: ErrorCode;
  /** A safe, developer-facing message (English). People see the client's Chinese table instead. */
  message: string;
  /** Only with PHONE_BELONGS_TO_ANOTHER_ACCOUNT: what a link would do, and the ticket to confirm it. */
  details?: LinkOffer;
}

/** Every response of the cloud function is one of these two shapes; it never throws to the caller. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/**
 * The user as the mini-program may see it: an explicit allow-list.
 * Never session_key, never the raw openid/unionid, never internal bookkeeping.
 */
export interface PublicUser {
  /** Stable user id (the `_id` of the users document). */
  id: string;
  /** '' until the user sets one. */
  nickName: string;
  /** A displayable URL, '' until the user sets one. */
  avatarUrl: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Milliseconds since the epoch: the login that produced this response. */
  lastLoginAt: number;
  /** Number of logins including this one. */
  loginCount: number;
  /** True when a phone number is bound (bindPhone). */
  hasPhone: boolean;
  /**
   * The bound number masked for display ('138****8000', '+1 415****100'), '' when none. The full
   * number is answered only to its owner, once, by bindPhone.
   */
  maskedPhoneNumber: string;
}

export interface LoginData {
  user: PublicUser;
  /** True only for the login that created the account. */
  isNewUser: boolean;
}

/**
 * Actions of the `login` function: event payload (besides `action`) and success data.
 * Identity is never part of an event: it comes from cloud.getWXContext() only.
 */
export interface ActionMap {
  login: { event: Record<string, never>; data: LoginData };
  /** At least one field. The avatar is a fileID under `avatars/<user id>/` uploaded by the mini-program. */
  updateProfile: { event: { nickName?: string; avatarFileID?: string }; data: { user: PublicUser } };
  /** `code` from `<button open-type="getPhoneNumber">` (e.detail.code). */
  bindPhone: { event: { code: string }; data: BindPhoneData };
  /** `ticket` from the LinkOffer of a PHONE_BELONGS_TO_ANOTHER_ACCOUNT answer. */
  confirmLink: { event: { ticket: string }; data: { user: PublicUser } };
  listIdentities: { event: Record<string, never>; data: { identities: IdentitySummary[] } };
  unlinkIdentity: { event: { identityId: string }; data: UnlinkIdentityData };
  /** 注销账号: irreversible, hence the explicit confirmation. */
  deleteAccount: { event: { confirm: true }; data: { deleted: true } };
}

export interface BindPhoneData {
  user: PublicUser;
  /** The full number, to its owner only ('13800138000', or '+14155550100' outside mainland China). */
  phoneNumber: string;
}

/** Profile fields a link can fill. */
export type ProfileField = 'nickName' | 'avatar';

/**
 * Sign-in methods. 'wechat': the openid of one mini-program (appid); 'wechat-unionid': the same
 * WeChat user across the apps of one open-platform account; 'phone': a verified phone number;
 * 'other': a provider of another client (web, app).
 */
export type IdentityProvider = 'wechat' | 'wechat-unionid' | 'phone' | 'other';

export interface IdentitySummary {
  /** Opaque id for unlinkIdentity (never the raw openid/unionid/number). */
  id: string;
  provider: IdentityProvider;
  /** Masked identifier for display ('oAbC****wXyZ', '138****8000'). */
  display: string;
  /** With provider 'wechat': the mini-program's appid. */
  appid?: string;
  /** True for the WeChat identity this call came from. Unlinking it signs this WeChat out of the account. */
  current: boolean;
  /** False when unlinking would leave the account without a way to sign in. */
  canUnlink: boolean;
  /** Milliseconds since the epoch. */
  linkedAt: number;
}

export interface UnlinkIdentityData {
  identities: IdentitySummary[];
  /**
   * True when the unlinked identity was the current WeChat (openid and unionid are unlinked together):
   * this WeChat no longer signs in to the account; the next login creates a new one.
   */
  signedOut: boolean;
}

/** What confirmLink would do: shown to the person before they confirm. */
export interface LinkPreview {
  /** The existing account the phone number belongs to. */
  target: {
    maskedPhoneNumber: string;
    /** '' when it has none. */
    nickName: string;
    hasAvatar: boolean;
    /** Milliseconds since the epoch. */
    createdAt: number;
  };
  /** Sign-in methods of the current account that would move to the target (one entry each). */
  movingIdentities: IdentityProvider[];
  /** Fields empty on the target that the current account's values would fill. */
  filledFields: ProfileField[];
  /** Fields set on both: the target's value is kept (the current account keeps its copy, marked merged). */
  keptFields: ProfileField[];
  /** The current account's own phone number (masked), released because the target's is kept; '' when none. */
  releasedPhoneNumber: string;
}

/** `details` of PHONE_BELONGS_TO_ANOTHER_ACCOUNT. */
export interface LinkOffer {
  preview: LinkPreview;
  /** Single use, bound to the caller's WeChat identity and both accounts; pass it to confirmLink. */
  ticket: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type ActionName = keyof ActionMap;

/** `{}` is a login too: the event WeChat DevTools sends by default. */
export type ActionEvent<A extends ActionName = ActionName> = { action: A } & ActionMap[A]['event'];
/** What the mini-program sends to the function (the function itself validates `unknown` at run time). */
export type LoginFunctionEvent = ActionEvent | Record<string, never>;

/** The cloud function's name, as deployed. */
export type LoginFunctionName = 'login';
