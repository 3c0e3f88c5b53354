import { CLOUD_CALL_TIMEOUT_MS, CLOUD_ENV_ID, SESSION_TTL_MS } from '../config';
import { systemClock } from '../platform/clock';
import { currentAppId } from '../platform/wx-account';
import { createWxCloudCaller } from '../platform/wx-cloud';
import { createWxStorage } from '../platform/wx-storage';
import { createWxUploader } from '../platform/wx-upload';
import type { AccountService } from './account/create-account-service';
import { createAccountService } from './account/create-account-service';
import type { AuthService } from './auth/create-auth-service';
import { createAuthService } from './auth/create-auth-service';

/**
 * The app's one auth service, wired to the real platform. Pages call getAuthService(); the
 * instance is built on first use (the first page's onLoad, after App.onLaunch ran wx.cloud.init),
 * not at import, so loading a page never touches `wx`.
 *
 * A module rather than getApp().globalData: pages work wherever they are loaded (unit tests with
 * miniprogram-simulate, the browser preview) without an App, and the type is plain TypeScript.
 */

/** Scope label when CLOUD_ENV_ID is '' (the env behind DYNAMIC_CURRENT_ENV has no readable id). */
const DYNAMIC_ENV_LABEL = 'dynamic-current-env';

let instance: AuthService | null = null;

export function getAuthService(): AuthService {
  if (!instance) {
    instance = createAuthService({
      storage: createWxStorage(),
      cloud: createWxCloudCaller({ timeoutMs: CLOUD_CALL_TIMEOUT_MS }),
      clock: systemClock,
      scope: { envId: CLOUD_ENV_ID || DYNAMIC_ENV_LABEL, appId: currentAppId() },
      ttlMs: SESSION_TTL_MS,
      reportError: (error) => console.warn('[auth]', error.code, error.detail),
    });
  }
  return instance;
}

/**
 * Installs another instance (a test's fake, the preview's), or null to build a fresh one from
 * the platform on next use — what a relaunch of the mini-program does.
 */
export function setAuthService(service: AuthService | null): void {
  instance = service;
}

/**
 * The account actions (profile, phone, linking, identities, deletion) on top of the current auth
 * service. Holds no state of its own, so it is built per call and always follows setAuthService().
 */
export function getAccountService(): AccountService {
  return createAccountService({ auth: getAuthService(), uploader: createWxUploader(), clock: systemClock });
}
