import type { ErrorCode, LoginData, PublicUser } from '../../../typings/contract';

export function aUser(overrides: Partial<PublicUser> = {}): PublicUser {
  return {
    id: 'user-1',
    nickName: '小明',
    avatarUrl: '',
    createdAt: Date.UTC(2024, 0, 15, 2, 0, 0),
    lastLoginAt: Date.UTC(2024, 4, 1, 8, 0, 0),
    loginCount: 3,
    hasPhone: false,
    maskedPhoneNumber: '',
    ...overrides,
  };
}

/** What the login function answers on success. */
export function loginAnswer(user: PublicUser = aUser(), isNewUser = false): { ok: true; data: LoginData } {
  return { ok: true, data: { user, isNewUser } };
}

/** What the login function answers on failure. */
export function failureAnswer(code: ErrorCode, message = `${code} (test)`): { ok: false; error: { code: ErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}
