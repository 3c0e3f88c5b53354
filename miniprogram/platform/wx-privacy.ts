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
 * Registers `listener`. WeChat keeps only the LAST registered listener for the whole app, so
 * every page showing a popup must register again when it is shown (tab pages are never reloaded).
 * Returns false on base libraries without the API, where nothing is held and no popup is needed.
 */
export function onNeedPrivacyAuthorization(listener: NeedPrivacyListener): boolean {
  const register = wx.onNeedPrivacyAuthorization as unknown as OnNeedPrivacyAuthorization | undefined;
  if (typeof register !== 'function') return false;
  register((resolve, eventInfo) => listener(resolve, { referrer: eventInfo?.referrer ?? '' }));
  return true;
}

/** Opens the privacy guide configured in the MP console (小程序用户隐私保护指引). */
export function openPrivacyContract(): Promise<void> {
  return new Promise((resolve, reject) => {
    if (typeof wx.openPrivacyContract !== 'function') {
      reject(new Error('wx.openPrivacyContract needs base library 2.32.3 or later'));
      return;
    }
    wx.openPrivacyContract({ success: () => resolve(), fail: reject });
  });
}

/** The guide's title as configured in the MP console, e.g. 《某某小程序隐私保护指引》; null when unknown. */
export function privacyContractName(): Promise<string | null> {
  return new Promise((resolve) => {
    if (typeof wx.getPrivacySetting !== 'function') {
      resolve(null);
      return;
    }
    wx.getPrivacySetting({
      success: (result) => resolve(result.privacyContractName || null),
      fail: () => resolve(null),
    });
  });
}
