import {
  DEFAULT_IDENTITY,
  identityFromQuery,
  identityHeaders,
  matchPreset,
  presetIdentity,
  PRESET_APPS,
  PRESET_PEOPLE,
  queryForIdentity,
} from '../../runtime/identity';

describe('the simulated WeChat identity', () => {
  it('gives one person one unionid and a different openid in each mini-program', () => {
    const [person] = PRESET_PEOPLE;
    const [appA, appB] = PRESET_APPS;
    const inA = presetIdentity(person!, appA!);
    const inB = presetIdentity(person!, appB!);
    expect(inA.unionid).toBe(inB.unionid);
    expect(inA.openid).not.toBe(inB.openid);
    expect(inA.appid).not.toBe(inB.appid);
  });

  it('travels in the page query and comes back the same', () => {
    const identity = { openid: 'o-1', unionid: '', appid: 'wx123' };
    expect(identityFromQuery(queryForIdentity(identity))).toEqual(identity);
    expect(identityFromQuery('')).toEqual(DEFAULT_IDENTITY);
    expect(identityFromQuery('?openid=has space&appid=wx')).toEqual(DEFAULT_IDENTITY);
  });

  it('recognizes presets, and nothing for custom values', () => {
    const identity = presetIdentity(PRESET_PEOPLE[1]!, PRESET_APPS[1]!);
    expect(matchPreset(identity)).toEqual({ person: PRESET_PEOPLE[1], app: PRESET_APPS[1] });
    expect(matchPreset({ openid: 'x', unionid: '', appid: 'y' })).toEqual({ person: null, app: null });
  });

  it('becomes the x-wx-* headers the emulator reads, without unionid when there is none', () => {
    expect(identityHeaders({ openid: 'o', unionid: 'u', appid: 'a' })).toEqual({
      'x-wx-openid': 'o',
      'x-wx-appid': 'a',
      'x-wx-unionid': 'u',
    });
    expect(identityHeaders({ openid: 'o', unionid: '', appid: 'a' })).toEqual({ 'x-wx-openid': 'o', 'x-wx-appid': 'a' });
  });
});
