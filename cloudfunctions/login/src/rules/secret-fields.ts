/**
 * Which stored fields are secrets or raw identifiers, at any depth: the one rule that adoption of
 * tutorial-era documents (actions/shared/legacy-adoption.ts: removed from the document) and the
 * personal-data export (rules/personal-data.ts: never handed out) share.
 *
 * A secret is recognised by its field name, whatever the spelling apps used for WeChat's
 * session_key and for the tokens of other sign-in services (`session-key`, `skey`, `sk`,
 * `access_token`, `refreshToken`, …), and wherever it sits: top level, inside an object, inside an
 * array of objects. A raw identifier (an openid or unionid field) is never exported either: the
 * export shows the person's own sign-in methods masked, and a document may name someone else's.
 */

/** Field names holding secrets: session keys, tokens, passwords, keys and signatures, in any spelling. */
const SECRET_NAME =
  /session[_-]?key|^skey$|^sk$|secret|token|passw(or)?d|^pwd$|credential|signature|cookie|private[_-]?key|api[_-]?key|auth[_-]?code/i;

/** Field names holding raw identifiers of a WeChat account (the person's or anyone's): `openid`, `_openid`, `friendOpenids`, `union_id`, …. */
const IDENTIFIER_NAME = /open[_-]?id|union[_-]?id/i;

export function isSecretField(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function isIdentifierField(name: string): boolean {
  return IDENTIFIER_NAME.test(name);
}

/** How deep the walk goes: deeper data is dropped whole (a stored document is never that deep). */
const MAX_DEPTH = 16;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * The dotted paths (`userInfo.session_key`, `accounts.0.access_token`) of every secret-named field
 * of `doc`, for an update's remove. A field whose path cannot be written as a dotted path (its
 * name or an ancestor's holds a '.' or starts with '$'), or that sits deeper than MAX_DEPTH, is
 * named by its top-level ancestor instead: the whole field goes rather than the secret staying.
 */
export function secretPaths(doc: Record<string, unknown>): string[] {
  const paths = new Set<string>();
  const walk = (value: unknown, path: string[], depth: number): void => {
    if (depth > MAX_DEPTH) {
      paths.add(path[0] as string);
      return;
    }
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : isPlainObject(value)
        ? Object.entries(value)
        : [];
    for (const [name, inner] of entries) {
      const next = [...path, name];
      const writable = next.every((part) => part !== '' && !part.includes('.') && !part.startsWith('$'));
      if (isSecretField(name) && !/^\d+$/.test(name)) paths.add(writable ? next.join('.') : (next[0] as string));
      else walk(inner, next, depth + 1);
    }
  };
  for (const [name, value] of Object.entries(doc)) {
    if (name === '_id') continue;
    if (isSecretField(name)) paths.add(name);
    else walk(value, [name], 1);
  }
  return [...paths];
}

/**
 * `value` as JSON for an export: dates as ISO 8601, and at every depth no secret-named field, no
 * identifier-named field, no function or other non-JSON value. Deeper than MAX_DEPTH: nothing.
 */
export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1)).filter((item) => item !== undefined);
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value)) {
      if (isSecretField(name) || isIdentifierField(name)) continue;
      const exported = withoutSecrets(inner, depth + 1);
      if (exported !== undefined) result[name] = exported;
    }
    return result;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return undefined;
}
