/**
 * Nickname rules, checked before WeChat's content check (which costs a call).
 *
 * `<input type="nickname">` offers the WeChat nickname, which may contain emoji; what it must not
 * contain is anything that renders invisibly or reorders text: control characters, format
 * characters (zero-width spaces, bidi overrides that make a name display as something else),
 * line/paragraph separators, private-use and unpaired surrogate code points. The zero-width joiner
 * is allowed because emoji sequences (👨‍👩‍👧) are built with it.
 */

export const NICKNAME_MAX_LENGTH = 20;

// Cc control, Cf format, Zl/Zp separators, Co private use, Cs lone surrogates.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;
const FORBIDDEN_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/gu;
const ZERO_WIDTH_JOINER = /\u200d/g;

export type NicknameCheck = { ok: true; nickName: string } | { ok: false; reason: string };

/** NFC-normalised and trimmed; 1 to NICKNAME_MAX_LENGTH characters (code points). */
export function checkNickname(input: string): NicknameCheck {
  const nickName = input.normalize('NFC').trim();
  if (nickName === '') return { ok: false, reason: 'nickName is empty' };
  const length = [...nickName].length;
  if (length > NICKNAME_MAX_LENGTH) return { ok: false, reason: `nickName is longer than ${NICKNAME_MAX_LENGTH} characters` };
  if (FORBIDDEN.test(nickName.replace(ZERO_WIDTH_JOINER, ''))) {
    return { ok: false, reason: 'nickName contains control or invisible characters' };
  }
  return { ok: true, nickName };
}

/** Whether `text` holds a character checkNickname refuses (the zero-width joiner of emoji aside). */
export function hasInvisibleCharacters(text: string): boolean {
  return FORBIDDEN.test(text.replace(ZERO_WIDTH_JOINER, ''));
}

/**
 * A nickname from elsewhere (an import) made to pass checkNickname where it can: NFC, the refused
 * characters removed (the zero-width joiner of emoji kept), cut to NICKNAME_MAX_LENGTH code points
 * (never inside a surrogate pair), a joiner left dangling by the cut dropped. '' when nothing
 * usable remains: the person sets a nickname at their next profile edit.
 */
export function nicknameFrom(input: string): string {
  const visible = input
    .normalize('NFC')
    .replace(FORBIDDEN_ALL, (char) => (char === '\u200d' ? char : ''))
    .trim();
  const cut = [...visible]
    .slice(0, NICKNAME_MAX_LENGTH)
    .join('')
    .replace(/\u200d+$/, '')
    .trim();
  const checked = checkNickname(cut);
  return checked.ok ? checked.nickName : '';
}
