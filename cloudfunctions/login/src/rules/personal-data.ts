/**
 * The personal-data export (下载我的信息, PIPL 查阅、复制): everything stored about a person, as one
 * JSON document (PersonalDataExport in the contract). Pure: actions/shared/personal-data.ts reads
 * what goes in; exportMyData and `npm run admin -- export` hand it out.
 *
 * What goes in is decided by allow-lists, never by filtering out what looks dangerous: the fields
 * the kit itself stores, each placed where the document says (identifiers masked, phone masked);
 * from accounts that came from the tutorial pattern or an import, the profile fields WeChat used to
 * hand out (LEGACY_PROFILE_FIELDS, top level or in `userInfo`) in `account.otherFields`; and of each
 * per-user collection the fields its entry lists (PerUserCollection.exportFields). Inside an allowed
 * value, secret- and identifier-named fields are left out at any depth (rules/secret-fields.ts).
 * Anything else stored on a document — a legacy session key in any spelling, another service's
 * tokens, an openid, someone else's identifiers — has no way in.
 */
import { PERSONAL_DATA_SCHEMA_VERSION } from '../../../../miniprogram/contract/lists';
import type {
  AccountNotice,
  PersonalDataEvent,
  PersonalDataExport,
  PersonalDataSignInMethod,
  PersonalDataSummary,
} from '../../../../typings/contract';
import type { UserDataDocuments } from '@wx-cloud-login/server-auth/src/user-data';
import type { AuditEntry, IdentityDoc, UserDoc } from '../model';
import { activeBan } from './ban';
import { noticeKindOf, readLinkNotices } from './link-notice';
import { maskIdentityKey } from './masked-identity';
import { isIdentifierField, isSecretField, withoutSecrets } from './secret-fields';
import { maskPhoneNumber, readBoundPhone } from './phone';

/** What the export is built from: the account and what the database holds about it. */
export interface PersonalDataSources {
  user: UserDoc;
  /** Identity documents pointing at the user (the truth about its sign-in methods). */
  identities: IdentityDoc[];
  /** Accounts linked into this one. */
  merged: UserDoc[];
  /** Audit entries naming the user. */
  audit: AuditEntry[];
  /** Its documents in the per-user collections. */
  data: UserDataDocuments[];
}

/**
 * Fields of the account document the export places (account, loginHistory, signInMethods, …): with
 * BOOKKEEPING_FIELDS, every field the kit itself writes (tests hold the two lists to model.ts).
 */
export const PLACED_FIELDS: readonly string[] = [
  '_id',
  'status',
  'nickName',
  'avatarUrl',
  'avatarFileID',
  'boundPhone',
  'bannedUntil',
  'banReason',
  'createdAt',
  'lastLoginAt',
  'loginCount',
  'identityKeys',
  'keysHeldElsewhere',
  'linkNotices',
];

/**
 * Fields that describe the function's own bookkeeping, not the person: when the cached avatar URL
 * expires, which login wrote last, which openid came with which unionid (the sign-in methods show
 * both), the export file itself, a merged account's pointer (a live account has none), and cleanup
 * still owed (files to delete, data moves).
 */
export const BOOKKEEPING_FIELDS: readonly string[] = [
  'avatarUrlExpiresAt',
  'lastLoginId',
  'wechatPairs',
  'personalDataFileID',
  'mergedInto',
  'mergedAt',
  'filesToDelete',
  'pendingUploads',
  'activatesAs',
  'pendingDataMoves',
  'lateDataMoves',
];

/**
 * Profile fields of accounts from before the kit (the tutorial pattern's wx.getUserInfo result,
 * importers): exported as stored, at the top level or inside `userInfo`, when their value is plain.
 */
export const LEGACY_PROFILE_FIELDS: readonly string[] = ['nickName', 'avatarUrl', 'gender', 'country', 'province', 'city', 'language'];

/** The longest legacy value exported (a profile field, not a blob). */
const MAX_LEGACY_VALUE_LENGTH = 1024;

function plainValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return value.length <= MAX_LEGACY_VALUE_LENGTH ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'boolean' ? value : undefined;
}

/** The allow-listed legacy profile fields of `fields` (`skip`: those placed elsewhere). */
function legacyProfile(fields: Record<string, unknown>, skip: ReadonlySet<string>): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const name of LEGACY_PROFILE_FIELDS) {
    const value = skip.has(name) ? undefined : plainValue(fields[name]);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** otherFields: the legacy profile, top level (what the kit does not place) and the tutorial's `userInfo`. */
function otherFieldsOf(user: UserDoc): Record<string, unknown> {
  const top = legacyProfile(user, new Set(PLACED_FIELDS));
  const info =
    typeof user.userInfo === 'object' && user.userInfo !== null ? legacyProfile(user.userInfo as Record<string, unknown>, new Set()) : {};
  return Object.keys(info).length > 0 ? { ...top, userInfo: info } : top;
}

/** A per-user document: its collection's allowed fields, each without secrets or identifiers at any depth. */
function exportDocument(doc: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of fields) {
    if (!(name in doc) || isSecretField(name) || isIdentifierField(name)) continue;
    const value = withoutSecrets(doc[name]);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

function isoOrNull(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function signInMethod(doc: IdentityDoc): PersonalDataSignInMethod {
  const { provider, display, appid } = maskIdentityKey(doc._id);
  return { provider, masked: display, appid, addedAt: isoOrNull(doc.createdAt), movedFromAccount: doc.movedFrom ?? null };
}

function accountEvent(entry: AuditEntry): PersonalDataEvent | null {
  const at = entry.at.toISOString();
  if (entry.type === 'account-linked') {
    return {
      kind: 'account-linked',
      at,
      fromAccount: entry.fromUserId,
      toAccount: entry.toUserId,
      movedProviders: [...entry.movedProviders],
      filledFields: [...entry.filledFields],
    };
  }
  if (entry.type === 'admin-action' && entry.action === 'ban') {
    return { kind: 'account-banned', at, ...(entry.reason ? { reason: entry.reason } : {}), until: isoOrNull(entry.until) };
  }
  if (entry.type === 'admin-action' && entry.action === 'unban') return { kind: 'account-unbanned', at };
  // A deletion's entries are about an account that no longer exists.
  return null;
}

/** Builds the document. `now` is the export time. */
export function buildPersonalDataExport(sources: PersonalDataSources, now: Date): PersonalDataExport {
  const { user } = sources;
  const phone = readBoundPhone(user.boundPhone);
  const ban = activeBan(user, now);
  const pendingNotices: AccountNotice[] = readLinkNotices(user.linkNotices).map((notice) => ({
    kind: noticeKindOf(notice),
    at: notice.at.getTime(),
  }));
  return {
    schemaVersion: PERSONAL_DATA_SCHEMA_VERSION,
    exportedAt: now.toISOString(),
    account: {
      id: user._id,
      status: ban ? 'banned' : 'active',
      nickName: text(user.nickName),
      avatarFileID: text(user.avatarFileID),
      avatarUrl: text(user.avatarUrl),
      phone: phone ? { maskedPhoneNumber: maskPhoneNumber(phone), boundAt: isoOrNull(phone.boundAt) } : null,
      ban: ban ? { reason: ban.reason, until: ban.bannedUntil === null ? null : new Date(ban.bannedUntil).toISOString() } : null,
      pendingNotices,
      otherFields: otherFieldsOf(user),
    },
    loginHistory: {
      loginCount: typeof user.loginCount === 'number' ? user.loginCount : 0,
      firstLoginAt: isoOrNull(user.createdAt),
      lastLoginAt: isoOrNull(user.lastLoginAt),
    },
    signInMethods: sources.identities
      .filter((doc) => doc.userId === user._id)
      .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0))
      .map(signInMethod),
    heldByOtherAccounts: (user.keysHeldElsewhere ?? []).map((key) => maskIdentityKey(key).display),
    mergedAccounts: sources.merged.map((merged) => ({
      id: merged._id,
      nickName: text(merged.nickName),
      createdAt: isoOrNull(merged.createdAt),
      mergedAt: isoOrNull(merged.mergedAt),
      loginCount: typeof merged.loginCount === 'number' ? merged.loginCount : 0,
    })),
    accountEvents: sources.audit.flatMap((entry) => accountEvent(entry) ?? []),
    data: Object.fromEntries(
      sources.data.map(({ collection, exportFields, documents }) => [
        collection,
        documents.map((doc) => exportDocument(doc, exportFields)),
      ]),
    ),
  };
}

/** The document as the file holds it (and the clipboard gets it): JSON, indented for reading. */
export function personalDataText(document: PersonalDataExport): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** China Standard Time has no daylight saving: the date a person in China sees. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

export function summarizePersonalData(document: PersonalDataExport, bytes: number): PersonalDataSummary {
  const exportedAt = new Date(document.exportedAt);
  const day = new Date(exportedAt.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
  return {
    exportedAt: exportedAt.getTime(),
    bytes,
    fileName: `我的信息-${day}.json`,
    signInMethods: document.signInMethods.length,
    mergedAccounts: document.mergedAccounts.length,
    accountEvents: document.accountEvents.length,
    collections: Object.entries(document.data).map(([collection, documents]) => ({ collection, documents: documents.length })),
  };
}
