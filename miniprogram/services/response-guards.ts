import type {
  BanDetails,
  AccountNotice,
  RateLimitDetails,
  BindPhoneData,
  ErrorBody,
  ExportFile,
  ExportMyDataData,
  FindAccountByPhoneData,
  IdentitySummary,
  LinkOffer,
  LinkPreview,
  LoginData,
  Note,
  PersonalDataExport,
  PersonalDataSummary,
  PublicUser,
  UnlinkIdentityData,
  WechatApp,
} from '../../typings/contract';
import {
  isAccountNoticeKind,
  isBanReason,
  isErrorCode,
  isIdentityKind,
  isIdentityProvider,
  isProfileField,
  PERSONAL_DATA_SCHEMA_VERSION,
} from '../contract/lists';

/**
 * Runtime checks of what the cloud function answered: the one set, for every action.
 * wx.cloud.callFunction types its `result` as `AnyObject | string | undefined`: the contract's
 * types are a promise, not a proof, so every answer passes through here before a service trusts
 * it. The closed lists (codes, providers, fields) come from contract/lists.ts, never restated.
 * Invalid input gives false / null.
 */

export type Guard<T> = (value: unknown) => value is T;

/**
 * An error body as the client can really receive it, checked:
 * - an ErrorBody of a code this build knows, with its `details` checked (a LinkOffer that fails
 *   isLinkOffer is dropped, and the body then arrives without it: the code still says what
 *   happened, but the client never renders an offer it cannot trust);
 * - or a code a newer server sent that this build does not know (the services map it to UNKNOWN).
 * Both non-ErrorBody cases take the second member, which has no `details`.
 */
export type ReceivedErrorBody = ErrorBody | { code: string; message: string; details?: undefined };

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ReceivedErrorBody };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isArrayOf<T>(value: unknown, isItem: (item: unknown) => item is T): value is T[] {
  return Array.isArray(value) && value.every(isItem);
}

/**
 * A PublicUser built afresh from the contract's fields only, or null when any is missing or of the
 * wrong type. A parse, not a type predicate: whatever else the answer (or a tampered cache) carried
 * is left behind, so it is never cached and never shown.
 */
export function readPublicUser(value: unknown): PublicUser | null {
  if (
    !isRecord(value) ||
    typeof value.id !== 'string' ||
    value.id === '' ||
    typeof value.nickName !== 'string' ||
    typeof value.avatarUrl !== 'string' ||
    !isTimestamp(value.createdAt) ||
    !isTimestamp(value.lastLoginAt) ||
    typeof value.loginCount !== 'number' ||
    !Number.isInteger(value.loginCount) ||
    value.loginCount < 0 ||
    typeof value.hasPhone !== 'boolean' ||
    typeof value.maskedPhoneNumber !== 'string'
  ) {
    return null;
  }
  return {
    id: value.id,
    nickName: value.nickName,
    avatarUrl: value.avatarUrl,
    createdAt: value.createdAt,
    lastLoginAt: value.lastLoginAt,
    loginCount: value.loginCount,
    hasPhone: value.hasPhone,
    maskedPhoneNumber: value.maskedPhoneNumber,
  };
}

/** The check alone; whoever keeps or shows the user takes readPublicUser's copy instead. */
export function isPublicUser(value: unknown): value is PublicUser {
  return readPublicUser(value) !== null;
}

export function isLoginData(value: unknown): value is LoginData {
  return isRecord(value) && isPublicUser(value.user) && typeof value.isNewUser === 'boolean';
}

/**
 * The notices of a login answer that this build can show, rebuilt field by field; anything else
 * (a kind of a newer server, a malformed entry, no list at all) is left out rather than failing the login.
 */
export function readAccountNotices(value: unknown): AccountNotice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((notice): AccountNotice[] =>
    isRecord(notice) && isAccountNoticeKind(notice.kind) && isTimestamp(notice.at) ? [{ kind: notice.kind, at: notice.at }] : [],
  );
}

export function isUserData(value: unknown): value is { user: PublicUser } {
  return isRecord(value) && isPublicUser(value.user);
}

/** prepareAvatarUpload's answer: a path in an avatar folder, nothing that climbs out of it. */
export function isAvatarUploadData(value: unknown): value is { cloudPath: string } {
  return (
    isRecord(value) &&
    typeof value.cloudPath === 'string' &&
    /^avatars\/[^/]+\/[^/]+$/.test(value.cloudPath) &&
    !value.cloudPath.split('/').includes('..')
  );
}

export function isBindPhoneData(value: unknown): value is BindPhoneData {
  return isUserData(value) && typeof (value as Record<string, unknown>).phoneNumber === 'string';
}

function isWechatApp(value: unknown): value is WechatApp {
  return isRecord(value) && typeof value.appid === 'string' && typeof value.thisApp === 'boolean';
}

export function isIdentitySummary(value: unknown): value is IdentitySummary {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    isIdentityKind(value.kind) &&
    typeof value.display === 'string' &&
    isArrayOf(value.apps, isWechatApp) &&
    typeof value.openPlatform === 'boolean' &&
    typeof value.linked === 'boolean' &&
    typeof value.linkedFromNickName === 'string' &&
    // Absent from servers before it: read as no avatar.
    (value.linkedFromAvatarUrl === undefined || typeof value.linkedFromAvatarUrl === 'string') &&
    typeof value.current === 'boolean' &&
    typeof value.canUnlink === 'boolean' &&
    isTimestamp(value.linkedAt)
  );
}

export function isIdentityList(value: unknown): value is { identities: IdentitySummary[] } {
  return isRecord(value) && isArrayOf(value.identities, isIdentitySummary);
}

export function isUnlinkIdentityData(value: unknown): value is UnlinkIdentityData {
  return isIdentityList(value) && typeof (value as Record<string, unknown>).signedOut === 'boolean';
}

export function isDeleteAccountData(value: unknown): value is { deleted: true } {
  return isRecord(value) && value.deleted === true;
}

export function isNote(value: unknown): value is Note {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.text === 'string' &&
    Number.isFinite(value.createdAt) &&
    Number.isFinite(value.updatedAt)
  );
}

export function isNoteData(value: unknown): value is { note: Note } {
  return isRecord(value) && isNote(value.note);
}

export function isNotesPage(value: unknown): value is { notes: Note[]; nextCursor: string | null } {
  return (
    isRecord(value) &&
    Array.isArray(value.notes) &&
    value.notes.every(isNote) &&
    (value.nextCursor === null || typeof value.nextCursor === 'string')
  );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * The file name the page writes the export under, in the mini-program's own folder
 * (wx.env.USER_DATA_PATH/<name>): one plain `.json` name, never a path, so an answer cannot make
 * the page write anywhere else in that folder or outside it.
 */
export function isExportFileName(value: unknown): value is string {
  return typeof value === 'string' && /^[^/\\:*?"<>|\u0000-\u001f]{1,96}\.json$/.test(value) && !value.startsWith('.');
}

function isPersonalDataSummary(value: unknown): value is PersonalDataSummary {
  return (
    isRecord(value) &&
    isTimestamp(value.exportedAt) &&
    isCount(value.bytes) &&
    isExportFileName(value.fileName) &&
    isCount(value.signInMethods) &&
    isCount(value.mergedAccounts) &&
    isCount(value.accountEvents) &&
    isArrayOf(
      value.collections,
      (entry): entry is PersonalDataSummary['collections'][number] =>
        isRecord(entry) && typeof entry.collection === 'string' && entry.collection !== '' && isCount(entry.documents),
    )
  );
}

/**
 * The document's outline only: the page shows the summary and hands the document over as JSON,
 * it reads nothing inside. A document of another schemaVersion is refused: the page's list of
 * what is included is written for this one.
 */
function isPersonalDataExport(value: unknown): value is PersonalDataExport {
  return (
    isRecord(value) &&
    value.schemaVersion === PERSONAL_DATA_SCHEMA_VERSION &&
    typeof value.exportedAt === 'string' &&
    isRecord(value.account) &&
    typeof value.account.id === 'string' &&
    isRecord(value.loginHistory) &&
    Array.isArray(value.signInMethods) &&
    Array.isArray(value.heldByOtherAccounts) &&
    Array.isArray(value.mergedAccounts) &&
    Array.isArray(value.accountEvents) &&
    isRecord(value.data) &&
    Object.values(value.data).every(Array.isArray)
  );
}

function isExportFile(value: unknown): value is ExportFile {
  return (
    isRecord(value) &&
    typeof value.fileID === 'string' &&
    value.fileID.startsWith('cloud://') &&
    typeof value.url === 'string' &&
    /^https?:\/\//.test(value.url) &&
    isTimestamp(value.expiresAt)
  );
}

/** exportMyData's answer: the summary always, then the document itself or where to fetch it. */
export function isExportMyDataData(value: unknown): value is ExportMyDataData {
  if (!isRecord(value) || !isPersonalDataSummary(value.summary)) return false;
  if (value.delivery === 'inline') return isPersonalDataExport(value.document);
  if (value.delivery === 'file') return isExportFile(value.file);
  return false;
}

function isLinkPreview(value: unknown): value is LinkPreview {
  if (!isRecord(value) || !isRecord(value.target)) return false;
  const { target } = value;
  return (
    typeof target.maskedPhoneNumber === 'string' &&
    typeof target.nickName === 'string' &&
    typeof target.hasAvatar === 'boolean' &&
    isTimestamp(target.createdAt) &&
    isArrayOf(value.movingIdentities, isIdentityProvider) &&
    isArrayOf(value.filledFields, isProfileField) &&
    isArrayOf(value.keptFields, isProfileField) &&
    typeof value.releasedPhoneNumber === 'string'
  );
}

/**
 * The `details` of PHONE_BELONGS_TO_ANOTHER_ACCOUNT, or false for anything else. It matters most
 * of all the guards: the page renders it as the promise of what a link will do.
 */
export function isLinkOffer(value: unknown): value is LinkOffer {
  return (
    isRecord(value) &&
    isLinkPreview(value.preview) &&
    typeof value.ticket === 'string' &&
    value.ticket !== '' &&
    isTimestamp(value.expiresAt)
  );
}

/** findAccountByPhone's answer: an offer to link, the person's own account, or nobody (with its ticket). */
export function isFindAccountByPhoneData(value: unknown): value is FindAccountByPhoneData {
  if (!isRecord(value)) return false;
  if (value.found === 'account') return isLinkOffer(value.offer);
  if (value.found === 'yours') return true;
  return (
    value.found === 'none' &&
    typeof value.maskedPhoneNumber === 'string' &&
    typeof value.hasAccount === 'boolean' &&
    typeof value.ticket === 'string' &&
    value.ticket !== '' &&
    isTimestamp(value.expiresAt)
  );
}

/** USER_BANNED's details; a malformed end or reason reads as an open-ended ban without a reason. */
export function isBanDetails(value: unknown): value is BanDetails {
  return (
    isRecord(value) &&
    (value.bannedUntil === null || isTimestamp(value.bannedUntil)) &&
    (value.reason === null || isBanReason(value.reason))
  );
}

/** RATE_LIMITED's details: a positive, finite wait in milliseconds. */
export function isRateLimitDetails(value: unknown): value is RateLimitDetails {
  return isRecord(value) && typeof value.retryAfterMs === 'number' && Number.isFinite(value.retryAfterMs) && value.retryAfterMs > 0;
}

/** The error body with its details checked against the code that carries them (see ReceivedErrorBody). */
function readErrorBody(code: string, message: string, details: unknown): ReceivedErrorBody {
  if (!isErrorCode(code)) return { code, message };
  if (code === 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') {
    return isLinkOffer(details) ? { code, message, details } : { code, message };
  }
  if (code === 'USER_BANNED') {
    return { code, message, details: isBanDetails(details) ? details : { bannedUntil: null, reason: null } };
  }
  if (code === 'RATE_LIMITED') {
    // A malformed wait reads as none known: the message then asks to retry later without a time.
    return isRateLimitDetails(details) ? { code, message, details } : { code, message };
  }
  return { code, message };
}

/** The envelope with its data checked by `isData`, or null when the answer has any other shape. */
export function readEnvelope<T>(value: unknown, isData: Guard<T>): Envelope<T> | null {
  if (!isRecord(value)) return null;
  if (value.ok === true) {
    return isData(value.data) ? { ok: true, data: value.data } : null;
  }
  if (value.ok === false && isRecord(value.error)) {
    const { code, message, details } = value.error;
    if (typeof code === 'string' && code !== '' && typeof message === 'string') {
      return { ok: false, error: readErrorBody(code, message, details) };
    }
  }
  return null;
}
