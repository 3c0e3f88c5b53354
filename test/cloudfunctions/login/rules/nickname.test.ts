import { checkNickname, NICKNAME_MAX_LENGTH } from '../../../../cloudfunctions/login/src/rules/nickname';

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
