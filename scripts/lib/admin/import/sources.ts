/**
 * People as other login systems store them, read into one shape. Only the fields listed here are
 * carried over; everything else of a source record — session_key, tokens, passwords, third-party
 * secrets — is never read, so it cannot reach this project's database.
 *
 * LeanCloud `_User` (AV.User.loginWithWeapp): `objectId`, `createdAt` (ISO text or
 * `{ __type: 'Date', iso }`), `authData.lc_weapp = { openid, session_key, expires_in, unionid?,
 * platform? }`, the server's `authData._weixin_unionid = { uid }` when a unionid was attached,
 * `mobilePhoneNumber` + `mobilePhoneVerified`, and the profile fields the tutorials save from
 * wx.getUserInfo (`nickName`, `avatarUrl`; `nickname` / `avatar` in some apps).
 *
 * uni-id `uni-id-users`: `_id`, `wx_openid` (an object keyed by platform — `mp-weixin` for the
 * mini-program — in uni-id 3, a plain string in older versions), `wx_unionid`, `nickname`,
 * `avatar` / `avatar_file.url`, `mobile` + `mobile_confirmed`, `register_date` (milliseconds),
 * `status` (0 normal, 1 disabled, 4 closed). The secrets it keeps (`token`, `password`,
 * `third_party.*.session_key`) are never read.
 */

export type SourceName = 'leancloud' | 'uni-id';

export interface SourcePerson {
  /** The record's id in the source (objectId / _id). */
  sourceId: string;
  openid: string;
  unionid: string | null;
  nickName: string;
  avatarUrl: string;
  /** A number the source marked verified, as WeChat would answer it. */
  phone: { countryCode: string; purePhoneNumber: string } | null;
  createdAt: Date | null;
  /** The source disabled the account: imported as banned (reason 'other'). */
  disabled: boolean;
}

export type ReadRecord = { ok: true; person: SourcePerson } | { ok: false; sourceId: string; reason: string };

type Data = Record<string, unknown>;

function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * The records of an export file: a JSON array, JSON lines (one object per line, uniCloud's and
 * LeanCloud's exports), or a REST answer `{ "results": [...] }` (LeanCloud's API).
 */
export function parseRecords(content: string): { ok: true; records: unknown[] } | { ok: false; message: string } {
  const trimmed = content.trim();
  if (trimmed === '') return { ok: true, records: [] };
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) return { ok: true, records: whole };
    if (isRecord(whole)) return { ok: true, records: Array.isArray(whole.results) ? whole.results : [whole] };
    return { ok: false, message: '文件不是 JSON 数组、JSON Lines 或 { results: [...] } / not a JSON array, JSON lines or a results list' };
  } catch {
    // Not one JSON document: JSON lines.
  }
  const records: unknown[] = [];
  for (const [index, line] of trimmed.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      return { ok: false, message: `第 ${index + 1} 行不是合法的 JSON / line ${index + 1} is not valid JSON` };
    }
  }
  return { ok: true, records };
}

function date(value: unknown): Date | null {
  if (isRecord(value)) return date(value.iso ?? value.$date);
  if (typeof value === 'string' || typeof value === 'number') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? null : parsed;
  }
  return null;
}

/** Mainland numbers as sources store them: `13800138000`, `+8613800138000`, `+86 138 0013 8000`. */
function mainlandPhone(value: unknown): SourcePerson['phone'] {
  const digits = text(value).replace(/[\s-]/g, '');
  const match = /^(?:\+?86)?(1\d{10})$/.exec(digits);
  return match?.[1] ? { countryCode: '86', purePhoneNumber: match[1] } : null;
}

export function readLeanCloudUser(record: unknown): ReadRecord {
  if (!isRecord(record)) return { ok: false, sourceId: '', reason: 'not an object' };
  const sourceId = text(record.objectId);
  if (!sourceId) return { ok: false, sourceId: '', reason: 'no objectId' };
  const authData = isRecord(record.authData) ? record.authData : {};
  const weapp = isRecord(authData.lc_weapp) ? authData.lc_weapp : null;
  const openid = text(weapp?.openid);
  if (!openid) return { ok: false, sourceId, reason: 'no authData.lc_weapp.openid (not a mini-program user)' };
  const unionEntry = isRecord(authData._weixin_unionid) ? authData._weixin_unionid : null;
  const unionid = text(weapp?.unionid) || text(unionEntry?.uid) || null;
  return {
    ok: true,
    person: {
      sourceId,
      openid,
      unionid,
      nickName: text(record.nickName) || text(record.nickname),
      avatarUrl: text(record.avatarUrl) || text(record.avatar),
      phone: record.mobilePhoneVerified === true ? mainlandPhone(record.mobilePhoneNumber) : null,
      createdAt: date(record.createdAt),
      disabled: false,
    },
  };
}

export function readUniIdUser(record: unknown): ReadRecord {
  if (!isRecord(record)) return { ok: false, sourceId: '', reason: 'not an object' };
  const sourceId = text(isRecord(record._id) ? record._id.$oid : record._id);
  if (!sourceId) return { ok: false, sourceId: '', reason: 'no _id' };
  const openid = isRecord(record.wx_openid) ? text(record.wx_openid['mp-weixin']) : text(record.wx_openid);
  if (!openid) return { ok: false, sourceId, reason: 'no wx_openid for mp-weixin (not a mini-program user)' };
  const avatarFile = isRecord(record.avatar_file) ? record.avatar_file : null;
  const status = typeof record.status === 'number' ? record.status : 0;
  if (status === 4) return { ok: false, sourceId, reason: 'closed in uni-id (status 4): not imported' };
  return {
    ok: true,
    person: {
      sourceId,
      openid,
      unionid: text(record.wx_unionid) || null,
      nickName: text(record.nickname),
      avatarUrl: text(record.avatar) || text(avatarFile?.url),
      phone: record.mobile_confirmed === 1 || record.mobile_confirmed === true ? mainlandPhone(record.mobile) : null,
      createdAt: date(record.register_date),
      disabled: status === 1,
    },
  };
}

export const SOURCE_READERS: Record<SourceName, (record: unknown) => ReadRecord> = {
  leancloud: readLeanCloudUser,
  'uni-id': readUniIdUser,
};
