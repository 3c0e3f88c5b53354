import { identityKeysFor, readWxIdentity } from '../../../../cloudfunctions/login/src/rules/identity';

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
