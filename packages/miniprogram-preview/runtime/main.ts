/**
 * The browser preview's entry: wires the real mini-program (bundled by build/) to a `wx`
 * that talks to the local emulator, and launches it in a phone frame.
 *
 *   1. the identity comes from the URL (?openid=&unionid=&appid=), the first page from its hash
 *   2. built-in components, then every component and page script is loaded and registered
 *   3. App.onLaunch / onShow, then the first page opens (onLoad -> onShow -> onReady)
 *
 * A reload is a relaunch: memory is gone, localStorage (wx storage) stays.
 */
import './host.css';
import simulateApi from 'miniprogram-simulate/src/api/index.js';
import bundleModule from 'virtual:miniprogram';
import type { BundledApp } from '../shared/bundle';
import { registerBuiltins } from './builtins';
import { patchEngine } from './engine';
import { renderCallLog, renderUserBar } from './host-ui';
import { identityFromQuery, matchPreset, queryForIdentity, type PreviewIdentity } from './identity';
import { loadMiniprogram } from './modules';
import { createNativeUi, privacyDialogs } from './native-ui';
import { createOverlays } from './overlays';
import { createPageStack, type PageStack } from './page-stack';
import { formatPageUrl, parsePageUrl, type PageTarget } from './page-url';
import { createPhone, type PhonePage } from './phone';
import { downloadFile, pickImageFile } from './pickers';
import { createWxCloud } from './wx/cloud';
import { createWx } from './wx/create-wx';
import { createPrivacy } from './wx/privacy';
import { createWxStorageApis, storagePrefix } from './wx/storage';
import { createTempFiles } from './wx/temp-files';

const SCREEN = { screenWidth: 375, screenHeight: 667, statusBarHeight: 20, windowHeight: 603, pixelRatio: 2 };

function randomId(): string {
  return Math.random().toString(36).slice(2, 10);
}

function privacyKey(identity: PreviewIdentity): string {
  return `wx-preview-privacy:${identity.appid}:${identity.openid}`;
}

/** The page named by the URL's hash (`#/pages/profile/index`), else the app's first page. */
function launchTarget(bundle: BundledApp): PageTarget {
  const fromHash = parsePageUrl(decodeURIComponent(location.hash.replace(/^#/, '')), null);
  return bundle.pages.includes(fromHash.route) ? fromHash : { route: bundle.entryPage, query: {} };
}

function boot(): void {
  const bundle = bundleModule as BundledApp;
  const identity = identityFromQuery(location.search);
  const preset = matchPreset(identity);
  const appName = bundle.window.navigationBarTitleText ?? '小程序';
  const root = document.getElementById('pv-root');
  if (!root) throw new Error('preview: #pv-root is missing from index.html');

  const globals = globalThis as unknown as Record<string, unknown>;
  let stack: PageStack | null = null;
  const currentStack = (): PageStack => {
    if (!stack) throw new Error('preview: navigation before the first page opened');
    return stack;
  };

  renderUserBar(root, identity, {
    switchTo(next) {
      // Another user or app: relaunch from the first page, as opening another WeChat would.
      location.assign(`${location.pathname}${queryForIdentity(next)}`);
    },
    clearLocalData() {
      const prefix = storagePrefix(identity);
      for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) localStorage.removeItem(key);
      localStorage.removeItem(privacyKey(identity));
      location.reload();
    },
  });
  const stage = document.createElement('main');
  stage.className = 'pv-stage';
  root.appendChild(stage);

  const pages = new Map(
    bundle.modules.filter((module) => module.kind === 'page').map((module) => [module.path, { id: module.id, window: module.window }]),
  );
  const phone = createPhone({
    window: bundle.window,
    tabBar: bundle.tabBar,
    pages,
    onBack: () =>
      void currentStack()
        .navigateBack(1)
        .catch(() => undefined),
    onTab: (route) =>
      void currentStack()
        .switchTab(`/${route}`)
        .catch((error: unknown) => console.warn('[preview]', error)),
  });
  stage.appendChild(phone.element);
  const callLog = renderCallLog(stage);

  try {
    const overlays = createOverlays(phone.overlayRoot);
    const files = createTempFiles((blob) => URL.createObjectURL(blob), randomId);
    const cloud = createWxCloud({
      fetch: (url, init) => fetch(url, init),
      baseUrl: '',
      identity,
      files,
      onCall: (record) => callLog.add(record),
    });
    const contractName = `《${appName}小程序隐私保护指引》`;
    const privacy = createPrivacy({
      enabled: bundle.usePrivacyCheck,
      contractName,
      store: {
        get: () => localStorage.getItem(privacyKey(identity)) === '1',
        set: (agreed) => (agreed ? localStorage.setItem(privacyKey(identity), '1') : localStorage.removeItem(privacyKey(identity))),
      },
      ...privacyDialogs(overlays, contractName),
    });
    const launch = launchTarget(bundle);

    globals['wx'] = createWx(
      {
        appid: identity.appid,
        launch: { path: launch.route, query: launch.query },
        screen: SCREEN,
        storage: createWxStorageApis(localStorage, storagePrefix(identity)),
        cloud,
        privacy,
        overlays,
        files,
        stack: currentStack,
        setTitle(title) {
          const shown = currentStack().pages();
          const top = shown[shown.length - 1] as PhonePage | undefined;
          if (top) top.title = title;
          phone.update(shown);
        },
        pickImage: pickImageFile,
        saveFile: downloadFile,
        warn: (message) => console.warn(`[preview] ${message}`),
        fetch: (url, init) => fetch(url, init),
      },
      simulateApi,
    );
    globals['getCurrentPages'] = () => (stack ? stack.pages().map((page) => page.instance) : []);

    patchEngine();
    registerBuiltins(
      createNativeUi({
        overlays,
        files,
        cloud,
        privacy,
        appName,
        person: { name: preset.person?.name ?? `用户${identity.openid.slice(-4)}`, phoneNumber: preset.person?.phoneNumber ?? null },
        stack: currentStack,
        randomId,
      }),
    );

    const launchOptions = { path: launch.route, query: launch.query, scene: 1001, referrerInfo: {} };
    const loaded = loadMiniprogram(bundle, globals, (app) => {
      for (const hook of ['onLaunch', 'onShow']) {
        const method = app[hook];
        if (typeof method === 'function') method.call(app, launchOptions);
      }
    });
    const problems = [...bundle.unsupported, ...loaded.failures];
    for (const failure of loaded.failures) console.error(`[preview] ${failure}`);
    if (problems.length > 0) phone.showUnsupported(problems);

    stack = createPageStack({ pages: bundle.pages, tabPages: bundle.tabBar?.list.map((item) => item.pagePath) ?? [] }, phone.factory, {
      changed(shown) {
        phone.update(shown);
        const top = shown[shown.length - 1];
        // The hash names the page on top: a reload relaunches there, like DevTools' "current page" compile mode.
        if (top)
          history.replaceState(null, '', `${location.pathname}${location.search}#${formatPageUrl({ route: top.route, query: top.query })}`);
      },
      hookFailed: (route, hook, error) => console.error(`[preview] ${route} ${hook}`, error),
    });
    void stack.reLaunch(formatPageUrl(launch)).then(() => {
      document.body.setAttribute('data-pv-launched', '');
    });
  } catch (error) {
    phone.showFatal(error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
}

boot();
