import type { ServiceErrorCode } from '../services/service-error';
import { ServiceError } from '../services/service-error';

/**
 * What WeChat's open-type buttons hand to a page, read into an outcome: the wx event parsing of
 * the platform, kept here with the other WeChat quirks. Pure: the event detail is plain data, so
 * this runs (and is tested) without the `wx` global.
 */

/**
 * `e.detail` of `<button open-type="getPhoneNumber" bindgetphonenumber>` or
 * `open-type="getRealtimePhoneNumber" bindgetrealtimephonenumber>` (the same shape; the real-time
 * check never carries encryptedData / iv), as it really arrives.
 */
export interface PhoneButtonDetail {
  /** Present when the person agreed (base library 2.21.2+): exchanged by the cloud function. */
  code?: unknown;
  errMsg?: unknown;
  errno?: unknown;
}

export type PhoneButtonOutcome = { ok: true; code: string } | { ok: false; error: ServiceError };

/**
 * Platform quirks handled here:
 * - Declining says "getPhoneNumber:fail user deny" on iOS and DevTools, "getPhoneNumber:fail:user deny"
 *   on Android: match "deny" (and "cancel"), never the whole string.
 * - errno 1400001: the paid component's quota is used up; WeChat reports it in the button callback,
 *   without a code, so the cloud function never sees it.
 * - errno 104 / 112: the privacy authorization was declined / the privacy guide lacks the API.
 * - "no permission": an individual or uncertified mini-program (the API is not open to it).
 * A detail with a code is a success whatever errMsg says; one without is never sent to the cloud.
 */
export function readPhoneButtonDetail(detail: PhoneButtonDetail | null | undefined): PhoneButtonOutcome {
  const code = detail?.code;
  if (typeof code === 'string' && code !== '') return { ok: true, code };
  const errMsg = typeof detail?.errMsg === 'string' ? detail.errMsg : '';
  const errno = typeof detail?.errno === 'number' ? detail.errno : undefined;
  const fail = (errorCode: ServiceErrorCode): PhoneButtonOutcome => ({
    ok: false,
    error: new ServiceError(errorCode, errMsg || `getPhoneNumber without a code (errno ${errno ?? '?'})`),
  });

  if (errno === 1400001) return fail('PHONE_QUOTA_EXCEEDED');
  if (errno === 104 || /privacy permission is not authorized/i.test(errMsg)) return fail('PRIVACY_DENIED');
  if (errno === 112 || /not declared in the privacy agreement/i.test(errMsg)) return fail('PRIVACY_NOT_DECLARED');
  if (/no permission|not permitted|unauthorized/i.test(errMsg)) return fail('PHONE_NOT_PERMITTED');
  // "user deny", "cancel", or nothing recognisable: treated as declined, which asks nothing of the person.
  return fail('PHONE_DENIED');
}

/** `e.detail` of `<button open-type="chooseAvatar" bindchooseavatar>`. */
export interface ChooseAvatarDetail {
  /** A temporary local path (http://tmp/... or wxfile://...), valid for this run only. */
  avatarUrl?: unknown;
  errMsg?: unknown;
  errno?: unknown;
}

/** `null` means the person closed the picker: not an error, show nothing. */
export type ChooseAvatarOutcome = { ok: true; tempFilePath: string } | { ok: false; error: ServiceError } | null;

export function readChooseAvatarDetail(detail: ChooseAvatarDetail | null | undefined): ChooseAvatarOutcome {
  const path = detail?.avatarUrl;
  if (typeof path === 'string' && path !== '') return { ok: true, tempFilePath: path };
  const errMsg = typeof detail?.errMsg === 'string' ? detail.errMsg : '';
  const errno = typeof detail?.errno === 'number' ? detail.errno : undefined;
  if (errno === 104 || /privacy permission is not authorized/i.test(errMsg)) {
    return { ok: false, error: new ServiceError('PRIVACY_DENIED', errMsg) };
  }
  if (errno === 112 || /not declared in the privacy agreement/i.test(errMsg)) {
    return { ok: false, error: new ServiceError('PRIVACY_NOT_DECLARED', errMsg) };
  }
  if (errMsg === '' || /cancel/i.test(errMsg)) return null;
  return { ok: false, error: new ServiceError('UNKNOWN', errMsg) };
}
