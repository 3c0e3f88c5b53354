/**
 * The `wx` global of the preview: what the mini-program uses, working (storage, wx.cloud against
 * the emulator, local files and shareFileMessage as a browser download, clipboard, navigation, toast / modal / loading, privacy, account and system info), laid over
 * miniprogram-simulate's ~400 no-op APIs so that anything else a page calls does not crash.
 * The first call of such a no-op is reported once on the console: the preview does not do it.
 */
import type { Overlays, SheetChoice } from '../overlays';
import type { PageStack } from '../page-stack';
import { answer, WxApiError, type WxCallbacks } from './callbacks';
import type { WxCloud } from './cloud';
import { createWxFileApis, type SaveFile } from './files';
import type { Privacy } from './privacy';
import { createWxRequest } from './request';
import { createWxSelectorQuery, type QueryOwner } from './selector-query';
import type { WxStorageApis } from './storage';
import type { TempFiles } from './temp-files';
import { extensionForType } from './temp-files';

export interface ScreenInfo {
  screenWidth: number;
  screenHeight: number;
  statusBarHeight: number;
  /** Height of the page area without the tab bar. */
  windowHeight: number;
  pixelRatio: number;
}

export interface WxDependencies {
  appid: string;
  /** The launch page and its query, for getLaunchOptionsSync. */
  launch: { path: string; query: Record<string, string> };
  screen: ScreenInfo;
  storage: WxStorageApis;
  cloud: WxCloud;
  privacy: Privacy;
  overlays: Overlays;
  files: TempFiles;
  stack(): PageStack;
  setTitle(title: string): void;
  /** Opens the browser's file chooser for an image. */
  pickImage(): Promise<Blob | null>;
  /** wx.shareFileMessage: the browser downloads the file instead (there is no chat to send it to). */
  saveFile: SaveFile;
  warn(message: string): void;
  /** The browser's fetch, for wx.request. */
  fetch(url: string, init: RequestInit): Promise<Response>;
}

type Api = (...args: never[]) => unknown;

interface UrlOptions extends WxCallbacks<object> {
  url: string;
}

/** Wraps miniprogram-simulate's no-op APIs so their first use is reported. */
function noOpFallbacks(stub: Record<string, unknown>, warn: (message: string) => void): Record<string, unknown> {
  const reported = new Set<string>();
  const fallbacks: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stub)) {
    if (typeof value !== 'function') {
      fallbacks[name] = value;
      continue;
    }
    fallbacks[name] = (...args: unknown[]) => {
      if (!reported.has(name)) {
        reported.add(name);
        warn(`wx.${name} 在浏览器预览中不执行任何操作 / is a no-op in the browser preview`);
      }
      return (value as (...callArgs: unknown[]) => unknown)(...args);
    };
  }
  return fallbacks;
}

export function createWx(deps: WxDependencies, stub: Record<string, unknown>): Record<string, unknown> {
  const { overlays } = deps;

  const navigation = (api: 'navigateTo' | 'redirectTo' | 'switchTab' | 'reLaunch') => (options: UrlOptions) =>
    answer(api, options, async () => {
      if (typeof options?.url !== 'string') throw new WxApiError('parameter.url should be String');
      await deps.stack()[api](options.url);
      return {};
    });

  const systemInfo = () => ({
    brand: 'devtools',
    model: 'iPhone 8 (browser preview)',
    system: 'iOS 16.0',
    platform: 'devtools',
    version: '8.0.50',
    SDKVersion: '3.4.10',
    language: 'zh_CN',
    pixelRatio: deps.screen.pixelRatio,
    screenWidth: deps.screen.screenWidth,
    screenHeight: deps.screen.screenHeight,
    windowWidth: deps.screen.screenWidth,
    windowHeight: deps.screen.windowHeight,
    statusBarHeight: deps.screen.statusBarHeight,
    safeArea: {
      left: 0,
      right: deps.screen.screenWidth,
      top: deps.screen.statusBarHeight,
      bottom: deps.screen.screenHeight,
      width: deps.screen.screenWidth,
      height: deps.screen.screenHeight - deps.screen.statusBarHeight,
    },
    theme: 'light',
  });

  const own: Record<string, Api | unknown> = {
    ...deps.storage,
    ...deps.privacy.apis,
    ...createWxFileApis(deps.files, deps.saveFile),
    cloud: deps.cloud,
    request: createWxRequest((url, init) => deps.fetch(url, init), deps.warn),
    createSelectorQuery: () =>
      createWxSelectorQuery(() => {
        const shown = deps.stack().pages();
        return shown[shown.length - 1]?.instance as QueryOwner | undefined;
      }),

    getAccountInfoSync: () => ({ miniProgram: { appId: deps.appid, envVersion: 'develop', version: '' }, plugin: {} }),
    getLaunchOptionsSync: () => ({ path: deps.launch.path, query: { ...deps.launch.query }, scene: 1001, referrerInfo: {} }),
    getEnterOptionsSync: () => ({
      path: deps.launch.path,
      query: { ...deps.launch.query },
      scene: 1001,
      referrerInfo: {},
      apiCategory: 'default',
    }),
    getSystemInfoSync: systemInfo,
    getWindowInfo: systemInfo,
    getDeviceInfo: systemInfo,
    getAppBaseInfo: systemInfo,
    getSystemInfo: (options?: WxCallbacks<object>) => answer('getSystemInfo', options, async () => systemInfo()),
    getMenuButtonBoundingClientRect: () => ({
      width: 87,
      height: 32,
      top: deps.screen.statusBarHeight + 6,
      right: deps.screen.screenWidth - 7,
      bottom: deps.screen.statusBarHeight + 38,
      left: deps.screen.screenWidth - 94,
    }),

    navigateTo: navigation('navigateTo'),
    redirectTo: navigation('redirectTo'),
    switchTab: navigation('switchTab'),
    reLaunch: navigation('reLaunch'),
    navigateBack: (options?: WxCallbacks<object> & { delta?: number }) =>
      answer('navigateBack', options, async () => {
        await deps.stack().navigateBack(options?.delta ?? 1);
        return {};
      }),
    setNavigationBarTitle: (options: WxCallbacks<object> & { title: string }) =>
      answer('setNavigationBarTitle', options, async () => {
        deps.setTitle(String(options.title ?? ''));
        return {};
      }),

    // The browser has no pull-down gesture: a page's onPullDownRefresh is never called here, and stopping it is a no-op.
    stopPullDownRefresh: (options?: WxCallbacks<object>) => answer('stopPullDownRefresh', options, async () => ({})),

    showToast: (
      options: WxCallbacks<object> & { title: string; icon?: 'success' | 'error' | 'loading' | 'none'; duration?: number; mask?: boolean },
    ) =>
      answer('showToast', options, async () => {
        overlays.showToast({
          title: String(options.title ?? ''),
          ...(options.icon !== undefined && { icon: options.icon }),
          ...(options.duration !== undefined && { duration: options.duration }),
          ...(options.mask !== undefined && { mask: options.mask }),
        });
        return {};
      }),
    hideToast: (options?: WxCallbacks<object>) =>
      answer('hideToast', options, async () => {
        overlays.hideToast();
        return {};
      }),
    showLoading: (options: WxCallbacks<object> & { title: string; mask?: boolean }) =>
      answer('showLoading', options, async () => {
        overlays.showLoading(String(options.title ?? ''), options.mask === true);
        return {};
      }),
    hideLoading: (options?: WxCallbacks<object>) =>
      answer('hideLoading', options, async () => {
        overlays.hideLoading();
        return {};
      }),
    showModal: (options: WxCallbacks<object> & Parameters<Overlays['showModal']>[0]) =>
      answer('showModal', options, () => overlays.showModal(options)),
    showActionSheet: (options: WxCallbacks<object> & { itemList: string[]; alertText?: string }) =>
      answer('showActionSheet', options, async () => {
        const choices: SheetChoice<number>[] = options.itemList.map((label, index) => ({ label, value: index }));
        const tapIndex = await overlays.showSheet(options.alertText ?? '', choices);
        if (tapIndex === null) throw new WxApiError('cancel');
        return { tapIndex };
      }),

    getImageInfo: (options: WxCallbacks<object> & { src: string }) =>
      answer('getImageInfo', options, async () => {
        const url = deps.files.displayUrl(options.src) ?? options.src;
        const image = new Image();
        await new Promise<void>((resolve, reject) => {
          image.onload = () => resolve();
          image.onerror = () => reject(new WxApiError(`get image info fail: ${options.src}`));
          image.src = url;
        });
        const type = deps.files.get(options.src)?.type ?? '';
        return {
          width: image.naturalWidth,
          height: image.naturalHeight,
          path: options.src,
          orientation: 'up',
          type: extensionForType(type),
        };
      }),
    chooseMedia: (options?: WxCallbacks<object>) =>
      answer('chooseMedia', options, async () => {
        const blob = await deps.pickImage();
        if (!blob) throw new WxApiError('cancel');
        const tempFilePath = deps.files.add(blob, extensionForType(blob.type));
        return { type: 'image', tempFiles: [{ tempFilePath, size: blob.size, fileType: 'image' }] };
      }),
    chooseImage: (options?: WxCallbacks<object>) =>
      answer('chooseImage', options, async () => {
        const blob = await deps.pickImage();
        if (!blob) throw new WxApiError('cancel');
        const path = deps.files.add(blob, extensionForType(blob.type));
        return { tempFilePaths: [path], tempFiles: [{ path, size: blob.size }] };
      }),
    setClipboardData: (options: WxCallbacks<object> & { data: string }) =>
      answer('setClipboardData', options, async () => {
        await navigator.clipboard?.writeText(String(options.data)).catch(() => undefined);
        overlays.showToast({ title: '内容已复制', icon: 'none' });
        return {};
      }),
  };

  return { ...noOpFallbacks(stub, deps.warn), ...own };
}
