import type { ErrorCode } from '../../../typings/contract';

/**
 * Failures that happen on this side of the wire, before or instead of a server answer.
 * UPPER_SNAKE like the server's codes, never renamed once shipped.
 */
export type ClientErrorCode =
  /** wx.cloud.callFunction could not reach CloudBase (offline, DNS, request:fail). */
  | 'NETWORK'
  /** No answer within the client's time limit, or CloudBase reported the function timed out. */
  | 'TIMEOUT'
  /** The user declined the privacy authorization a privacy API needed (errno 104). */
  | 'PRIVACY_DENIED'
  /** The API is missing from the privacy guide set in the MP console (errno 112): a developer fix. */
  | 'PRIVACY_NOT_DECLARED'
  /** The function answered something that is not the contract's envelope. */
  | 'INVALID_RESPONSE'
  /** callFunction failed for another reason: function not deployed, env not found, function crashed. */
  | 'CLOUD_CALL_FAILED'
  /** The server kept answering UNAUTHENTICATED after logging in again: we stop instead of looping. */
  | 'AUTH_RETRY_EXHAUSTED'
  /** The person declined to share their phone number in WeChat's sheet (no code): nothing was sent. */
  | 'PHONE_DENIED'
  /** wx.cloud.uploadFile failed for a reason other than the network (storage rules, file too large...). */
  | 'UPLOAD_FAILED'
  /** Anything else; the detail is for the developer's log. */
  | 'UNKNOWN';

export type AuthErrorCode = ErrorCode | ClientErrorCode;

/**
 * Every failure of the auth service (and of the platform adapters below it) is one of these.
 * `detail` is for developers (the server's English message, wx's errMsg); people see the
 * Chinese message from messages.ts, looked up by `code`.
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly detail: string;
  /**
   * The `details` of the server's ErrorBody, unchecked (e.g. the LinkOffer that comes with
   * PHONE_BELONGS_TO_ANOTHER_ACCOUNT): validate it with a guard before use.
   */
  readonly serverDetails: unknown;

  constructor(code: AuthErrorCode, detail = '', serverDetails?: unknown) {
    super(detail ? `${code}: ${detail}` : code);
    // DevTools may compile classes down to ES5 ("es6" setting), where a subclass of Error loses
    // its prototype and `instanceof AuthError` is false. Restore it explicitly.
    Object.setPrototypeOf(this, AuthError.prototype);
    this.name = 'AuthError';
    this.code = code;
    this.detail = detail;
    this.serverDetails = serverDetails;
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}

/** Keeps an AuthError as it is; anything else thrown (a bug, an unexpected rejection) becomes UNKNOWN. */
export function toAuthError(value: unknown): AuthError {
  if (isAuthError(value)) return value;
  const detail = value instanceof Error ? value.message : String(value);
  return new AuthError('UNKNOWN', detail);
}
