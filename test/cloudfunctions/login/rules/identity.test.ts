import {
  decodeKeyComponent,
  identityKeyForOpenid,
  identityKeyForUnionid,
  identityKeysFor,
  parseOpenidKey,
  parseUnionidKey,
  readWxIdentity,
} from '../../../../cloudfunctions/login/src/rules/identity';

describe('readWxIdentity', () => {
  it('given no OPENID, returns null', () => {
    expect(readWxIdentity({ APPID: 'wxapp1' })).toBeNull();
    expect(readWxIdentity({ OPENID: '', APPID: 'wxapp1' })).toBeNull();
  });

  it('given digit-only values (which getWXContext turns into numbers), keeps them as strings', () => {
    expect(readWxIdentity({ OPENID: 123, APPID: 'wxapp1', UNIONID: 456 })).toEqual({
      openid: '123',
      appid: 'wxapp1',
      unionid: '456',
    });
  });
});

describe('identityKeysFor', () => {
  it('given a unionid, makes the unionid key primary', () => {
    expect(identityKeysFor({ appid: 'a', openid: 'o', unionid: 'u' })).toEqual({
      openid: 'wx-openid:a:o',
      unionid: 'wx-unionid:u',
      primary: 'wx-unionid:u',
      all: ['wx-unionid:u', 'wx-openid:a:o'],
    });
  });

  it('given only an openid, scopes it to the appid', () => {
    expect(identityKeysFor({ appid: 'a', openid: 'o' })).toEqual({
      openid: 'wx-openid:a:o',
      primary: 'wx-openid:a:o',
      all: ['wx-openid:a:o'],
    });
  });
});

describe('identity key encoding', () => {
  it("given an appid or openid containing ':', two different callers never share a key", () => {
    expect(identityKeyForOpenid('a:b', 'c')).not.toBe(identityKeyForOpenid('a', 'b:c'));
    expect(identityKeyForOpenid('a%3Ab', 'c')).not.toBe(identityKeyForOpenid('a:b', 'c'));
  });

  it('given real appids, openids and unionids (no : or %), keeps the plain keys already stored', () => {
    expect(identityKeyForOpenid('wx1234567890abcdef', 'oAbC-dEf_123')).toBe('wx-openid:wx1234567890abcdef:oAbC-dEf_123');
    expect(identityKeyForUnionid('oUnion_42')).toBe('wx-unionid:oUnion_42');
  });

  it('parses every key it builds back into the same parts', () => {
    for (const [appid, openid] of [
      ['wxapp1', 'o1'],
      ['a:b', 'c'],
      ['a', 'b:c'],
      ['%3A', '%'],
      ['', 'o'],
    ] as const) {
      expect(parseOpenidKey(identityKeyForOpenid(appid, openid))).toEqual({ appid, openid });
    }
    expect(parseUnionidKey(identityKeyForUnionid('u:%25'))).toBe('u:%25');
  });

  it('given a key it cannot have built, parses nothing', () => {
    for (const key of ['wx-openid:a:b:c', 'wx-openid:a', 'wx-openid:a:', 'wx-openid:a%zz:b', 'wx-unionid:u', 'phone:+86:13800000000']) {
      expect(parseOpenidKey(key)).toBeNull();
    }
    expect(parseUnionidKey('wx-unionid:a:b')).toBeNull();
    expect(parseUnionidKey('wx-unionid:')).toBeNull();
    expect(parseUnionidKey('wx-openid:a:b')).toBeNull();
    expect(decodeKeyComponent('50%')).toBeNull();
  });
});
