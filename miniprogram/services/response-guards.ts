import type { LoginData, PublicUser } from '../../../typings/contract';

/**
 * Runtime checks of what the cloud function answered. wx.cloud.callFunction types its `result`
 * as `AnyObject | string | undefined`: the contract's types are a promise, not a proof, so every
 * answer passes through here before the service trusts it. Invalid input gives false / null.
 */

export type Guard<T> = (value: unknown) => value is T;

/**
 * The contract's envelope as it can really arrive: the error code is any string, because a newer
 * server may answer with a code this build does not know yet (the service maps those to UNKNOWN).
 */
export type Envelope<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; details?: unknown } };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function isPublicUser(value: unknown): value is PublicUser {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    value.id !== '' &&
    typeof value.nickName === 'string' &&
    typeof value.avatarUrl === 'string' &&
    isTimestamp(value.createdAt) &&
    isTimestamp(value.lastLoginAt) &&
    typeof value.loginCount === 'number' &&
    Number.isInteger(value.loginCount) &&
    value.loginCount >= 0 &&
    typeof value.hasPhone === 'boolean' &&
    typeof value.maskedPhoneNumber === 'string'
  );
}

export function isLoginData(value: unknown): value is LoginData {
  return isRecord(value) && isPublicUser(value.user) && typeof value.isNewUser === 'boolean';
}

/** The envelope with its data checked by `isData`, or null when the answer has any other shape. */
export function readEnvelope<T>(value: unknown, isData: Guard<T>): Envelope<T> | null {
  if (!isRecord(value)) return null;
  if (value.ok === true) {
    return isData(value.data) ? { ok: true, data: value.data } : null;
  }
  if (value.ok === false && isRecord(value.error)) {
    const { code, message, details } = value.error;
    if (typeof code === 'string' && code !== '' && typeof message === 'string') {
      return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
    }
  }
  return null;
}
