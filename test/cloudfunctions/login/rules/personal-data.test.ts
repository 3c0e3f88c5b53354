/**
 * Building the personal-data export: what goes in is decided by allow-lists (the kit's own fields,
 * placed; legacy profile fields; each per-user collection's export fields), so secrets in any
 * spelling at any depth and anyone's raw identifiers never leave.
 */
import type { AuditEntry, UserDoc } from '../../../../cloudfunctions/login/src/model';
import {
  BOOKKEEPING_FIELDS,
  buildPersonalDataExport,
  PLACED_FIELDS,
  personalDataText,
  summarizePersonalData,
} from '../../../../cloudfunctions/login/src/rules/personal-data';

const now = new Date('2026-12-02T18:00:00Z');
const at = new Date('2026-06-01T08:00:00Z');

const user: UserDoc = {
  _id: 'user-1',
  identityKeys: ['wx-openid:wxapp1:oAbCdEfGhIjKlMnOpQrStUv', 'phone:+86:13800138000'],
  status: 'banned',
  bannedUntil: new Date('2027-01-01T00:00:00Z'),
  banReason: 'spam',
  nickName: '小明',
  avatarUrl: 'https://files.example/a.png',
  avatarFileID: 'cloud://env.bucket/avatars/user-1/a.png',
  avatarUrlExpiresAt: now,
  boundPhone: { countryCode: '86', purePhoneNumber: '13800138000', key: 'phone:+86:13800138000', boundAt: at },
  createdAt: at,
  lastLoginAt: now,
  loginCount: 7,
  keysHeldElsewhere: ['wx-unionid:uZyXwVuTsRqPoNmLkJiH'],
  linkNotices: [{ at, linkedKeys: ['wx-openid:wxapp1:o-other-person-000'] }],
  wechatPairs: [],
  lastLoginId: 'login-9',
  _openid: 'oAbCdEfGhIjKlMnOpQrStUv',
  session_key: 'tutorial-secret==',
  gender: 1,
  city: '杭州',
  profile: { city: '杭州', accessToken: 'leaked', since: at },
};

/** Another person's openid, planted wherever a document could hold it. */
const OTHER_OPENID = 'oTheOtherPersonXyZ0123456789';

/** Secrets in every spelling the tutorial pattern and other sign-in services used, at every depth. */
const PLANTED: Record<string, unknown> = {
  skey: 'planted-skey',
  'session-key': 'planted-dash',
  sk: 'planted-sk',
  sessionKey: 'planted-camel',
  access_token: 'planted-access',
  refreshToken: 'planted-refresh',
  password: 'planted-password',
  openid: OTHER_OPENID,
  unionid: 'uTheOtherPersonUnionId000000',
  friendOpenids: [OTHER_OPENID],
  nested: {
    session_key: 'planted-nested',
    deeper: [{ access_token: 'planted-in-array', token: 'planted-token', _openid: OTHER_OPENID }],
  },
  wechat: { openid: OTHER_OPENID, refresh_token: 'planted-wechat-refresh' },
};

const audit: AuditEntry[] = [
  {
    _id: 'ban',
    type: 'admin-action',
    at: now,
    operator: 'ops-li',
    action: 'ban',
    userId: 'user-1',
    reason: 'spam',
    until: new Date('2027-01-01T00:00:00Z'),
  },
  { _id: 'unban', type: 'admin-action', at, operator: 'ops-li', action: 'unban', userId: 'user-1' },
  {
    _id: 'link',
    type: 'account-linked',
    at,
    fromUserId: 'old-1',
    toUserId: 'user-1',
    movedProviders: ['wechat'],
    releasedProviders: [],
    filledFields: ['avatar'],
  },
];

function build() {
  return buildPersonalDataExport(
    {
      user,
      identities: [
        { _id: 'phone:+86:13800138000', userId: 'user-1', provider: 'phone', createdAt: at },
        {
          _id: 'wx-openid:wxapp1:oAbCdEfGhIjKlMnOpQrStUv',
          userId: 'user-1',
          provider: 'wechat',
          createdAt: new Date('2026-01-01T00:00:00Z'),
          movedFrom: 'old-1',
        },
        { _id: 'wx-openid:wxapp1:o-not-hers-at-all-0000', userId: 'someone-else' },
      ],
      merged: [{ _id: 'old-1', status: 'merged', mergedInto: 'user-1', nickName: '旧号', createdAt: at, mergedAt: at, loginCount: 2 }],
      audit,
      data: [
        {
          collection: 'notes',
          exportFields: ['_id', 'text', 'createdAt', 'updatedAt'],
          documents: [{ _id: 'n1', owner: 'user-1', text: '买牛奶', createdAt: at }],
        },
      ],
    },
    now,
  );
}

describe('buildPersonalDataExport', () => {
  it('places the kit’s own fields, keeps the legacy profile in otherFields, and nothing else of the document', () => {
    const document = build();
    expect(document.account).toEqual({
      id: 'user-1',
      status: 'banned',
      nickName: '小明',
      avatarFileID: 'cloud://env.bucket/avatars/user-1/a.png',
      avatarUrl: 'https://files.example/a.png',
      phone: { maskedPhoneNumber: '138****8000', boundAt: at.toISOString() },
      ban: { reason: 'spam', until: '2027-01-01T00:00:00.000Z' },
      pendingNotices: [{ kind: 'linked-by-phone', at: at.getTime() }],
      otherFields: { gender: 1, city: '杭州' },
    });
    expect(document.loginHistory).toEqual({ loginCount: 7, firstLoginAt: at.toISOString(), lastLoginAt: now.toISOString() });
    expect(document.heldByOtherAccounts).toEqual(['uZyX****kJiH']);
    expect(PLACED_FIELDS.filter((field) => BOOKKEEPING_FIELDS.includes(field))).toEqual([]);
    expect(Object.keys(user).filter((field) => BOOKKEEPING_FIELDS.includes(field))).toEqual([
      'avatarUrlExpiresAt',
      'wechatPairs',
      'lastLoginId',
    ]);
    const text = personalDataText(document);
    for (const secret of ['tutorial-secret', 'leaked', 'session_key', '13800138000', 'oAbCdEfGhIjKlMnOpQrStUv', 'login-9']) {
      expect(text).not.toContain(secret);
    }
  });

  it('never hands out a planted secret or anyone’s raw openid, wherever the documents hold it', () => {
    const planted: UserDoc = {
      ...user,
      ...PLANTED,
      userInfo: { nickName: '教程昵称', gender: 2, city: '苏州', ...PLANTED } as UserDoc['userInfo'],
      profile: { ...PLANTED },
    };
    const document = buildPersonalDataExport(
      {
        user: planted,
        identities: [],
        merged: [],
        audit: [],
        data: [
          {
            collection: 'notes',
            exportFields: ['_id', 'text', 'createdAt', 'meta'],
            documents: [
              { _id: 'n1', owner: 'user-1', text: '买牛奶', createdAt: at, ...PLANTED, meta: { ...PLANTED, tag: '家' } },
              { _id: 'n2', owner: 'user-1', text: '记账', _openid: OTHER_OPENID, session_key: 'planted-note-secret' },
            ],
          },
        ],
      },
      now,
    );
    const text = personalDataText(document);
    for (const value of [
      ...Object.values(PLANTED).filter((v) => typeof v === 'string'),
      'planted',
      OTHER_OPENID,
      'oAbCdEfGhIjKlMnOpQrStUv',
    ]) {
      expect(text).not.toContain(value as string);
    }
    // No field named like a secret or an identifier, anywhere in the document.
    expect(text).not.toMatch(/"[^"]*(session|token|skey|password|openid|unionid)[^"]*":/i);
    expect(document.account.otherFields).toEqual({ gender: 1, city: '杭州', userInfo: { nickName: '教程昵称', gender: 2, city: '苏州' } });
    expect(document.data.notes).toEqual([
      { _id: 'n1', text: '买牛奶', createdAt: at.toISOString(), meta: { nested: { deeper: [{}] }, wechat: {}, tag: '家' } },
      { _id: 'n2', text: '记账' },
    ]);
  });

  it('lists only the user’s own sign-in methods, oldest first, with where a linked one came from', () => {
    expect(build().signInMethods).toEqual([
      { provider: 'wechat', masked: 'oAbC****StUv', appid: 'wxapp1', addedAt: '2026-01-01T00:00:00.000Z', movedFromAccount: 'old-1' },
      { provider: 'phone', masked: '138****8000', appid: null, addedAt: at.toISOString(), movedFromAccount: null },
    ]);
  });

  it('tells the account’s history in the person’s terms, without the operator’s name', () => {
    const document = build();
    expect(document.accountEvents).toEqual([
      { kind: 'account-banned', at: now.toISOString(), reason: 'spam', until: '2027-01-01T00:00:00.000Z' },
      { kind: 'account-unbanned', at: at.toISOString() },
      {
        kind: 'account-linked',
        at: at.toISOString(),
        fromAccount: 'old-1',
        toAccount: 'user-1',
        movedProviders: ['wechat'],
        filledFields: ['avatar'],
      },
    ]);
    expect(JSON.stringify(document)).not.toContain('ops-li');
    expect(document.mergedAccounts).toEqual([
      { id: 'old-1', nickName: '旧号', createdAt: at.toISOString(), mergedAt: at.toISOString(), loginCount: 2 },
    ]);
  });

  it('summarizes counts, size and a file name dated in China time', () => {
    const document = buildPersonalDataExport(
      { user: { _id: 'u' }, identities: [], merged: [], audit: [], data: [{ collection: 'notes', exportFields: ['_id'], documents: [] }] },
      new Date('2026-12-02T17:30:00Z'),
    );
    expect(summarizePersonalData(document, 123)).toEqual({
      exportedAt: new Date('2026-12-02T17:30:00Z').getTime(),
      bytes: 123,
      fileName: '我的信息-2026-12-03.json',
      signInMethods: 0,
      mergedAccounts: 0,
      accountEvents: 0,
      collections: [{ collection: 'notes', documents: 0 }],
    });
    expect(document.account).toMatchObject({ status: 'active', nickName: '', phone: null, ban: null, otherFields: {} });
  });
});
