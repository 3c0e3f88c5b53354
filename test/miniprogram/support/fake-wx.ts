/**
 * A controllable `wx` for page tests, laid over miniprogram-simulate's stub (whose storage keeps
 * nothing and which has no wx.cloud). The pages run their real wiring: composition-root.ts builds
 * the auth service from the platform adapters, and those call this `wx`.
 */

export interface CloudFunctionRequest {
  name: string;
  data: Record<string, unknown>;
}

/** Answers a wx.cloud.callFunction: return the function's result (or a promise of it), or throw a wx failure. */
export type CloudFunctionHandler = (request: CloudFunctionRequest) => unknown;

/** Answers a wx.cloud.uploadFile: return the fileID (or a promise of it), or throw a wx failure. */
export interface UploadRequest {
  cloudPath: string;
  filePath: string;
}
export type UploadHandler = (request: UploadRequest) => unknown;

/** What a page passed to wx.showModal. */
export interface ModalRecord {
  title: string;
  content: string;
  confirmText?: string;
  cancelText?: string;
  confirmColor?: string;
  /** Recorded only when false: a dialog that tells rather than asks. */
  showCancel?: boolean;
}
/** true = the person taps the confirm button, false = cancel. */
export type ModalHandler = (modal: ModalRecord) => boolean;

/** What a page handed to wx.shareFileMessage. */
export interface ShareRecord {
  filePath: string;
  fileName?: string;
}
/** How the person answers the share sheet: 'shared', 'cancel' (closed it), or a wx failure to fail with. */
export type ShareAnswer = 'shared' | 'cancel' | { errMsg: string };

/** Answers a wx.cloud.downloadFile: return the temp file path (or a promise of it), or throw a wx failure. */
export type DownloadHandler = (fileID: string) => unknown;
/** What wx.cloud.database() answers: the emulator's client database as the connected person (emulator-backend.ts). */
export type DatabaseFactory = () => unknown;

/** wx.env.USER_DATA_PATH in tests. */
export const FAKE_USER_DATA_PATH = 'wxfile://usr';

export type NavigationRecord = { api: 'navigateTo' | 'redirectTo' | 'switchTab'; url: string } | { api: 'navigateBack'; delta: number };

export type PrivacyListener = (resolve: (decision: { event: string; buttonId?: string }) => void, eventInfo: { referrer: string }) => void;

export interface FakeWx {
  readonly storage: Map<string, unknown>;
  readonly cloudCalls: CloudFunctionRequest[];
  readonly navigations: NavigationRecord[];
  readonly privacyContractOpens: number;
  /** The listener the page registered with wx.onNeedPrivacyAuthorization, if any. */
  readonly privacyListener: PrivacyListener | null;
  readonly uploads: UploadRequest[];
  readonly modals: ModalRecord[];
  readonly toasts: string[];
  /** The icon of each toast, in the order of `toasts` ('none', 'success'...). */
  readonly toastIcons: string[];
  /** Navigation bar titles the page set (wx.setNavigationBarTitle), in order. */
  readonly titles: string[];
  /** How many times a page called wx.stopPullDownRefresh. */
  readonly refreshStops: number;
  /** What wx.setClipboardData was given, in order. */
  readonly clipboard: string[];
  /** Files written with the file system manager: path → text. */
  readonly files: Map<string, string>;
  readonly shares: ShareRecord[];
  /** fileIDs passed to wx.cloud.downloadFile. */
  readonly downloads: string[];
  answerShare(answer: ShareAnswer): void;
  answerDownload(handler: DownloadHandler): void;
  answerDatabase(factory: DatabaseFactory): void;
  /** The next file writes fail with this wx failure (null: they succeed again). */
  failWrites(failure: { errMsg: string } | null): void;
  answerCloud(handler: CloudFunctionHandler): void;
  answerUpload(handler: UploadHandler): void;
  /** How the person answers wx.showModal (default: cancel). */
  answerModal(handler: ModalHandler | boolean): void;
  /** What getCurrentPages().length answers: 2 = the login page was opened from another page. */
  setPageStackDepth(depth: number): void;
  reset(): void;
}

export const FAKE_APP_ID = 'wx-test-app';

interface State {
  storage: Map<string, unknown>;
  cloudCalls: CloudFunctionRequest[];
  navigations: NavigationRecord[];
  handler: CloudFunctionHandler;
  uploadHandler: UploadHandler;
  modalHandler: ModalHandler;
  uploads: UploadRequest[];
  modals: ModalRecord[];
  toasts: string[];
  toastIcons: string[];
  titles: string[];
  refreshStops: number;
  stackDepth: number;
  privacyListener: PrivacyListener | null;
  privacyContractOpens: number;
  clipboard: string[];
  files: Map<string, string>;
  shares: ShareRecord[];
  downloads: string[];
  shareAnswer: ShareAnswer;
  downloadHandler: DownloadHandler;
  databaseFactory: DatabaseFactory;
  writeFailure: { errMsg: string } | null;
}

function freshState(): State {
  return {
    storage: new Map(),
    cloudCalls: [],
    navigations: [],
    handler: () => {
      throw { errMsg: 'cloud.callFunction:fail no handler in this test' };
    },
    uploadHandler: () => {
      throw { errMsg: 'cloud.uploadFile:fail no handler in this test' };
    },
    modalHandler: () => false,
    uploads: [],
    modals: [],
    toasts: [],
    toastIcons: [],
    titles: [],
    refreshStops: 0,
    stackDepth: 2,
    privacyListener: null,
    privacyContractOpens: 0,
    clipboard: [],
    files: new Map(),
    shares: [],
    downloads: [],
    shareAnswer: 'shared',
    downloadHandler: () => {
      throw { errMsg: 'cloud.downloadFile:fail no handler in this test' };
    },
    databaseFactory: () => {
      throw new Error('wx.cloud.database(): no database in this test (connect an emulator backend)');
    },
    writeFailure: null,
  };
}

interface FailCallbacks {
  success?: (result: { errMsg: string }) => void;
  fail?: (error: { errMsg: string }) => void;
}

interface Callbacks {
  success?: (result: { errMsg: string }) => void;
}

function succeed(options: Callbacks, api: string): void {
  options.success?.({ errMsg: `${api}:ok` });
}

export function installFakeWx(): FakeWx {
  let state = freshState();

  const fakes = {
    getStorageSync: (key: string) => (state.storage.has(key) ? state.storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => void state.storage.set(key, value),
    removeStorageSync: (key: string) => void state.storage.delete(key),
    getStorageInfoSync: () => ({ keys: [...state.storage.keys()], currentSize: 0, limitSize: 10240 }),
    getAccountInfoSync: () => ({ miniProgram: { appId: FAKE_APP_ID, envVersion: 'develop', version: '' }, plugin: {} }),
    navigateTo: (options: Callbacks & { url: string }) => {
      state.navigations.push({ api: 'navigateTo', url: options.url });
      succeed(options, 'navigateTo');
    },
    redirectTo: (options: Callbacks & { url: string }) => {
      state.navigations.push({ api: 'redirectTo', url: options.url });
      succeed(options, 'redirectTo');
    },
    switchTab: (options: Callbacks & { url: string }) => {
      state.navigations.push({ api: 'switchTab', url: options.url });
      succeed(options, 'switchTab');
    },
    navigateBack: (options: Callbacks & { delta?: number }) => {
      state.navigations.push({ api: 'navigateBack', delta: options.delta ?? 1 });
      succeed(options, 'navigateBack');
    },
    setNavigationBarTitle: (options: Callbacks & { title: string }) => {
      state.titles.push(options.title);
      succeed(options, 'setNavigationBarTitle');
    },
    stopPullDownRefresh: (options: Callbacks = {}) => {
      state.refreshStops += 1;
      succeed(options, 'stopPullDownRefresh');
    },
    showModal: (options: ModalRecord & { success?: (result: { confirm: boolean; cancel: boolean; errMsg: string }) => void }) => {
      const { title, content, confirmText, cancelText, confirmColor, showCancel } = options;
      const modal: ModalRecord = { title, content };
      if (showCancel === false) modal.showCancel = false;
      if (confirmText !== undefined) modal.confirmText = confirmText;
      if (cancelText !== undefined) modal.cancelText = cancelText;
      if (confirmColor !== undefined) modal.confirmColor = confirmColor;
      state.modals.push(modal);
      const confirm = state.modalHandler(modal);
      options.success?.({ confirm, cancel: !confirm, errMsg: 'showModal:ok' });
    },
    showToast: (options: Callbacks & { title: string; icon?: string }) => {
      state.toasts.push(options.title);
      // WeChat's default icon is 'success'.
      state.toastIcons.push(options.icon ?? 'success');
      succeed(options, 'showToast');
    },
    env: { USER_DATA_PATH: FAKE_USER_DATA_PATH },
    setClipboardData: (options: Callbacks & { data: string }) => {
      state.clipboard.push(options.data);
      succeed(options, 'setClipboardData');
    },
    getFileSystemManager: () => ({
      writeFile: (options: FailCallbacks & { filePath: string; data: string; encoding?: string }) => {
        if (state.writeFailure) {
          options.fail?.(state.writeFailure);
          return;
        }
        state.files.set(options.filePath, options.data);
        succeed(options, 'writeFile');
      },
    }),
    shareFileMessage: (options: FailCallbacks & ShareRecord) => {
      state.shares.push({ filePath: options.filePath, ...(options.fileName !== undefined && { fileName: options.fileName }) });
      const answer = state.shareAnswer;
      if (answer === 'shared') succeed(options, 'shareFileMessage');
      else options.fail?.(answer === 'cancel' ? { errMsg: 'shareFileMessage:fail cancel' } : answer);
    },
    onNeedPrivacyAuthorization: (listener: PrivacyListener) => {
      state.privacyListener = listener;
    },
    openPrivacyContract: (options: Callbacks) => {
      state.privacyContractOpens += 1;
      succeed(options, 'openPrivacyContract');
    },
    getPrivacySetting: (options: { success?: (result: { needAuthorization: boolean; privacyContractName: string }) => void }) => {
      options.success?.({ needAuthorization: true, privacyContractName: '《测试小程序隐私保护指引》' });
    },
    cloud: {
      init: () => undefined,
      callFunction: async (options: { name: string; data?: Record<string, unknown> }) => {
        const request = { name: options.name, data: options.data ?? {} };
        state.cloudCalls.push(request);
        const result: unknown = await state.handler(request);
        return { errMsg: 'cloud.callFunction:ok', result, requestID: `request-${state.cloudCalls.length}` };
      },
      uploadFile: async (options: { cloudPath: string; filePath: string }) => {
        const request = { cloudPath: options.cloudPath, filePath: options.filePath };
        state.uploads.push(request);
        const fileID: unknown = await state.uploadHandler(request);
        return { errMsg: 'cloud.uploadFile:ok', fileID, statusCode: 200 };
      },
      downloadFile: async (options: { fileID: string }) => {
        state.downloads.push(options.fileID);
        const tempFilePath: unknown = await state.downloadHandler(options.fileID);
        return { errMsg: 'cloud.downloadFile:ok', tempFilePath, statusCode: 200 };
      },
      database: () => state.databaseFactory(),
    },
  };

  const globals = globalThis as unknown as { wx?: Record<string, unknown>; getCurrentPages?: () => unknown[] };
  globals.wx = Object.assign(globals.wx ?? {}, fakes);
  globals.getCurrentPages = () => Array.from({ length: state.stackDepth }, () => ({}));

  return {
    get storage() {
      return state.storage;
    },
    get cloudCalls() {
      return state.cloudCalls;
    },
    get navigations() {
      return state.navigations;
    },
    get privacyContractOpens() {
      return state.privacyContractOpens;
    },
    get privacyListener() {
      return state.privacyListener;
    },
    get uploads() {
      return state.uploads;
    },
    get modals() {
      return state.modals;
    },
    get refreshStops() {
      return state.refreshStops;
    },
    get toasts() {
      return state.toasts;
    },
    get toastIcons() {
      return state.toastIcons;
    },
    get titles() {
      return state.titles;
    },
    get clipboard() {
      return state.clipboard;
    },
    get files() {
      return state.files;
    },
    get shares() {
      return state.shares;
    },
    get downloads() {
      return state.downloads;
    },
    answerShare(answer) {
      state.shareAnswer = answer;
    },
    answerDatabase(factory) {
      state.databaseFactory = factory;
    },
    answerDownload(handler) {
      state.downloadHandler = handler;
    },
    failWrites(failure) {
      state.writeFailure = failure;
    },
    answerCloud(handler) {
      state.handler = handler;
    },
    answerUpload(handler) {
      state.uploadHandler = handler;
    },
    answerModal(handler) {
      state.modalHandler = typeof handler === 'boolean' ? () => handler : handler;
    },
    setPageStackDepth(depth) {
      state.stackDepth = depth;
    },
    reset() {
      state = freshState();
    },
  };
}
