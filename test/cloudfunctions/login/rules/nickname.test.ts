import {
  checkNickname,
  hasInvisibleCharacters,
  NICKNAME_MAX_LENGTH,
  nicknameFrom,
} from '../../../../cloudfunctions/login/src/rules/nickname';

describe('checkNickname', () => {
  it('given a name with surrounding spaces, trims it', () => {
    expect(checkNickname('  小明  ')).toEqual({ ok: true, nickName: '小明' });
  });

  it('given emoji, including joined sequences, accepts them', () => {
    expect(checkNickname('阿花🌸👨‍👩‍👧')).toEqual({ ok: true, nickName: '阿花🌸👨‍👩‍👧' });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['too long', '长'.repeat(NICKNAME_MAX_LENGTH + 1)],
    ['a control character', 'a\u0007b'],
    ['a newline', 'a\nb'],
    ['a zero-width space', 'ad\u200bmin'],
    ['a right-to-left override', 'abc\u202etxt.exe'],
    ['a line separator', 'a\u2028b'],
    ['a private-use character', 'a\ue000'],
  ])('given %s, refuses it', (_name, input) => {
    expect(checkNickname(input).ok).toBe(false);
  });

  it('given exactly the maximum length in characters (not UTF-16 units), accepts it', () => {
    expect(checkNickname('😀'.repeat(NICKNAME_MAX_LENGTH)).ok).toBe(true);
  });
});

describe('nicknameFrom (a nickname another system stored)', () => {
  it('given a name the rule accepts, keeps it as checkNickname gives it', () => {
    expect(nicknameFrom('  阿花🌸👨‍👩‍👧 ')).toBe('阿花🌸👨‍👩‍👧');
  });

  it('given more than the maximum of emoji, cuts by code point: never half a surrogate pair', () => {
    const cut = nicknameFrom('😀'.repeat(NICKNAME_MAX_LENGTH + 1));
    expect(cut).toBe('😀'.repeat(NICKNAME_MAX_LENGTH));
    expect(/\p{Cs}/u.test(cut)).toBe(false);
    expect(checkNickname(cut)).toEqual({ ok: true, nickName: cut });
  });

  it('given a cut that ends on a zero-width joiner, drops the dangling joiner', () => {
    const name = `${'长'.repeat(NICKNAME_MAX_LENGTH - 2)}👨‍👩‍👧`;
    expect(nicknameFrom(name)).toBe(`${'长'.repeat(NICKNAME_MAX_LENGTH - 2)}👨`);
  });

  it('given control, format and separator characters, removes them and keeps the rest', () => {
    expect(nicknameFrom('a\u0007b\u202ec\u200bd\u2028e\u0000')).toBe('abcde');
  });

  it('given a lone surrogate, removes it', () => {
    expect(nicknameFrom('ab\ud83dc')).toBe('abc');
  });

  it('given nothing usable, answers an empty nickname', () => {
    expect(nicknameFrom('\u0000\u200b  ')).toBe('');
  });

  it('tells whether a text holds what the rule refuses, the joiner of emoji aside', () => {
    expect(hasInvisibleCharacters('👨‍👩‍👧')).toBe(false);
    expect(hasInvisibleCharacters('a\u200bb')).toBe(true);
    expect(hasInvisibleCharacters('a\nb')).toBe(true);
  });
});
