/**
 * Building the personal-data export: every field of the account document has a place (or is the
 * function's own bookkeeping), identifiers are masked wherever they are, secrets never leave.
 */
import type { AuditEntry, UserDoc } from '../../../../cloudfunctions/login/src/model';
import {
  BOOKKEEPING_FIELDS,
  buildPersonalDataExport,
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
  profile: { city: '杭州', accessToken: 'leaked', since: at },
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
      data: [{ collection: 'notes', documents: [{ _id: 'n1', owner: 'user-1', text: '买牛奶', createdAt: at }] }],
    },
    now,
  );
}

describe('buildPersonalDataExport', () => {
  it('places every known field, keeps unknown ones in otherFields, and leaves out only bookkeeping and secrets', () => {
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
      otherFields: { _openid: 'oAbC****StUv', gender: 1, profile: { city: '杭州', since: at.toISOString() } },
    });
    expect(document.loginHistory).toEqual({ loginCount: 7, firstLoginAt: at.toISOString(), lastLoginAt: now.toISOString() });
    expect(document.heldByOtherAccounts).toEqual(['uZyX****kJiH']);
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
      { user: { _id: 'u' }, identities: [], merged: [], audit: [], data: [{ collection: 'notes', documents: [] }] },
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
