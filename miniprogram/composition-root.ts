import { APP_NAMES, BRAND, CLOUD_CALL_TIMEOUT_MS, CLOUD_ENV_ID, FUNCTION_NAMES, PHONE_CHECK, SESSION_TTL_MS } from './config';
import { systemClock } from './platform/clock';
import { currentAppId } from './platform/wx-account';
import { readChooseAvatarDetail, readPhoneButtonDetail } from './platform/wx-button-events';
import { createWxCloudCaller, initCloud } from './platform/wx-cloud';
import { createWxClipboard } from './platform/wx-clipboard';
import { confirmDialog, showDoneToast, showToast } from './platform/wx-dialog';
import { createWxFiles } from './platform/wx-files';
import { navigate, pageStackDepth } from './platform/wx-navigation';
import { navigationBarMetrics, registerNavigationBar, setPageTitle, stopPageRefresh } from './platform/wx-page';
import { onNeedPrivacyAuthorization, openPrivacyContract, privacyContractName } from './platform/wx-privacy';
import { createWxStorage } from './platform/wx-storage';
import { createWxUploader } from './platform/wx-upload';
import type { Dialogs, Navigator, Privacy } from './ports';
import type { ExportMyDataData } from '../typings/contract';
import type { AccountService } from './services/account/create-account-service';
import { createAccountService } from './services/account/create-account-service';
import type { ExportHandover } from './services/account/export-handover';
import { createExportHandover } from './services/account/export-handover';
import type { AuthService } from './services/auth/create-auth-service';
import type { NotesService } from './services/notes/create-notes-service';
import { createNotesService } from './services/notes/create-notes-service';
import { createAuthService } from './services/auth/create-auth-service';

/**
 * The composition root: the one place where the wx adapters of platform/ are plugged into the
 * ports (ports.ts) that services and pages use. Pages and components import from here (and from
 * behaviors/, presenters/, navigation/), never from platform/ or services/ directly.
 *
 * Nothing here touches `wx` at import: the auth service is built on first use (the first page's
 * onLoad, after App.onLaunch ran wx.cloud.init), and the adapters read `wx` when called. So a page
 * loads wherever it is loaded (unit tests with miniprogram-simulate, the browser preview) without
 * an App.
 *
 * A module rather than getApp().globalData: the type is plain TypeScript, and a test or the
 * preview installs its own instance with setAuthService().
 */

/** Scope label when CLOUD_ENV_ID is '' (the env behind DYNAMIC_CURRENT_ENV has no readable id). */
const DYNAMIC_ENV_LABEL = 'dynamic-current-env';

let instance: AuthService | null = null;

/** App.onLaunch: prepares wx.cloud for the env of config.ts, before any cloud call. */
export function startPlatform(): void {
  initCloud(CLOUD_ENV_ID);
}

/** The app's one auth service, wired to the real platform. */
export function getAuthService(): AuthService {
  if (!instance) {
    instance = createAuthService({
      storage: createWxStorage(),
      cloud: createWxCloudCaller({ timeoutMs: CLOUD_CALL_TIMEOUT_MS, names: FUNCTION_NAMES }),
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
  return createAccountService({ auth: getAuthService(), uploader: createWxUploader() });
}

/** 我的笔记 (the notes function) on top of the current auth service; stateless like the account service. */
export function getNotesService(): NotesService {
  return createNotesService(getAuthService());
}

/** 下载我的信息: copying or saving one export (the answer of getAccountService().exportMyData()). */
export function handOverExport(result: ExportMyDataData): ExportHandover {
  return createExportHandover(result, { files: createWxFiles(), clipboard: createWxClipboard() });
}
export type { ExportHandover } from './services/account/export-handover';

export const dialogs: Dialogs = { confirm: confirmDialog, toast: showToast, done: showDoneToast };

export const navigator: Navigator = { navigate, stackDepth: pageStackDepth, setTitle: setPageTitle, stopRefresh: stopPageRefresh };

/** Where components/nav-bar (a page's own bar under "navigationStyle": "custom") draws itself. */
export const navigationBar = { metrics: navigationBarMetrics, register: registerNavigationBar };

export const privacy: Privacy = {
  onNeedAuthorization: onNeedPrivacyAuthorization,
  openContract: openPrivacyContract,
  contractName: privacyContractName,
};

/** The product name and logo the login page shows (config.ts BRAND). */
export const brand = BRAND;

/** Names of the other mini-programs of the open platform (config.ts), for 账号与安全. */
export const appNames: Readonly<Record<string, string>> = APP_NAMES;

/**
 * The phone-number check config.ts chose: the kind bindPhone records, and the open-type of the
 * button that asks for it. Pages bind both events (bindgetphonenumber and
 * bindgetrealtimephonenumber) to one handler, so either open-type reaches it.
 */
export const phoneCheck = {
  kind: PHONE_CHECK,
  openType: PHONE_CHECK === 'realtime' ? 'getRealtimePhoneNumber' : 'getPhoneNumber',
} as const;

/** What WeChat's open-type buttons hand to a page, read into outcomes (platform/wx-button-events.ts). */
export const openTypeEvents = { readPhoneButtonDetail, readChooseAvatarDetail };
export type { ChooseAvatarDetail, PhoneButtonDetail } from './platform/wx-button-events';
