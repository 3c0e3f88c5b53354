import { identityIdFor, summarizeIdentities, unlinkGroup } from '../../../../cloudfunctions/login/src/rules/identity-summary';
import { identityKeysFor } from '../../../../cloudfunctions/login/src/rules/identity';

const caller = identityKeysFor({ appid: 'wxapp1', openid: 'oCALLER123456', unionid: 'uCALLER987654' });
const owned = [
  { key: 'wx-unionid:uCALLER987654', createdAt: new Date(1000) },
  { key: 'wx-openid:wxapp1:oCALLER123456', createdAt: new Date(1000) },
  { key: 'wx-openid:wxapp2:oOTHERAPP0001', createdAt: new Date(2000) },
  { key: 'phone:+86:13800138000', createdAt: new Date(3000) },
];

describe('summarizeIdentities', () => {
  it("given an appid containing ':', shows that appid and the masked openid, not a split of the key", () => {
    const keys = identityKeysFor({ appid: 'wx:app', openid: 'oCOLON:123456' });
    const [summary] = summarizeIdentities('user-1', [{ key: keys.openid, createdAt: null }], keys);
    expect(summary).toMatchObject({ provider: 'wechat', appid: 'wx:app', display: 'oCOL****3456' });
  });

  it('shows providers with masked identifiers, never the raw openid, unionid or number', () => {
    const summaries = summarizeIdentities('u1', owned, caller);
    const text = JSON.stringify(summaries);

    expect(summaries.map((s) => [s.provider, s.display, s.current])).toEqual([
      ['wechat', 'oCAL****3456', true],
      ['wechat', 'oOTH****0001', false],
      ['wechat-unionid', 'uCAL****7654', true],
      ['phone', '138****8000', false],
    ]);
    expect(summaries[0]?.appid).toBe('wxapp1');
    for (const secret of ['oCALLER123456', 'uCALLER987654', '13800138000']) expect(text).not.toContain(secret);
  });

  it('given ids, makes them opaque and different per user', () => {
    const id = identityIdFor('u1', 'phone:+86:13800138000');
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(identityIdFor('u2', 'phone:+86:13800138000')).not.toBe(id);
  });

  it('given only the current WeChat, marks nothing unlinkable', () => {
    const summaries = summarizeIdentities('u1', owned.slice(0, 2), caller);
    expect(summaries.every((s) => !s.canUnlink)).toBe(true);
  });

  it('given another way to sign in, lets every identity be unlinked', () => {
    expect(summarizeIdentities('u1', owned, caller).every((s) => s.canUnlink)).toBe(true);
  });
});

describe('unlinkGroup', () => {
  it('given a unionid on the account, unlinks every WeChat identity together (an app openid alone would come back through it)', () => {
    const wechat = ['wx-openid:wxapp1:oCALLER123456', 'wx-openid:wxapp2:oOTHERAPP0001', 'wx-unionid:uCALLER987654'].sort();
    expect(unlinkGroup('wx-openid:wxapp1:oCALLER123456', owned, caller).sort()).toEqual(wechat);
    expect(unlinkGroup('wx-openid:wxapp2:oOTHERAPP0001', owned, caller).sort()).toEqual(wechat);
  });

  it("given no unionid, unlinks the current WeChat as a whole and another app's openid alone", () => {
    const openidOnly = identityKeysFor({ appid: 'wxapp1', openid: 'oCALLER123456' });
    const withoutUnionid = owned.filter((identity) => !identity.key.startsWith('wx-unionid:'));
    expect(unlinkGroup('wx-openid:wxapp1:oCALLER123456', withoutUnionid, openidOnly)).toEqual(['wx-openid:wxapp1:oCALLER123456']);
    expect(unlinkGroup('wx-openid:wxapp2:oOTHERAPP0001', withoutUnionid, openidOnly)).toEqual(['wx-openid:wxapp2:oOTHERAPP0001']);
  });

  it('given any other key, unlinks just that key', () => {
    expect(unlinkGroup('phone:+86:13800138000', owned, caller)).toEqual(['phone:+86:13800138000']);
  });
});
