import type {
  ACCOUNT_EVENT_KINDS,
  ACCOUNT_NOTICE_KINDS,
  ACTION_NAMES,
  BAN_REASONS,
  ERROR_CODES,
  EXPORT_DELIVERIES,
  IDENTITY_KINDS,
  IDENTITY_PROVIDERS,
  LOGIN_FUNCTION_NAME,
  NOTES_ACTION_NAMES,
  NOTES_FUNCTION_NAME,
  PERSONAL_DATA_SCHEMA_VERSION,
  PHONE_CHECK_KINDS,
  PROFILE_FIELDS,
} from '../miniprogram/contract/lists';

/**
 * The one contract between the mini-program and the `login` cloud function.
 * Both sides import it with `import type`, so nothing here exists at run time. Its closed lists
 * (error codes, action names, providers, profile fields) are values in
 * miniprogram/contract/lists.ts, and the unions here are derived from them: one source, and
 * test/typings/contract.test-d.ts proves that the lists and these types agree.
 */

/**
 * Error codes the cloud function can answer with: the runtime list ERROR_CODES
 * (miniprogram/contract/lists.ts) documents each one. A newer server may send a code an older
 * client does not know: a client checks with isErrorCode(), never by casting.
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** `details` of each code that carries any; every other code has none. */
export interface ErrorDetailsByCode {
  PHONE_BELONGS_TO_ANOTHER_ACCOUNT: LinkOffer;
  USER_BANNED: BanDetails;
  RATE_LIMITED: RateLimitDetails;
}

/** BAN_REASONS: why an account is banned. */
export type BanReason = (typeof BAN_REASONS)[number];

/** `details` of USER_BANNED. */
export interface BanDetails {
  /** When the ban ends by itself (milliseconds since the epoch); null: until lifted. */
  bannedUntil: number | null;
  reason: BanReason | null;
}

/** `details` of RATE_LIMITED. */
export interface RateLimitDetails {
  /** How long until the action is allowed again (milliseconds, > 0). */
  retryAfterMs: number;
}

/** The codes whose error body carries `details`. */
export type ErrorCodeWithDetails = keyof ErrorDetailsByCode;

/**
 * The `error` of a failed response, keyed by `code`: `details` exists only on a code listed in
 * ErrorDetailsByCode (and is then always present), so narrowing on `code` types it.
 * `message` is a safe, developer-facing text (English); people see the client's Chinese table instead.
 */
export type ErrorBody<C extends ErrorCode = ErrorCode> = {
  [K in C]: K extends ErrorCodeWithDetails
    ? { code: K; message: string; details: ErrorDetailsByCode[K] }
    : { code: K; message: string; details?: never };
}[C];

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
  /**
   * Things the account holder should know, answered once (the function forgets them after this
   * answer); absent when there are none.
   */
  notices?: AccountNotice[];
}

/** Kinds of AccountNotice (ACCOUNT_NOTICE_KINDS documents each). */
export type AccountNoticeKind = (typeof ACCOUNT_NOTICE_KINDS)[number];

/** Something that happened to the account without its holder being asked. */
export interface AccountNotice {
  kind: AccountNoticeKind;
  /** Milliseconds since the epoch: when it happened. */
  at: number;
}

/**
 * Actions of the `login` function: event payload (besides `action`) and success data.
 * Identity is never part of an event: it comes from cloud.getWXContext() only.
 */
export interface ActionMap extends Record<ActionName, { event: object; data: unknown }> {
  /**
   * `existingOnly: true`: the launch's revalidation of a cached session — when this WeChat signs in
   * to no account (deleted, unlinked), answer USER_NOT_FOUND instead of creating one.
   */
  login: { event: { existingOnly?: boolean }; data: LoginData };
  /**
   * Where to upload a chosen avatar (`extension`: png, jpg (default), jpeg, gif, webp): a cloud path in
   * the caller's own folder, recorded on the account before the upload so that 注销 removes the file
   * even if it is never saved. Then `wx.cloud.uploadFile({ cloudPath })` and updateProfile.
   */
  prepareAvatarUpload: { event: { extension?: string }; data: { cloudPath: string } };
  /** At least one field. The avatar is a fileID under `avatars/<user id>/` uploaded by the mini-program (prepareAvatarUpload). */
  updateProfile: { event: { nickName?: string; avatarFileID?: string }; data: { user: PublicUser } };
  /**
   * `code` from `<button open-type="getPhoneNumber">` or `"getRealtimePhoneNumber"` (e.detail.code);
   * `kind` says which of the two paid checks made it (absent: 'quick'), for the function's usage record.
   */
  bindPhone: { event: { code: string; kind?: PhoneCheckKind }; data: BindPhoneData };
  /**
   * `ticket` from a LinkOffer (PHONE_BELONGS_TO_ANOTHER_ACCOUNT, or findAccountByPhone's 'account'):
   * links this WeChat into that account; or from findAccountByPhone's 'none': binds that verified
   * number to this WeChat's account (made by the login before this call when it had none).
   */
  confirmLink: { event: { ticket: string }; data: { user: PublicUser } };
  /**
   * 「用手机号找回账号」 on the login page: which account holds the number WeChat verified for `code`,
   * asked WITHOUT an account (the only action besides login that needs none) and creating nothing.
   */
  findAccountByPhone: { event: { code: string; kind?: PhoneCheckKind }; data: FindAccountByPhoneData };
  listIdentities: { event: Record<string, never>; data: { identities: IdentitySummary[] } };
  unlinkIdentity: { event: { identityId: string }; data: UnlinkIdentityData };
  /** 注销账号: irreversible, hence the explicit confirmation. */
  deleteAccount: { event: { confirm: true }; data: { deleted: true } };
  /** 下载我的信息: everything stored about the caller; one export per person every few minutes (RATE_LIMITED). */
  exportMyData: { event: Record<string, never>; data: ExportMyDataData };
}

/**
 * What findAccountByPhone found for the verified number:
 * - 'account': another account holds it; `offer` says what linking this WeChat into it does.
 * - 'yours': the account this WeChat already signs in to holds it (a login gets the person back).
 * - 'none': no account holds it. Nothing was created or bound; `ticket` (for confirmLink) binds it
 *   to this WeChat's account — its existing one (`hasAccount`) or one the login creates — if the
 *   person says so, without WeChat billing a second check.
 */
export type FindAccountByPhoneData =
  | { found: 'account'; offer: LinkOffer }
  | { found: 'yours' }
  | { found: 'none'; maskedPhoneNumber: string; hasAccount: boolean; ticket: string; expiresAt: number };

export interface BindPhoneData {
  user: PublicUser;
  /** The full number, to its owner only ('13800138000', or '+14155550100' outside mainland China). */
  phoneNumber: string;
}

/** Which paid phone-number check made a code (PHONE_CHECK_KINDS documents each). */
export type PhoneCheckKind = (typeof PHONE_CHECK_KINDS)[number];

/** Profile fields a link can fill (PROFILE_FIELDS). */
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Sign-in methods (IDENTITY_PROVIDERS documents each). */
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/** What a row of listIdentities is (IDENTITY_KINDS documents each). */
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** A mini-program a WeChat account was used in. */
export interface WechatApp {
  appid: string;
  /** True for the mini-program making this call. */
  thisApp: boolean;
}

/**
 * One way to sign in, as the person sees it: a WeChat account (its unionid and the openid of every
 * app it was used in, unlinked together), the phone number, or another client's provider.
 */
export interface IdentitySummary {
  /** Opaque id for unlinkIdentity (never the raw openid/unionid/number). */
  id: string;
  kind: IdentityKind;
  /** kind 'phone': the masked number ('138****8000'); kind 'other': the provider's name ('email'); '' for 'wechat'. */
  display: string;
  /** kind 'wechat': the mini-programs it signed in from, this one first; [] otherwise. */
  apps: WechatApp[];
  /** kind 'wechat': it has a unionid, so it also signs in from the other apps of the open platform. */
  openPlatform: boolean;
  /** True when it came into this account by a link (confirmLink), false for the account's own. */
  linked: boolean;
  /**
   * With `linked`: the nickname the account it came from had when it was linked (that account is
   * kept as it was, marked merged); '' when none. How the person recognises which WeChat it is.
   */
  linkedFromNickName: string;
  /** With `linked`: that account's avatar, a displayable URL; '' when none (or none could be made). */
  linkedFromAvatarUrl: string;
  /** True for the WeChat account this call came from. Unlinking it signs this WeChat out of the account. */
  current: boolean;
  /** False when unlinking it would leave no way back into this mini-program (LAST_IDENTITY). */
  canUnlink: boolean;
  /** When it joined this account (first used, bound, or linked), ms since the epoch; 0 when unknown. */
  linkedAt: number;
}

export interface UnlinkIdentityData {
  identities: IdentitySummary[];
  /**
   * True when the unlinked one was the current WeChat account: this WeChat no longer signs in to the
   * account; its next login creates a new one (isNewUser).
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

// ---------------------------------------------------------------------------------------------
// exportMyData (下载我的信息): the personal-data export
// ---------------------------------------------------------------------------------------------

/** EXPORT_DELIVERIES documents each. */
export type ExportDelivery = (typeof EXPORT_DELIVERIES)[number];

/** The answer of exportMyData: the document itself, or where to fetch it. */
export type ExportMyDataData =
  | { delivery: 'inline'; summary: PersonalDataSummary; document: PersonalDataExport }
  | { delivery: 'file'; summary: PersonalDataSummary; file: ExportFile };

/** A large export, stored in cloud storage under the caller's folder and replaced by their next export. */
export interface ExportFile {
  /** `cloud://…` fileID: wx.cloud.downloadFile({ fileID }) fetches it without a download domain. */
  fileID: string;
  /** A temporary HTTPS URL of the same file, for opening in a browser; valid until `expiresAt`. */
  url: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** What the page shows before the person copies or saves the document. */
export interface PersonalDataSummary {
  /** Milliseconds since the epoch (the document's exportedAt). */
  exportedAt: number;
  /** UTF-8 bytes of the document as JSON (what the file holds). */
  bytes: number;
  /** A file name for saving it: `我的信息-<date>.json`. */
  fileName: string;
  signInMethods: number;
  mergedAccounts: number;
  accountEvents: number;
  /** Documents of each per-user collection (for example notes), in the collections' order. */
  collections: Array<{ collection: string; documents: number }>;
}

/**
 * Everything the function stores about the caller (PIPL 查阅、复制), as one JSON document. Times
 * are ISO 8601 strings (UTC) or null when unknown. Identifiers of sign-in methods and phone
 * numbers are masked; secrets (session_key and the like) are never stored, so never exported.
 */
export interface PersonalDataExport {
  schemaVersion: typeof PERSONAL_DATA_SCHEMA_VERSION;
  exportedAt: string;
  account: PersonalDataAccount;
  loginHistory: { loginCount: number; firstLoginAt: string | null; lastLoginAt: string | null };
  signInMethods: PersonalDataSignInMethod[];
  /** Sign-in methods of this person that another account holds (two accounts are never merged silently), masked. */
  heldByOtherAccounts: string[];
  /** Accounts linked into this one (关联): kept, no longer signed in to; their data is this account's now. */
  mergedAccounts: PersonalDataMergedAccount[];
  /** What happened to the account: links, bans and their lifting, links into it by its phone number. */
  accountEvents: PersonalDataEvent[];
  /** Every document of every per-user collection (server-auth PER_USER_COLLECTIONS) owned by the account, as stored. */
  data: Record<string, Array<Record<string, unknown>>>;
}

export interface PersonalDataAccount {
  id: string;
  /** 'banned' while a ban is in force. */
  status: 'active' | 'banned';
  nickName: string;
  /** The avatar as stored: a `cloud://` fileID ('' when none) and the last displayable URL ('' when none). */
  avatarFileID: string;
  avatarUrl: string;
  phone: { maskedPhoneNumber: string; boundAt: string | null } | null;
  ban: { reason: BanReason | null; until: string | null } | null;
  /** Notices not shown to the holder yet (a link into the account by its phone number). */
  pendingNotices: AccountNotice[];
  /**
   * Any other field stored on the account document (for example from the app it was migrated
   * from), as stored; identifiers masked, secrets left out.
   */
  otherFields: Record<string, unknown>;
}

export interface PersonalDataSignInMethod {
  provider: IdentityProvider;
  /** The identifier masked ('oAbC****wXyZ', '138****8000'). */
  masked: string;
  /** provider 'wechat': the mini-program's appid; null otherwise. */
  appid: string | null;
  addedAt: string | null;
  /** When it came by a link: the id of the account it came from; null for the account's own. */
  movedFromAccount: string | null;
}

export interface PersonalDataMergedAccount {
  id: string;
  nickName: string;
  createdAt: string | null;
  mergedAt: string | null;
  loginCount: number;
}

/** ACCOUNT_EVENT_KINDS documents each. */
export type AccountEventKind = (typeof ACCOUNT_EVENT_KINDS)[number];

export interface PersonalDataEvent {
  kind: AccountEventKind;
  at: string;
  /** kind 'account-linked': which account joined which (user ids), what moved and what was filled. */
  fromAccount?: string;
  toAccount?: string;
  movedProviders?: string[];
  filledFields?: ProfileField[];
  /** kind 'account-banned': the reason code and the end (null: until lifted). */
  reason?: BanReason;
  until?: string | null;
}

/** ACTION_NAMES; ActionMap has exactly these keys (test/typings/contract.test-d.ts). */
export type ActionName = (typeof ACTION_NAMES)[number];

/** `{}` is a login too: the event WeChat DevTools sends by default. */
export type ActionEvent<A extends ActionName = ActionName> = { action: A } & ActionMap[A]['event'];
/** What the mini-program sends to the function (the function itself validates `unknown` at run time). */
export type LoginFunctionEvent = ActionEvent | Record<string, never>;

/** The cloud function's name, as deployed. */
export type LoginFunctionName = typeof LOGIN_FUNCTION_NAME;

// ---------------------------------------------------------------------------------------------
// The notes function (我的笔记) and the map of every function
// ---------------------------------------------------------------------------------------------

/** A note of the caller's account (it belongs to the user id, so every app of the person sees it). */
export interface Note {
  id: string;
  text: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Milliseconds since the epoch; equals createdAt until the first edit. */
  updatedAt: number;
}

/** NOTES_ACTION_NAMES; NotesActionMap has exactly these keys. */
export type NotesActionName = (typeof NOTES_ACTION_NAMES)[number];

/** Actions of the `notes` function: event payload (besides `action`) and success data. */
export interface NotesActionMap extends Record<NotesActionName, { event: object; data: unknown }> {
  /** 1..NOTE_MAX_LENGTH characters after trimming. */
  add: { event: { text: string }; data: { note: Note } };
  /** Newest first; pass `nextCursor` back as `cursor` for the next page (null: no more). */
  list: { event: { cursor?: string | null; limit?: number }; data: { notes: Note[]; nextCursor: string | null } };
  edit: { event: { id: string; text: string }; data: { note: Note } };
  delete: { event: { id: string }; data: { deleted: true } };
}

/** The notes function's name, as deployed. */
export type NotesFunctionName = typeof NOTES_FUNCTION_NAME;

/** Every cloud function of the kit, by deployed name: its actions, their events and data. */
export interface FunctionMap {
  login: ActionMap;
  notes: NotesActionMap;
}

export type FunctionName = keyof FunctionMap;
export type FunctionActionName<F extends FunctionName> = keyof FunctionMap[F] & string;
// Read through `extends … infer`, not `['event']`: a project that type-checks its .d.ts files (no skipLibCheck,
// as DevTools' TypeScript template) rejects indexing a generic FunctionMap[F][A] by a key it cannot prove.
/** The event of `action` of function `F`: what auth.call sends. */
export type FunctionEvent<F extends FunctionName, A extends FunctionActionName<F>> = { action: A } & (FunctionMap[F][A] extends {
  event: infer E;
}
  ? E
  : never);
/** The data `action` of function `F` answers. */
export type FunctionData<F extends FunctionName, A extends FunctionActionName<F>> = FunctionMap[F][A] extends { data: infer D } ? D : never;
