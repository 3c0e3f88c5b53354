/**
 * The personal-data export (下载我的信息, PIPL 查阅、复制): everything stored about a person, as one
 * JSON document (PersonalDataExport in the contract). Pure: actions/shared/personal-data.ts reads
 * what goes in; exportMyData and `npm run admin -- export` hand it out.
 *
 * Every field of the account document goes somewhere: a known field to its place in the
 * document, one of BOOKKEEPING_FIELDS nowhere (it describes the function's caches, not the
 * person), a secret nowhere (none should be stored; a legacy one is never handed out), and any
 * other field — from an app the account was migrated from, or a team's own addition — to
 * `account.otherFields` as stored. Identifiers are masked wherever they appear.
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
import { readLinkNotices } from './link-notice';
import { maskIdentityKey, maskToken } from './masked-identity';
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

/** Fields the export places (account, loginHistory, signInMethods, …). */
const PLACED_FIELDS = new Set([
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
]);

/**
 * Fields that describe the function's own bookkeeping, not the person: when the cached avatar URL
 * expires, which login wrote last, which openid came with which unionid (the sign-in methods show
 * both), the export file itself, and a merged account's pointer (a live account has none).
 */
export const BOOKKEEPING_FIELDS: readonly string[] = [
  'avatarUrlExpiresAt',
  'lastLoginId',
  'wechatPairs',
  'personalDataFileID',
  'mergedInto',
  'mergedAt',
  'filesToDelete',
  'pendingDataMoves',
];

/** Field names that hold secrets (session_key of the tutorial pattern, tokens, passwords): never exported. */
const SECRET_FIELD = /session_?key|secret|token|password|passwd/i;

/** Identifier fields of legacy documents (the tutorial's `_openid` / `openid`): exported masked. */
const IDENTIFIER_FIELDS = new Set(['_openid', 'openid', 'unionid', '_unionid']);

/** Stored values as JSON: dates as ISO 8601, identifiers masked, secrets left out, at any depth. */
function exportValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(exportValue);
  if (typeof value === 'object' && value !== null) return exportFields(value as Record<string, unknown>, new Set());
  return value;
}

function exportFields(fields: Record<string, unknown>, skip: ReadonlySet<string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (skip.has(name) || SECRET_FIELD.test(name) || value === undefined) continue;
    result[name] = IDENTIFIER_FIELDS.has(name) && typeof value === 'string' ? maskToken(value) : exportValue(value);
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
    kind: 'linked-by-phone',
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
      otherFields: exportFields(user, new Set([...PLACED_FIELDS, ...BOOKKEEPING_FIELDS])),
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
      sources.data.map(({ collection, documents }) => [collection, documents.map((doc) => exportFields(doc, new Set()))]),
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
