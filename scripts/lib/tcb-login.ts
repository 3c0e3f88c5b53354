/**
 * Whether `tcb login` has been done, decided offline from the credential file the CLI writes,
 * so `npm run deploy` can stop with a clear message instead of the CLI opening a browser to log
 * in halfway through a deploy (its commands run an interactive login when none is found).
 *
 * Platform facts (@cloudbase/cli 2.x, @cloudbase/toolbox):
 *   - The file is `~/.config/.cloudbase/auth.json` (`os.tmpdir()/.config/.cloudbase/auth.json`
 *     when the home folder is not writable), a lowdb JSON document: `{ "credential": {...} }`.
 *   - `tcb login --apiKeyId … --apiKey …` (CI) stores `{ secretId, secretKey[, token] }`: valid
 *     until the key is revoked, which only the network can tell.
 *   - Browser / device login stores `{ tmpSecretId, tmpSecretKey, tmpToken, tmpExpired, expired,
 *     refreshToken, … }`. The short-lived token is refreshed by the CLI itself while `expired`
 *     (milliseconds since the epoch) is in the future; after that a new `tcb login` is needed.
 *   - `tcb logout` leaves `"credential": {}`.
 *   - TENCENTCLOUD_SECRETID / SECRETKEY in the environment are not a login for it: the CLI falls
 *     back to them only when its stored credential object is missing, and its store always
 *     answers one (`{}` by default). In CI, run `tcb login --apiKeyId … --apiKey …` first.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type LoginState = { loggedIn: true; kind: 'api-key' | 'browser'; file: string } | { loggedIn: false; reason: string; file: string };

/** The credential file the CLI would use on this machine. */
export function credentialFile(home = os.homedir(), tmp = os.tmpdir()): string {
  let homeUsable = home !== '';
  try {
    accessSync(home, constants.R_OK | constants.W_OK);
  } catch {
    homeUsable = false;
  }
  return path.join(homeUsable ? home : tmp, '.config', '.cloudbase', 'auth.json');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Pure: the login state a credential file's content (undefined: no file) implies at `now` (ms). */
export function loginStateFromCredentialFile(content: string | undefined, now: number, file: string): LoginState {
  if (content === undefined) return { loggedIn: false, reason: '没有凭据文件，从未登录', file };
  let credential: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(content) as { credential?: unknown };
    if (typeof parsed.credential === 'object' && parsed.credential !== null) credential = parsed.credential as Record<string, unknown>;
  } catch {
    return { loggedIn: false, reason: '凭据文件损坏', file };
  }
  const secretId = text(credential.secretId) ?? text(credential.tmpSecretId);
  const secretKey = text(credential.secretKey) ?? text(credential.tmpSecretKey);
  if (!secretId || !secretKey) return { loggedIn: false, reason: '凭据为空，已退出登录', file };

  if (credential.refreshToken !== undefined) {
    const refreshUntil = Number(credential.expired);
    if (!Number.isFinite(refreshUntil) || refreshUntil <= now) return { loggedIn: false, reason: '登录已过期', file };
    return { loggedIn: true, kind: 'browser', file };
  }
  return { loggedIn: true, kind: 'api-key', file };
}

export function readLoginState(now = Date.now(), file = credentialFile()): LoginState {
  const content = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  return loginStateFromCredentialFile(content, now, file);
}
