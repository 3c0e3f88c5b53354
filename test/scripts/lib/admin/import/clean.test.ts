import { cleanPerson, MAX_IMPORTED_ID_LENGTH, shownId } from '../../../../../scripts/lib/admin/import/clean';
import type { SourcePerson } from '../../../../../scripts/lib/admin/import/sources';

const person: SourcePerson = {
  sourceId: '5f1a2b3c4d5e6f7a8b9c0d1e',
  openid: 'oLc_xiaoming_0001',
  unionid: 'uLc_xiaoming_0001',
  nickName: '小明',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/a/132',
  phone: null,
  createdAt: null,
  disabled: false,
};

describe('cleanPerson', () => {
  it('given values the login accepts, keeps them and names nothing as cleaned', () => {
    expect(cleanPerson(person)).toEqual({ ok: true, person, cleaned: [] });
  });

  it('given a nickname and an avatar URL the login would refuse, cleans the one and drops the other, naming both', () => {
    expect(cleanPerson({ ...person, nickName: '小\u202e明\u0007', avatarUrl: 'javascript:alert(1)' })).toEqual({
      ok: true,
      person: { ...person, nickName: '小明', avatarUrl: '' },
      cleaned: ['nickName', 'avatarUrl'],
    });
  });

  it.each([
    ['an overlong record id', { sourceId: 'x'.repeat(MAX_IMPORTED_ID_LENGTH + 1) }, 'sourceId is longer than 128'],
    ['an overlong openid', { openid: 'o'.repeat(100_000) }, 'openid is longer than 128'],
    ['an openid with a control character', { openid: 'o\u0000x' }, 'openid contains'],
    ['a unionid with a zero-width space', { unionid: 'u\u200bx' }, 'unionid contains'],
    ['a record id with a space', { sourceId: 'a b' }, 'sourceId contains'],
  ])('given %s, refuses the record: an id is never cut or cleaned into another person', (_name, change, reason) => {
    expect(cleanPerson({ ...person, ...change })).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});

describe('shownId', () => {
  it('prints a plain id as it is', () => {
    expect(shownId('5f1a2b3c4d5e6f7a8b9c0d1e')).toBe('5f1a2b3c4d5e6f7a8b9c0d1e');
  });

  it('escapes control characters, so a hostile id cannot move the terminal cursor', () => {
    expect(shownId('a\u001b[2Jb')).toBe('a\\u{1b}[2Jb');
  });

  it('cuts an absurd id to 64 characters and says how long it was', () => {
    expect(shownId('x'.repeat(100_000))).toBe(`${'x'.repeat(64)}…（共 100000 个字符）`);
  });
});
