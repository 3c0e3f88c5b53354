/**
 * Phone numbers as identities and as display text.
 *
 * A verified number is an identity key like the WeChat ones (identity.ts): `phone:+<cc>:<number>`,
 * claimed by inserting it into the identities collection, so of two accounts racing for one number
 * exactly one wins. The key is what other clients (web, app: SMS sign-in) would claim too.
 */
import type { BoundPhone } from './user-record';

export const PHONE_KEY_PREFIX = 'phone:';

export interface PhoneParts {
  countryCode: string;
  purePhoneNumber: string;
}

export function phoneIdentityKey({ countryCode, purePhoneNumber }: PhoneParts): string {
  return `${PHONE_KEY_PREFIX}+${countryCode}:${purePhoneNumber}`;
}

export function isPhoneKey(key: string): boolean {
  return key.startsWith(PHONE_KEY_PREFIX);
}

/** The parts of a phone key; null for anything else. */
export function parsePhoneKey(key: string): PhoneParts | null {
  const match = /^phone:\+(\d{1,4}):(\d{4,20})$/.exec(key);
  return match?.[1] && match[2] ? { countryCode: match[1], purePhoneNumber: match[2] } : null;
}

/** As WeChat writes it: the bare number in mainland China, `+<cc><number>` elsewhere. */
export function fullPhoneNumber({ countryCode, purePhoneNumber }: PhoneParts): string {
  return countryCode === '86' ? purePhoneNumber : `+${countryCode}${purePhoneNumber}`;
}

/**
 * '138****8000': at least four digits hidden, at most the first three and last four shown.
 * Outside mainland China the country code is kept in front ('+1 415****100').
 */
export function maskPhoneNumber({ countryCode, purePhoneNumber }: PhoneParts): string {
  const length = purePhoneNumber.length;
  const hidden = Math.max(4, length - 7);
  const shown = Math.max(0, length - hidden);
  const head = Math.min(3, Math.floor(shown / 2));
  const tail = shown - head;
  const masked = `${purePhoneNumber.slice(0, head)}${'*'.repeat(length - shown)}${tail > 0 ? purePhoneNumber.slice(-tail) : ''}`;
  return countryCode === '86' ? masked : `+${countryCode} ${masked}`;
}

/** The user's phone when the stored value has the expected shape (legacy data may hold anything). */
export function readBoundPhone(value: unknown): BoundPhone | null {
  if (typeof value !== 'object' || value === null) return null;
  const { countryCode, purePhoneNumber, key } = value as Record<string, unknown>;
  if (typeof countryCode !== 'string' || typeof purePhoneNumber !== 'string' || typeof key !== 'string') return null;
  const boundAt = (value as Record<string, unknown>).boundAt;
  return { countryCode, purePhoneNumber, key, boundAt: boundAt instanceof Date ? boundAt : new Date(0) };
}
