/**
 * Secret hygiene: the design needs no AppSecret (identity comes from cloud.getWXContext()) and
 * nothing ever handles session_key except the code that deletes it from legacy documents. So:
 *
 *   - An AppSecret-like value — 32 hex digits mixing letters and digits, standing alone — may not
 *     appear in miniprogram/, in built function output, or in the project's config files.
 *   - `session_key` (WeChat's spelling) may not appear in miniprogram/ at all: the client has no
 *     reason to name it.
 *   - In built function output (what is uploaded: minified, so comments and markers are gone) the
 *     word may appear only inside a deny-list literal: an array whose every element is a secret
 *     field name, such as `["session_key","sessionKey"]`. That is the shape of the strip site
 *     (login's LEGACY_SECRET_FIELDS, whose entries are deleted from legacy user documents). Any
 *     other use — `res.session_key`, `{session_key: …}`, `doc["session_key"]`, a pick-list that
 *     also names public fields — is reported. wx-server-sdk's own bundled code mentions neither.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { relativePath } from '../json-file';
import { problem, type Problem } from '../problem';
import { LEGACY_SECRET_FIELDS } from '../../../cloudfunctions/login/src/actions/shared/legacy-adoption';

export interface TextFinding {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** A short window around the match: built files are one 600 KB line. */
  excerpt: string;
}

/**
 * Field names that are secrets; a literal array of nothing but these is a deny-list. The same list
 * the login strips from adopted tutorial documents.
 */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set<string>(LEGACY_SECRET_FIELDS);

const APP_SECRET_LIKE = /(?<![0-9A-Za-z_$])[0-9a-fA-F]{32}(?![0-9A-Za-z_$])/g;
// Only the snake_case spelling WeChat uses: `sessionKey` is an everyday name for a local
// session cache key (miniprogram/services/auth/session-store.ts has one) and would be noise.
const SESSION_KEY_WORD = /session_key/g;

function locate(text: string, index: number, length: number): TextFinding {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  const start = Math.max(0, index - 30);
  const excerpt = text
    .slice(start, index + length + 30)
    .replace(/\s+/g, ' ')
    .trim();
  return { line, column, excerpt };
}

/** 32 hex digits with at least one letter and one digit (a run of one class is a number or padding). */
export function findAppSecretLike(text: string): TextFinding[] {
  return [...text.matchAll(APP_SECRET_LIKE)]
    .filter(([match]) => /[0-9]/.test(match) && /[a-fA-F]/.test(match))
    .map((match) => locate(text, match.index, match[0].length));
}

const STRING_LITERAL_BEFORE = /(["'])([\w$]*)\1\s*$/;
const STRING_LITERAL_AFTER = /^\s*(["'])([\w$]*)\1/;

/**
 * True when text[start, end) — the inside of a quoted string — is one element of an array literal
 * whose elements are all secret field names. Walks outwards over `"name",` neighbours to the
 * brackets, then makes sure the `[` opens an array rather than a computed member access.
 */
function isInsideSecretDenyList(text: string, start: number, end: number): boolean {
  const quote = text[start - 1];
  if ((quote !== '"' && quote !== "'") || text[end] !== quote) return false;
  if (!SECRET_FIELD_NAMES.has(text.slice(start, end))) return false;

  let left = text.slice(0, start - 1).trimEnd();
  while (left.endsWith(',')) {
    const previous = STRING_LITERAL_BEFORE.exec(left.slice(0, -1));
    if (!previous || !SECRET_FIELD_NAMES.has(previous[2] ?? '')) return false;
    left = left.slice(0, previous.index).trimEnd();
  }
  if (!left.endsWith('[')) return false;
  // `x["session_key"]`, `f()["session_key"]`, `a[0]["session_key"]`: member access, not a list.
  if (/[\w$)\]]$/.test(left.slice(0, -1).trimEnd())) return false;

  let right = text.slice(end + 1).trimStart();
  while (right.startsWith(',')) {
    const next = STRING_LITERAL_AFTER.exec(right.slice(1));
    if (!next || !SECRET_FIELD_NAMES.has(next[2] ?? '')) return false;
    right = right.slice(1 + next[0].length).trimStart();
  }
  return right.startsWith(']');
}

export function findSessionKeyMentions(text: string, options: { allowDenyLists: boolean }): TextFinding[] {
  return [...text.matchAll(SESSION_KEY_WORD)]
    .filter((match) => !(options.allowDenyLists && isInsideSecretDenyList(text, match.index, match.index + match[0].length)))
    .map((match) => locate(text, match.index, match[0].length));
}

const TEXT_EXTENSIONS = new Set(['.ts', '.js', '.mjs', '.cjs', '.wxml', '.wxss', '.wxs', '.json', '.less', '.scss', '.css', '.md', '.txt']);

function listTextFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listTextFiles(full);
      return TEXT_EXTENSIONS.has(path.extname(entry.name)) ? [full] : [];
    });
}

function appSecretProblems(root: string, file: string, text: string): Problem[] {
  return findAppSecretLike(text).map((found) =>
    problem(
      relativePath(root, file),
      `line ${found.line}`,
      `疑似 AppSecret 的 32 位十六进制值（第 ${found.column} 列：…${found.excerpt}…）。本项目不需要 AppSecret：身份来自 cloud.getWXContext()，请删除它并在微信公众平台重置 AppSecret`,
    ),
  );
}

export interface SecretHygieneScope {
  /** Absolute: the mini-program's source folder. */
  miniprogramRoot: string;
  /** Absolute: each built function file that gets uploaded (cloudfunctions/<name>/index.js). */
  builtFunctionFiles: string[];
  /** Absolute: config files that could carry a secret (cloudbaserc.json, project.config.json, .env.example). */
  configFiles: string[];
}

export function checkSecretHygiene(root: string, scope: SecretHygieneScope): Problem[] {
  const problems: Problem[] = [];
  const read = (file: string): string | undefined => (existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined);

  for (const file of listTextFiles(scope.miniprogramRoot)) {
    const text = read(file) ?? '';
    problems.push(...appSecretProblems(root, file, text));
    for (const found of findSessionKeyMentions(text, { allowDenyLists: false })) {
      problems.push(
        problem(
          relativePath(root, file),
          `line ${found.line}`,
          `小程序代码中出现 session_key（第 ${found.column} 列：…${found.excerpt}…）。session_key 只属于服务端，客户端不应读取、保存或提及它`,
        ),
      );
    }
  }

  for (const file of scope.builtFunctionFiles) {
    const text = read(file);
    if (text === undefined) continue; // "not built" is reported by the cloudbaserc check
    problems.push(...appSecretProblems(root, file, text));
    for (const found of findSessionKeyMentions(text, { allowDenyLists: true })) {
      problems.push(
        problem(
          relativePath(root, file),
          `line ${found.line}`,
          `构建产物中出现 session_key（第 ${found.column} 列：…${found.excerpt}…）。只允许出现在删除它的字段列表里（如 ['session_key', 'sessionKey']），任何读取、返回或保存都不允许`,
        ),
      );
    }
  }

  for (const file of scope.configFiles) {
    const text = read(file);
    if (text !== undefined) problems.push(...appSecretProblems(root, file, text));
  }
  return problems;
}
