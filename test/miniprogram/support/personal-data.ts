import type { ExportMyDataData, PersonalDataExport, PersonalDataSummary } from '../../../typings/contract';

/** exportMyData answers for the personal-data tests: a small account with one note. */

export const EXPORTED_AT = Date.UTC(2026, 11, 2, 12, 30, 0);

export function aSummary(overrides: Partial<PersonalDataSummary> = {}): PersonalDataSummary {
  return {
    exportedAt: EXPORTED_AT,
    bytes: 2150,
    fileName: '我的信息-2026-12-02.json',
    signInMethods: 2,
    mergedAccounts: 0,
    accountEvents: 1,
    collections: [{ collection: 'notes', documents: 3 }],
    ...overrides,
  };
}

export function aDocument(overrides: Partial<PersonalDataExport> = {}): PersonalDataExport {
  return {
    schemaVersion: 1,
    exportedAt: new Date(EXPORTED_AT).toISOString(),
    account: {
      id: 'user-1',
      status: 'active',
      nickName: '小明',
      avatarFileID: '',
      avatarUrl: '',
      phone: { maskedPhoneNumber: '138****8000', boundAt: '2026-01-01T00:00:00.000Z' },
      ban: null,
      pendingNotices: [],
      otherFields: {},
    },
    loginHistory: { loginCount: 4, firstLoginAt: '2026-01-01T00:00:00.000Z', lastLoginAt: '2026-12-02T12:00:00.000Z' },
    signInMethods: [
      { provider: 'wechat', masked: 'oAbC****wXyZ', appid: 'wx-test-app', addedAt: '2026-01-01T00:00:00.000Z', movedFromAccount: null },
      { provider: 'phone', masked: '138****8000', appid: null, addedAt: '2026-01-01T00:00:00.000Z', movedFromAccount: null },
    ],
    heldByOtherAccounts: [],
    mergedAccounts: [],
    accountEvents: [{ kind: 'account-unbanned', at: '2026-06-01T00:00:00.000Z' }],
    data: {
      notes: [
        { _id: 'n1', text: '买牛奶' },
        { _id: 'n2', text: '还书' },
        { _id: 'n3', text: '交电费' },
      ],
    },
    ...overrides,
  };
}

export function anInlineExport(): ExportMyDataData {
  return { delivery: 'inline', summary: aSummary(), document: aDocument() };
}

export const EXPORT_FILE_ID = 'cloud://env-1.bucket/exports/user-1/personal-data.json';

export function aFileExport(): ExportMyDataData {
  return {
    delivery: 'file',
    summary: aSummary({ bytes: 1_536_000 }),
    file: {
      fileID: EXPORT_FILE_ID,
      url: 'https://env-1.tcb.qcloud.la/exports/user-1/personal-data.json?sign=x',
      expiresAt: EXPORTED_AT + 60 * 60 * 1000,
    },
  };
}
