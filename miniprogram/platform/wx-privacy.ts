import type { NeedPrivacyListener, PrivacyResolve } from '../ports';

/**
 * WeChat's privacy authorization (base library 2.32.3+, enforced since September 2023).
 *
 * When a privacy API (chooseAvatar, <input type="nickname">, getPhoneNumber...) is used before
 * the user agreed to the mini-program's privacy guide, the base library holds the call and fires
 * the onNeedPrivacyAuthorization listener with a `resolve`. We must show our own popup and call
 * resolve exactly once: { event: 'agree', buttonId } after the user tapped a
 * <button open-type="agreePrivacyAuthorization" id=buttonId>, or { event: 'disagree' }, which
 * makes the held API fail with "privacy permission is not authorized" (errno 104).
 */

/**
 * miniprogram-api-typings 5.x declares the listener as `(res) => void`; the base library really
 * passes `(resolve, eventInfo)`. This is the real shape.
 */
type OnNeedPrivacyAuthorization = (listener: (resolve: PrivacyResolve, eventInfo?: { referrer?: string }) => void) => void;

/**
 * The privacy APIs as the base library has them, each absent before 2.32.3. Read through this view
 * rather than `wx`'s declared type: the typings DevTools' TypeScript template ships
 * (miniprogram-api-typings 2.x) do not declare them, and a project that installs this file
 * type-checks it with its own typings.
 */
interface PrivacyApis {
  onNeedPrivacyAuthorization?: OnNeedPrivacyAuthorization;
  openPrivacyContract?: (options: { success: () => void; fail: (error: unknown) => void }) => void;
  getPrivacySetting?: (options: { success: (result: { privacyContractName?: string }) => void; fail: () => void }) => void;
}

function privacyApis(): PrivacyApis {
  return wx as unknown as PrivacyApis;
}

/**
 * Registers `listener`. WeChat keeps only the LAST registered listener for the whole app, so
 * every page showing a popup must register again when it is shown (tab pages are never reloaded).
 * Returns false on base libraries without the API, where nothing is held and no popup is needed.
 */
export function onNeedPrivacyAuthorization(listener: NeedPrivacyListener): boolean {
  const register = privacyApis().onNeedPrivacyAuthorization;
  if (typeof register !== 'function') return false;
  register((resolve, eventInfo) => listener(resolve, { referrer: eventInfo?.referrer ?? '' }));
  return true;
}

/** Opens the privacy guide configured in the MP console (小程序用户隐私保护指引). */
export function openPrivacyContract(): Promise<void> {
  return new Promise((resolve, reject) => {
    const apis = privacyApis();
    if (typeof apis.openPrivacyContract !== 'function') {
      reject(new Error('wx.openPrivacyContract needs base library 2.32.3 or later'));
      return;
    }
    apis.openPrivacyContract({ success: () => resolve(), fail: reject });
  });
}

/** The guide's title as configured in the MP console, e.g. 《某某小程序隐私保护指引》; null when unknown. */
export function privacyContractName(): Promise<string | null> {
  return new Promise((resolve) => {
    const apis = privacyApis();
    if (typeof apis.getPrivacySetting !== 'function') {
      resolve(null);
      return;
    }
    apis.getPrivacySetting({
      success: (result) => resolve(result.privacyContractName || null),
      fail: () => resolve(null),
    });
  });
}
