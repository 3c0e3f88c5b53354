/**
 * What an import may store of a source record, decided by the login's own rules: an export file
 * is input nobody checked, as untrusted as an event from the mini-program.
 *
 * - ids (the record's id, openid, unionid) are refused with the record — never cut — when they are
 *   empty, longer than the login accepts an event field (server-auth event-fields) or hold an
 *   invisible or control character (the nickname rule's set): a cut or cleaned id would name
 *   another person;
 * - the nickname is made to pass the login's nickname rule (rules/nickname.ts): NFC, invisible and
 *   control characters removed, cut to 20 code points (never half a surrogate pair);
 * - the avatar URL is kept only when it is an http(s) URL (rules/avatar-file.ts): a `javascript:`
 *   or `data:` URL is dropped.
 * Every value changed or dropped is named per record in the report (`cleaned`).
 */
import { externalAvatarUrlProblem } from '../../../../cloudfunctions/login/src/rules/avatar-file';
import { AppError } from '../../../../cloudfunctions/login/src/rules/errors';
import { requiredString } from '../../../../cloudfunctions/login/src/rules/event-fields';
import { hasInvisibleCharacters, nicknameFrom } from '../../../../cloudfunctions/login/src/rules/nickname';
import type { SourcePerson } from './sources';

/** Longest id kept: source ids are 24–32 characters, openids 28, unionids 29. */
export const MAX_IMPORTED_ID_LENGTH = 128;

export type CleanedPerson = { ok: true; person: SourcePerson; cleaned: string[] } | { ok: false; reason: string };

function idProblem(name: string, value: string): string | null {
  try {
    requiredString({ [name]: value }, name, MAX_IMPORTED_ID_LENGTH);
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
  return hasInvisibleCharacters(value) || /\s/.test(value) ? `${name} contains spaces, control or invisible characters` : null;
}

/** The person as it may be stored, with the fields that were changed; or why the record is refused. */
export function cleanPerson(person: SourcePerson): CleanedPerson {
  const ids: Array<[string, string | null]> = [
    ['sourceId', person.sourceId],
    ['openid', person.openid],
    ['unionid', person.unionid],
  ];
  for (const [name, value] of ids) {
    const problem = value === null ? null : idProblem(name, value);
    if (problem) return { ok: false, reason: `refused: ${problem}` };
  }
  const cleaned: string[] = [];
  const nickName = nicknameFrom(person.nickName);
  if (nickName !== person.nickName) cleaned.push('nickName');
  const avatarUrl = person.avatarUrl === '' || externalAvatarUrlProblem(person.avatarUrl) === null ? person.avatarUrl : '';
  if (avatarUrl !== person.avatarUrl) cleaned.push('avatarUrl');
  return { ok: true, person: { ...person, nickName, avatarUrl }, cleaned };
}

/**
 * A source id as the report may print it: at most 64 characters, control and invisible characters
 * escaped, so that a hostile id can neither flood the terminal nor move its cursor.
 */
export function shownId(sourceId: string): string {
  const characters = [...sourceId];
  const escaped = characters
    .slice(0, 64)
    .map((char) => (hasInvisibleCharacters(char) ? `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}` : char))
    .join('');
  return characters.length > 64 ? `${escaped}…（共 ${characters.length} 个字符）` : escaped;
}
