/**
 * WeChat's side of a message push in 安全模式 (the mode WeChat's console recommends): what WeChat's
 * servers do before they POST a message to the developer's push URL.
 *
 * Platform facts: key = base64(EncodingAESKey + '='), 32 bytes; AES-256-CBC, IV = the key's first 16
 * bytes, PKCS#7 padding to 32-byte blocks; plaintext = 16 random bytes, the message length (4 bytes,
 * big-endian), the message, the AppID. The JSON body is `{ ToUserName, Encrypt }`; the URL carries
 * `signature` (SHA-1 of the sorted Token, timestamp, nonce), `timestamp`, `nonce`, `openid`,
 * `encrypt_type=aes` and `msg_signature` (SHA-1 of the sorted Token, timestamp, nonce, Encrypt).
 * The URL check WeChat makes when the configuration is saved is a GET with `signature`, `timestamp`,
 * `nonce` and `echostr`, answered with `echostr`.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** What a developer enters in WeChat's 消息推送配置 (besides the URL). */
export interface PushCredentials {
  token: string;
  /** 43 characters of [A-Za-z0-9]. */
  encodingAESKey: string;
  /** The mini-program's AppID, appended to every plaintext. */
  appid: string;
}

/** SHA-1 (hex) of the parts sorted as strings and joined: WeChat's signature. */
export function wechatSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Encrypts `message` as WeChat does (`random` is 16 bytes; fresh ones by default). */
export function encryptMessage(message: string, credentials: PushCredentials, random: Buffer = randomBytes(16)): string {
  const key = Buffer.from(`${credentials.encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new Error('the EncodingAESKey must be 43 characters (32 bytes)');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, length, body, Buffer.from(credentials.appid, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export interface SignedPush {
  query: Record<string, string>;
  /** The JSON body WeChat POSTs. */
  body: string;
}

/** The request WeChat sends for one message: encrypted, signed, stamped with `timestampSeconds`. */
export function signedPush(message: Record<string, unknown>, credentials: PushCredentials, timestampSeconds: number): SignedPush {
  const timestamp = String(timestampSeconds);
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const encrypt = encryptMessage(JSON.stringify(message), credentials);
  const openid = typeof message.OpenID === 'string' ? message.OpenID : typeof message.FromUserName === 'string' ? message.FromUserName : '';
  return {
    query: {
      signature: wechatSignature([credentials.token, timestamp, nonce]),
      timestamp,
      nonce,
      ...(openid !== '' && { openid }),
      encrypt_type: 'aes',
      msg_signature: wechatSignature([credentials.token, timestamp, nonce, encrypt]),
    },
    body: JSON.stringify({ ToUserName: typeof message.ToUserName === 'string' ? message.ToUserName : '', Encrypt: encrypt }),
  };
}
