import type { NavigationStep } from './navigation/routes';

/**
 * The ports: what the services and pages need from the outside world, as small interfaces.
 * platform/ implements them with `wx`; composition-root.ts plugs those implementations in; tests
 * and the browser preview answer them with their own. Nothing outside platform/ touches `wx`.
 */

/** Synchronous string storage (wx.getStorageSync and friends; localStorage in the browser preview). */
export interface KeyValueStorage {
  /** The stored string, or null when the key is absent (or holds something that is not a string). */
  getItem(key: string): string | null;
  /** May throw when the storage is full (WeChat allows 10 MB per user per mini-program). */
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** Every key currently stored: lets the service sweep entries of older versions and other envs. */
  keys(): string[];
}

/** One call of a cloud function. */
export interface CloudFunctionCaller {
  /**
   * Resolves with the function's return value (callFunction's `result`), unchecked.
   * Rejects with a ServiceError of a client code (NETWORK, TIMEOUT, CLOUD_CALL_FAILED...) when the
   * call itself failed; anything else it rejects with is reported as UNKNOWN.
   */
  call(name: string, data: Record<string, unknown>): Promise<unknown>;
}

/** wx.cloud.uploadFile, reduced to what the avatar needs. */
export interface FileUploader {
  /**
   * Uploads the local file at `filePath` to `cloudPath` in the env's storage; resolves with its
   * fileID. Rejects with a ServiceError (NETWORK, UPLOAD_FAILED, PRIVACY_*...).
   */
  upload(cloudPath: string, filePath: string): Promise<string>;
}

/** wx.setClipboardData: WeChat shows its own 「内容已复制」 toast. */
export interface Clipboard {
  /** Rejects with a ServiceError (COPY_FAILED, PRIVACY_*: the clipboard is a privacy API). */
  copy(text: string): Promise<void>;
}

/** What became of a file handed to WeChat's share sheet: closing the sheet is the person's choice, not a failure. */
export type ShareOutcome = 'shared' | 'cancelled';

/**
 * Files handed to the person. WeChat has no "save as" for a JSON file (wx.openDocument opens
 * office documents and PDFs only): the file is written locally and sent with WeChat's share
 * sheet, to 文件传输助手 or a chat, from where the person keeps it.
 */
export interface FileHandover {
  /** Writes `text` (UTF-8) as `fileName` in the mini-program's own folder; resolves with its path. Rejects with FILE_SAVE_FAILED. */
  writeText(fileName: string, text: string): Promise<string>;
  /** Fetches a file of the env's storage (`cloud://` fileID) into a temporary file; resolves with its path. Rejects with NETWORK, DOWNLOAD_FAILED. */
  downloadCloudFile(fileID: string): Promise<string>;
  /** Opens the share sheet for the local file, shown as `fileName`. Rejects with FILE_SAVE_FAILED. */
  share(filePath: string, fileName: string): Promise<ShareOutcome>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Where a session is valid. A user of one CloudBase env is a stranger to another env, and
 * DevTools shares one storage between envs of one appid: the cache must not leak across them.
 */
export interface SessionScope {
  /** The CloudBase env id, or a stable label when the app uses the dynamic current env. */
  envId: string;
  /** From wx.getAccountInfoSync().miniProgram.appId. */
  appId: string;
}

export interface ConfirmOptions {
  title: string;
  content: string;
  confirmText?: string;
  cancelText?: string;
  /** Red confirm button, for what cannot be undone (解除关联, 注销). */
  destructive?: boolean;
  /** False: one button only (confirmText), for telling rather than asking. Default true. */
  showCancel?: boolean;
}

/** WeChat's modal and toast. */
export interface Dialogs {
  /** Resolves true when the person tapped the confirm button; false on cancel, tap-outside or failure. */
  confirm(options: ConfirmOptions): Promise<boolean>;
  /** A short message that goes away by itself. */
  toast(title: string): void;
  /** A completed action, with WeChat's success tick; at most 7 characters (WeChat cuts the rest). */
  done(title: string): void;
}

/** The page stack. */
export interface Navigator {
  /** Performs a step decided by navigation/routes.ts; resolves false when WeChat refused it, never rejects. */
  navigate(step: NavigationStep): Promise<boolean>;
  /** How many pages are on the stack; 1 when the current page was the first one opened. */
  stackDepth(): number;
  /** The current page's navigation bar title. */
  setTitle(title: string): void;
  /** Ends the current page's pull-down refresh (enablePullDownRefresh in its .json). */
  stopRefresh(): void;
}

/** The answer to a held privacy API: { event: 'agree', buttonId } after the agree button was tapped. */
export type PrivacyDecision = { event: 'agree'; buttonId: string } | { event: 'disagree' };
export type PrivacyResolve = (decision: PrivacyDecision) => void;
export interface PrivacyRequest {
  /** The API or component that asked, e.g. "chooseAvatar". */
  referrer: string;
}
export type NeedPrivacyListener = (resolve: PrivacyResolve, request: PrivacyRequest) => void;

/** WeChat's privacy authorization (platform/wx-privacy.ts explains the protocol). */
export interface Privacy {
  /** Registers the app's one listener; false on base libraries without the API (nothing is held there). */
  onNeedAuthorization(listener: NeedPrivacyListener): boolean;
  /** Opens the privacy guide configured in the MP console. */
  openContract(): Promise<void>;
  /** The guide's title as configured in the MP console; null when unknown. */
  contractName(): Promise<string | null>;
}
