/**
 * `phonenumber.getPhoneNumber`: trades the code from `<button open-type="getPhoneNumber">` for the
 * user's phone number.
 *
 * The same call trades the codes of both paid checks, 手机号快速验证 (`open-type="getPhoneNumber"`) and
 * 手机号实时验证 (`open-type="getRealtimePhoneNumber"`): WeChat does not tell them apart here.
 *
 * WeChat's rules, kept here: a code is valid for 5 minutes and only once; anything else is
 * errcode 40029 `invalid code`. The emulator has no real users, so codes are test fixtures:
 *
 * - `phone:<number>`                       that number, single use, no expiry (hand-written fixtures)
 * - `phone:<number>:<issuedAtMs>[-<nonce>]` that number, single use, expires 5 minutes after issuedAtMs
 *                                           (what `issueCode` mints and what a preview shim should send)
 * - any code listed in `phoneCodes`         its number, single use, no expiry
 * - `fail:<errcode>`, or a code listed in `failureCodes`: always that WeChat error (never consumed),
 *   e.g. `fail:45011` minute quota, `fail:45009` daily quota, `fail:48001` api unauthorized,
 *   `fail:40013` invalid appid, `fail:1400001` the paid component's quota used up (named `no-quota`).
 *
 * `<number>` is digits for a mainland number (country code 86) or `+<cc>-<digits>` otherwise.
 */
import { randomBytes } from 'node:crypto';
import { wxError, type WxErrorBody } from './wechat-errors';

/** WeChat: "每个 code 只能使用一次，code 的有效期为 5min". */
export const PHONE_CODE_TTL_MS = 5 * 60 * 1000;

/** Named failure codes available without configuration. */
export const DEFAULT_PHONE_FAILURE_CODES: Readonly<Record<string, number>> = {
  'quota-daily': 45009,
  'quota-minute': 45011,
  'api-unauthorized': 48001,
  'invalid-appid': 40013,
  'no-quota': 1400001,
};

export interface PhoneNumber {
  /** With the country code for numbers outside mainland China. */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export interface PhoneInfoResponse {
  errcode: 0;
  errmsg: 'ok';
  phone_info: PhoneNumber & { watermark: { timestamp: number; appid: string } };
}

export interface PhoneNumberApiOptions {
  phoneCodes: Record<string, string>;
  failureCodes: Record<string, number>;
  ttlMs: number;
  now: () => number;
}

export interface PhoneNumberApi {
  getPhoneNumber(params: Record<string, unknown>, appid: string): PhoneInfoResponse | WxErrorBody;
  /** A fresh code for `phone` (same format as the `phoneCodes` values), valid for `ttlMs`. */
  issueCode(phone: string): string;
}

/** Parses `13800138000` or `+1-4155550100`; null when the text is not a phone number. */
export function parsePhoneNumber(text: string): PhoneNumber | null {
  const mainland = /^(\d{5,15})$/.exec(text);
  if (mainland?.[1]) {
    return { phoneNumber: mainland[1], purePhoneNumber: mainland[1], countryCode: '86' };
  }
  const international = /^\+(\d{1,4})-(\d{4,14})$/.exec(text);
  if (international?.[1] && international[2]) {
    const [, countryCode, pure] = international;
    return {
      phoneNumber: countryCode === '86' ? pure : `+${countryCode}${pure}`,
      purePhoneNumber: pure,
      countryCode,
    };
  }
  return null;
}

type CodeMeaning = { kind: 'phone'; phone: PhoneNumber; issuedAt?: number } | { kind: 'failure'; errcode: number } | { kind: 'unknown' };

const PHONE_CODE = /^phone:(\d+|\+\d{1,4}-\d+)(?::(\d+)(?:-[0-9a-z]+)?)?$/;
const FAIL_CODE = /^fail:(-?\d+)$/;

/** What a code stands for, before the single-use and expiry rules. */
export function interpretPhoneCode(code: string, phoneCodes: Record<string, string>, failureCodes: Record<string, number>): CodeMeaning {
  const failure = failureCodes[code];
  if (failure !== undefined) return { kind: 'failure', errcode: failure };
  const failMatch = FAIL_CODE.exec(code);
  if (failMatch?.[1]) return { kind: 'failure', errcode: Number(failMatch[1]) };

  const configured = phoneCodes[code];
  if (configured !== undefined) {
    const phone = parsePhoneNumber(configured);
    return phone ? { kind: 'phone', phone } : { kind: 'unknown' };
  }
  const phoneMatch = PHONE_CODE.exec(code);
  const phone = phoneMatch?.[1] ? parsePhoneNumber(phoneMatch[1]) : null;
  if (!phoneMatch || !phone) return { kind: 'unknown' };
  return phoneMatch[2] ? { kind: 'phone', phone, issuedAt: Number(phoneMatch[2]) } : { kind: 'phone', phone };
}

export function createPhoneNumberApi(options: PhoneNumberApiOptions): PhoneNumberApi {
  for (const [code, phone] of Object.entries(options.phoneCodes)) {
    if (!parsePhoneNumber(phone)) {
      throw new Error(`openapi.phoneCodes['${code}']: '${phone}' is not a phone number (digits, or +<cc>-<digits>)`);
    }
  }
  const redeemed = new Set<string>();

  return {
    getPhoneNumber(params, appid) {
      const code = params['code'];
      if (typeof code !== 'string' || code === '') return wxError(40029);
      const meaning = interpretPhoneCode(code, options.phoneCodes, options.failureCodes);
      if (meaning.kind === 'failure') return wxError(meaning.errcode);
      if (meaning.kind === 'unknown' || redeemed.has(code)) return wxError(40029);
      const now = options.now();
      if (meaning.issuedAt !== undefined && now > meaning.issuedAt + options.ttlMs) return wxError(40029);

      redeemed.add(code);
      return {
        errcode: 0,
        errmsg: 'ok',
        phone_info: { ...meaning.phone, watermark: { timestamp: Math.floor(now / 1000), appid } },
      };
    },

    issueCode(phone) {
      if (!parsePhoneNumber(phone)) throw new Error(`'${phone}' is not a phone number (digits, or +<cc>-<digits>)`);
      return `phone:${phone}:${options.now()}-${randomBytes(4).toString('hex')}`;
    },
  };
}
