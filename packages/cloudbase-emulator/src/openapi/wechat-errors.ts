/**
 * WeChat open-API error answers the emulator gives, with the errmsg text WeChat uses.
 *
 * WeChat appends ` rid: <id>` to every errmsg (and `hint: [...]` to some); callers should match on
 * errcode, never on the text. Through wx-server-sdk a non-zero errcode is thrown as
 * `{ errCode: errcode, errMsg: 'openapi.<api>:fail <errmsg>' }`.
 */
import { randomBytes } from 'node:crypto';

export const WX_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40029: 'invalid code',
  40129: 'invalid scene',
  40159: 'invalid length for path, or the data is not json string',
  40169: 'invalid length for scene, or the data is not json string',
  41030: 'invalid page',
  47003: 'argument invalid!',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  47001: 'data format error',
  48001: 'api unauthorized',
  43101: 'user refuse to accept the msg',
  87014: 'risky content',
  1400001: 'the quota of the phone number component is used up',
};

export interface WxErrorBody {
  errcode: number;
  errmsg: string;
}

/** `rid` / `trace_id` as WeChat prints them: three groups of 8 hex digits. */
export function wechatRequestId(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

export function wxError(errcode: number): WxErrorBody {
  const text = WX_ERRMSG[errcode] ?? 'system error';
  return { errcode, errmsg: `${text} rid: ${wechatRequestId()}` };
}
