/**
 * The secret rule adoption and the export share: secrets by name in any spelling, at any depth,
 * as dotted paths an update can remove; identifiers never exported.
 */
import { isIdentifierField, isSecretField, secretPaths, withoutSecrets } from '../../../../cloudfunctions/login/src/rules/secret-fields';

describe('secret fields', () => {
  it('recognises session keys and tokens in the spellings apps used, and not ordinary fields', () => {
    for (const name of [
      'session_key',
      'sessionKey',
      'session-key',
      'SessionKey',
      'skey',
      'sk',
      'access_token',
      'refreshToken',
      'token',
      'password',
      'appSecret',
    ]) {
      expect([name, isSecretField(name)]).toEqual([name, true]);
    }
    for (const name of ['nickName', 'city', 'key', 'keys', 'createdAt', 'text', 'skin', 'desk']) {
      expect([name, isSecretField(name)]).toEqual([name, false]);
    }
  });

  it('recognises openid and unionid fields under any name that says so', () => {
    for (const name of ['openid', '_openid', 'openId', 'open_id', 'unionid', 'union_id', 'friendOpenids'])
      expect(isIdentifierField(name)).toBe(true);
    expect(isIdentifierField('owner')).toBe(false);
  });

  it('names every secret as a dotted path, through objects and arrays', () => {
    expect(
      secretPaths({
        _id: 'u',
        session_key: 'a',
        userInfo: { nickName: 'n', skey: 'b', deeper: { token: 'c' } },
        accounts: [{ provider: 'qq', access_token: 'd' }, { provider: 'weibo' }],
        nothing: null,
      }).sort(),
    ).toEqual(['accounts.0.access_token', 'session_key', 'userInfo.deeper.token', 'userInfo.skey']);
  });

  it('names the top-level field when the path cannot be written as dotted path, or is too deep', () => {
    expect(secretPaths({ 'a.b': { token: 'x' }, $odd: { sk: 'y' }, plain: { 'c.d': { password: 'z' } } }).sort()).toEqual([
      '$odd',
      'a.b',
      'plain',
    ]);
    let deep: Record<string, unknown> = { token: 'deep' };
    for (let level = 0; level < 20; level += 1) deep = { inner: deep };
    expect(secretPaths({ deep })).toEqual(['deep']);
  });

  it('exports values without secrets or identifiers at any depth, dates as ISO text', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(
      withoutSecrets({ text: 'hi', at, list: [{ openid: 'o1', tag: 't', token: 'x' }], nested: { unionid: 'u', n: 1 }, f: () => 1 }),
    ).toEqual({ text: 'hi', at: at.toISOString(), list: [{ tag: 't' }], nested: { n: 1 } });
  });
});
