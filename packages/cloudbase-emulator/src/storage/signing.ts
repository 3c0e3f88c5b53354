/**
 * Signatures for the emulator's upload and download URLs.
 *
 * Like COS and CloudBase's CDN, access is granted by a signature over the object and an expiry
 * time, not by server-side state: an upload authorization (from storage.getUploadMetadata) or a
 * temporary download URL (from storage.batchGetDownloadUrl) keeps working until it expires, also
 * across restarts of an emulator with a data directory (the key is kept in the storage index).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Purpose = 'upload' | 'download';

export function sign(secret: string, purpose: Purpose, cloudPath: string, expiresAtSeconds: number): string {
  return createHmac('sha256', secret).update(`${purpose}\n${cloudPath}\n${expiresAtSeconds}`).digest('hex').slice(0, 32);
}

export type Verdict = 'ok' | 'expired' | 'invalid';

export function verify(
  secret: string,
  purpose: Purpose,
  cloudPath: string,
  signature: string,
  expiresAtSeconds: number,
  nowSeconds: number,
): Verdict {
  if (!Number.isSafeInteger(expiresAtSeconds)) return 'invalid';
  const expected = Buffer.from(sign(secret, purpose, cloudPath, expiresAtSeconds));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return nowSeconds > expiresAtSeconds ? 'expired' : 'ok';
}

/** The `Authorization` header value the SDK sends back with its PUT, shaped like a COS one. */
export function uploadAuthorization(secret: string, cloudPath: string, nowSeconds: number, ttlSeconds: number): string {
  const expiresAt = nowSeconds + ttlSeconds;
  return [
    'q-sign-algorithm=sha256',
    'q-ak=emulator',
    `q-sign-time=${nowSeconds};${expiresAt}`,
    `q-key-time=${nowSeconds};${expiresAt}`,
    'q-header-list=',
    'q-url-param-list=',
    `q-signature=${sign(secret, 'upload', cloudPath, expiresAt)}`,
  ].join('&');
}

export function verifyUploadAuthorization(secret: string, cloudPath: string, header: string, nowSeconds: number): Verdict {
  const fields = new URLSearchParams(header);
  const expiresAt = Number((fields.get('q-sign-time') ?? '').split(';')[1]);
  return verify(secret, 'upload', cloudPath, fields.get('q-signature') ?? '', expiresAt, nowSeconds);
}
