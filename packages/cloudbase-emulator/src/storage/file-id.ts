/**
 * CloudBase file ids and cloud paths.
 *
 * A CloudBase fileID reads `cloud://<env>.<bucket>/<cloudPath>`, where the bucket is named
 * `<hex of the env's first two characters>-<env>-<account appid>`, e.g.
 * `cloud://test-1a2b.7465-test-1a2b-1250000000/avatars/u1.png`. The emulator keeps that shape (with
 * a made-up account appid) so code that parses or stores fileIDs sees what production gives it.
 */

/** Stands for the Tencent Cloud account APPID that real bucket names end with. */
export const EMULATOR_ACCOUNT_APPID = '1250000000';

/** The CloudBase documented limit for a cloud path, in UTF-8 bytes. */
export const MAX_CLOUD_PATH_BYTES = 850;

export function bucketFor(env: string): string {
  return `${Buffer.from(env.slice(0, 2), 'utf8').toString('hex')}-${env}-${EMULATOR_ACCOUNT_APPID}`;
}

export function fileIdFor(env: string, cloudPath: string): string {
  return `cloud://${env}.${bucketFor(env)}/${cloudPath}`;
}

export type ParsedFileId =
  | { ok: true; cloudPath: string }
  /** Not a `cloud://<env>.<bucket>/<path>` string at all. */
  | { ok: false; reason: 'malformed' }
  /** Well-formed, but names another environment or bucket: it cannot exist here. */
  | { ok: false; reason: 'elsewhere' };

export function parseFileId(env: string, fileID: string): ParsedFileId {
  const match = /^cloud:\/\/([^./]+)\.([^/]+)\/(.+)$/.exec(fileID);
  if (!match?.[1] || !match[2] || !match[3]) return { ok: false, reason: 'malformed' };
  if (match[1] !== env || match[2] !== bucketFor(env)) return { ok: false, reason: 'elsewhere' };
  return { ok: true, cloudPath: match[3] };
}

/**
 * Why a cloud path is refused, or null when it is acceptable. Follows CloudBase's naming rules
 * (not empty, no leading '/', no '//', at most 850 bytes, none of `^"\{}[]~%#<>` nor control or
 * U+0080–U+00FF characters). The emulator also refuses '?', '.' and '..' segments and a trailing
 * '/', which would not survive a trip through a URL.
 */
export function cloudPathProblem(cloudPath: string): string | null {
  if (cloudPath === '') return 'cloudPath is empty';
  if (cloudPath.startsWith('/')) return 'cloudPath must not start with /';
  if (cloudPath.endsWith('/')) return 'cloudPath must name a file, not end with /';
  if (cloudPath.includes('//')) return 'cloudPath must not contain //';
  if (Buffer.byteLength(cloudPath, 'utf8') > MAX_CLOUD_PATH_BYTES) {
    return `cloudPath is longer than ${MAX_CLOUD_PATH_BYTES} bytes`;
  }
  if (/[\u0000-\u001f\u007f-\u00ff`^"\\{}[\]~%#<>?]/.test(cloudPath)) {
    return 'cloudPath contains a character CloudBase does not allow';
  }
  if (cloudPath.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'cloudPath must not contain . or .. segments';
  }
  return null;
}
