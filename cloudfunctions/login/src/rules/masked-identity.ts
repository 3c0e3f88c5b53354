/**
 * Identity keys as a person or an operator may see them: enough to tell two apart, not enough to
 * use. The same masking serves the personal-data export (exportMyData) and `npm run admin` (user
 * show), so both show a sign-in method the same way.
 */
import type { IdentityProvider } from '../../../../typings/contract';
import { parseOpenidKey, parseUnionidKey } from './identity';
import { providerOf } from './identity-summary';
import { maskPhoneNumber, parsePhoneKey } from './phone';

export interface MaskedKey {
  provider: IdentityProvider;
  /** 'oAbC****wXyZ' for WeChat ids, '138****8000' for a phone, the provider's name for others. */
  display: string;
  /** provider 'wechat': the mini-program's appid; null otherwise. */
  appid: string | null;
}

/** 'oAbC****wXyZ'; short tokens show nothing of themselves. */
export function maskToken(text: string): string {
  return text.length <= 12 ? '****' : `${text.slice(0, 4)}****${text.slice(-4)}`;
}

export function maskIdentityKey(key: string): MaskedKey {
  const provider = providerOf(key);
  const openid = parseOpenidKey(key);
  if (provider === 'wechat') return { provider, display: maskToken(openid?.openid ?? ''), appid: openid?.appid ?? null };
  if (provider === 'wechat-unionid') return { provider, display: maskToken(parseUnionidKey(key) ?? ''), appid: null };
  const phone = provider === 'phone' ? parsePhoneKey(key) : null;
  if (phone) return { provider, display: maskPhoneNumber(phone), appid: null };
  return { provider, display: key.slice(0, Math.max(0, key.indexOf(':'))), appid: null };
}
