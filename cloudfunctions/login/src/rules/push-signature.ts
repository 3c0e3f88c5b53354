/**
 * What makes a WeChat push genuine, as pure rules over the request the push function receives.
 *
 * Which route: 云开发's own 「消息推送 → 云函数」 routes only the message and event types its console
 * lists (customer-service messages, virtual payments and a few more); `authorized_user_information_changes`
 * is not among them. The route WeChat documents for every event is the message-push URL (「开发管理 →
 * 消息推送配置」: URL, Token, EncodingAESKey, 安全模式, JSON). The push function serves that URL through
 * CloudBase's HTTP access service, so what it receives is an HTTP integration request
 * (`httpMethod`, `queryStringParameters`, `body`, `isBase64Encoded`).
 *
 * Why only 安全模式: in 明文模式 the `signature` covers only Token, timestamp and nonce, not the body —
 * anyone who saw one signed URL could send any body with it. In 安全模式 WeChat sends the message
 * AES-encrypted (`Encrypt`) and `msg_signature` = SHA-1 of the sorted Token, timestamp, nonce and
 * Encrypt; the plaintext ends with the AppID. So a message is acted on only when
 *   1. `msg_signature` matches (only WeChat and this function know the Token),
 *   2. it decrypts with the EncodingAESKey and names this mini-program's AppID,
 *   3. its timestamp is within MAX_SKEW_SECONDS of now (a captured request cannot be replayed later).
 * Anything else — a client calling the function with `callFunction` and any body, for someone else
 * or for themselves — is refused before a single document is read. The Token and EncodingAESKey
 * live in the function's environment variables (filled at deploy time, never committed).
 *
 * Encryption (WeChat's scheme): key = base64(EncodingAESKey + '='), 32 bytes; AES-256-CBC with the
 * first 16 key bytes as IV and PKCS#7 padding to 32-byte blocks; plaintext = 16 random bytes, the
 * message length (4 bytes, big-endian), the message, the AppID.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/** A push whose timestamp is further than this from now is refused (WeChat retries within seconds). */
export const MAX_SKEW_SECONDS = 300;
/** The HTTP body a push may have: an encrypted event is a few hundred bytes. */
const MAX_BODY_LENGTH = 64 * 1024;

export interface PushSecrets {
  token: string;
  /** 43 characters of [A-Za-z0-9], as WeChat's console generates it. */
  encodingAESKey: string;
  /** The mini-program's AppID: the plaintext's last bytes must name it. */
  appid: string;
}

/** Environment variables the push function reads its secrets from. */
export const PUSH_SECRET_VARIABLES = {
  token: 'WECHAT_PUSH_TOKEN',
  encodingAESKey: 'WECHAT_PUSH_AES_KEY',
  appid: 'WECHAT_APPID',
} as const;

/** The secrets, or why they cannot be used (a function without them refuses every push). */
export function pushSecretsFrom(env: Record<string, string | undefined>): PushSecrets | { problem: string } {
  const token = env[PUSH_SECRET_VARIABLES.token] ?? '';
  const encodingAESKey = env[PUSH_SECRET_VARIABLES.encodingAESKey] ?? '';
  const appid = env[PUSH_SECRET_VARIABLES.appid] ?? '';
  if (!/^[A-Za-z0-9]{3,32}$/.test(token)) return { problem: `${PUSH_SECRET_VARIABLES.token} must be 3-32 letters or digits` };
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) return { problem: `${PUSH_SECRET_VARIABLES.encodingAESKey} must be 43 letters or digits` };
  if (appid === '') return { problem: `${PUSH_SECRET_VARIABLES.appid} is not set` };
  return { token, encodingAESKey, appid };
}

/** WeChat's signature: SHA-1 (hex) of the parts sorted as strings and joined. */
export function pushSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type DecryptResult = { ok: true; text: string } | { ok: false; reason: string };

/** Decrypts `Encrypt` and checks that it names `appid`. */
export function decryptPushMessage(encrypt: string, secrets: PushSecrets): DecryptResult {
  const key = Buffer.from(`${secrets.encodingAESKey}=`, 'base64');
  if (key.length !== 32) return { ok: false, reason: 'the EncodingAESKey is not 32 bytes' };
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  } catch {
    return { ok: false, reason: 'Encrypt does not decrypt' };
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32 || pad > plain.length) return { ok: false, reason: 'Encrypt has a wrong padding' };
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) return { ok: false, reason: 'Encrypt is too short' };
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) return { ok: false, reason: 'Encrypt has a wrong length' };
  const appid = content.subarray(20 + length).toString('utf8');
  if (!sameText(appid, secrets.appid)) return { ok: false, reason: 'the message is for another AppID' };
  return { ok: true, text: content.subarray(20, 20 + length).toString('utf8') };
}

/** What one request to the push URL is. */
export type PushRequest =
  /** WeChat's URL check when the configuration is saved: answer `echostr`. */
  | { kind: 'verify'; echostr: string }
  /** A genuine push: the decrypted JSON text. */
  | { kind: 'message'; text: string }
  | { kind: 'refused'; reason: string };

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Reads the function's event as a request to the push URL. `nowSeconds` is the function's clock.
 * Never throws: whatever a caller sends is either proven WeChat's or refused.
 */
export function readPushRequest(event: unknown, secrets: PushSecrets, nowSeconds: number): PushRequest {
  const request = record(event);
  const query = record(request?.queryStringParameters);
  if (!request || !query || typeof request.httpMethod !== 'string')
    return { kind: 'refused', reason: 'not an HTTP request to the push URL' };
  const timestamp = text(query.timestamp);
  const nonce = text(query.nonce);
  if (!/^\d{1,12}$/.test(timestamp) || nonce === '' || nonce.length > 64) return { kind: 'refused', reason: 'timestamp or nonce missing' };
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS) return { kind: 'refused', reason: 'the timestamp is too far from now' };

  if (request.httpMethod.toUpperCase() === 'GET') {
    const signature = text(query.signature);
    const echostr = text(query.echostr);
    if (echostr === '' || !sameText(signature, pushSignature([secrets.token, timestamp, nonce]))) {
      return { kind: 'refused', reason: 'the URL check is not signed with the Token' };
    }
    return { kind: 'verify', echostr };
  }
  if (request.httpMethod.toUpperCase() !== 'POST') return { kind: 'refused', reason: `method ${request.httpMethod.slice(0, 10)}` };
  if (text(query.encrypt_type) !== 'aes') return { kind: 'refused', reason: 'not encrypted: the push URL takes 安全模式 only' };

  const raw = text(request.body);
  // CloudBase documents the flag as "true or false"; a string form is read the same.
  const base64 = request.isBase64Encoded === true || request.isBase64Encoded === 'true';
  const bodyText = base64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (bodyText.length > MAX_BODY_LENGTH) return { kind: 'refused', reason: 'the body is too large' };
  let body: Record<string, unknown> | null = null;
  try {
    body = record(JSON.parse(bodyText));
  } catch {
    body = null;
  }
  const encrypt = text(body?.Encrypt);
  if (encrypt === '') return { kind: 'refused', reason: 'the body has no Encrypt' };
  if (!sameText(text(query.msg_signature), pushSignature([secrets.token, timestamp, nonce, encrypt]))) {
    return { kind: 'refused', reason: 'msg_signature does not match' };
  }
  const decrypted = decryptPushMessage(encrypt, secrets);
  return decrypted.ok ? { kind: 'message', text: decrypted.text } : { kind: 'refused', reason: decrypted.reason };
}
