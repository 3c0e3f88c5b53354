import type { BanDetails, ErrorBody, ErrorCode } from '../../typings/contract';
import { isErrorCode } from '../contract/lists';

/**
 * ServiceError: every failure a page can be told about, whatever its origin — the server refused
 * (a contract ErrorCode), the call never got an answer (NETWORK, TIMEOUT...), WeChat's platform
 * refused (PRIVACY_DENIED, PHONE_DENIED...). It was called AuthError, but most of its codes have
 * nothing to do with logging in: it is the one error type of the services/ layer, and the pages'
 * Chinese message table (presenters/error-message.ts) is keyed by its `code`.
 */

/**
 * Failures that happen on this side of the wire, before or instead of a server answer.
 * UPPER_SNAKE like the server's codes, never renamed once shipped.
 */
export const CLIENT_ERROR_CODES = [
  /** wx.cloud.callFunction could not reach CloudBase (offline, DNS, request:fail). */
  'NETWORK',
  /** No answer within the client's time limit, or CloudBase reported the function timed out. */
  'TIMEOUT',
  /** The user declined the privacy authorization a privacy API needed (errno 104). */
  'PRIVACY_DENIED',
  /** The API is missing from the privacy guide set in the MP console (errno 112): a developer fix. */
  'PRIVACY_NOT_DECLARED',
  /** The function answered something that is not the contract's envelope. */
  'INVALID_RESPONSE',
  /** callFunction failed for another reason: function not deployed, env not found, function crashed. */
  'CLOUD_CALL_FAILED',
  /** The server kept answering UNAUTHENTICATED after logging in again: we stop instead of looping. */
  'AUTH_RETRY_EXHAUSTED',
  /** The person declined to share their phone number in WeChat's sheet (no code): nothing was sent. */
  'PHONE_DENIED',
  /** wx.cloud.uploadFile failed for a reason other than the network (storage rules, file too large...). */
  'UPLOAD_FAILED',
  /** wx.setClipboardData failed (下载我的信息's 复制内容). */
  'COPY_FAILED',
  /** Writing a file for the person or opening the share sheet with it failed (下载我的信息's 保存为文件). */
  'FILE_SAVE_FAILED',
  /** wx.cloud.downloadFile failed for a reason other than the network (the file expired or was replaced). */
  'DOWNLOAD_FAILED',
  /** 保存 tapped with an empty nickname field: decided on the device, nothing was sent. */
  'NICKNAME_EMPTY',
  /** Anything else, a server code this build does not know included; the detail is for the developer's log. */
  'UNKNOWN',
] as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];
export type ServiceErrorCode = ErrorCode | ClientErrorCode;

/**
 * `detail` is for developers (the server's English message, wx's errMsg); people see the Chinese
 * message looked up by `code`.
 */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly detail: string;
  /** USER_BANNED: when the ban ends and why (shown as 「账号已被限制使用至 …」); null otherwise. */
  readonly ban: BanDetails | null;
  /** RATE_LIMITED: how long until the action is allowed again, in ms (shown as 「请 3 分钟后再试」); null otherwise. */
  readonly retryAfterMs: number | null;

  constructor(code: ServiceErrorCode, detail = '', ban: BanDetails | null = null, retryAfterMs: number | null = null) {
    super(detail ? `${code}: ${detail}` : code);
    // DevTools may compile classes down to ES5 ("es6" setting), where a subclass of Error loses
    // its prototype and `instanceof ServiceError` is false. Restore it explicitly.
    Object.setPrototypeOf(this, ServiceError.prototype);
    this.name = 'ServiceError';
    this.code = code;
    this.detail = detail;
    this.ban = ban;
    this.retryAfterMs = retryAfterMs;
  }
}

export function isServiceError(value: unknown): value is ServiceError {
  return value instanceof ServiceError;
}

/** Keeps a ServiceError as it is; anything else thrown (a bug, an unexpected rejection) becomes UNKNOWN. */
export function toServiceError(value: unknown): ServiceError {
  if (isServiceError(value)) return value;
  const detail = value instanceof Error ? value.message : String(value);
  return new ServiceError('UNKNOWN', detail);
}

/**
 * A refusal of the server as a ServiceError. `code` is any string: a newer server may answer with
 * a code this build does not know, which becomes UNKNOWN with the code kept in the detail.
 */
export function fromErrorBody(error: ErrorBody | { code: string; message: string }): ServiceError {
  if (!isErrorCode(error.code)) return new ServiceError('UNKNOWN', `unknown server code ${error.code}: ${error.message}`);
  const ban = error.code === 'USER_BANNED' && 'details' in error && error.details && 'bannedUntil' in error.details ? error.details : null;
  const retryAfterMs =
    error.code === 'RATE_LIMITED' && 'details' in error && error.details && 'retryAfterMs' in error.details
      ? error.details.retryAfterMs
      : null;
  return new ServiceError(error.code, error.message, ban, retryAfterMs);
}
