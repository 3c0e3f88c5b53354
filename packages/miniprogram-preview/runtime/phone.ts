/**
 * The phone: status bar, WeChat's navigation bar (title, back, the capsule), the page area, the
 * tab bar from app.json, and a layer for toasts and dialogs. Each open page lives in its own
 * container in the page area (hidden when not on top), rendered by the component engine.
 *
 * Screen size is fixed (375 x 667, an iPhone 8, one of DevTools' presets): 750rpx = 375px.
 */
import { PAGE_ATTRIBUTE, type TabBarConfig, type WindowConfig } from '../shared/bundle';
import { createRoot, installMouseTaps, type RootComponent } from './engine';
import type { LivePage, PageFactory } from './page-stack';
import { onPress } from './press';

export interface PhoneConfig {
  window: WindowConfig;
  tabBar: TabBarConfig | null;
  /** Page route -> its j-component id and window settings. */
  pages: Map<string, { id: string; window: WindowConfig }>;
  onBack(): void;
  onTab(route: string): void;
}

export interface PhonePage extends LivePage {
  title: string;
  readonly window: WindowConfig;
}

export interface Phone {
  readonly element: HTMLElement;
  /** Where toasts and dialogs go (above the page, below nothing). */
  readonly overlayRoot: HTMLElement;
  readonly factory: PageFactory;
  /** Redraws the navigation bar and the tab bar for the page on top. */
  update(pages: readonly LivePage[]): void;
  showFatal(message: string): void;
  /** A banner over the screen naming what the preview cannot show, each with its file; closable. */
  showUnsupported(problems: string[]): void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function createPhone(config: PhoneConfig): Phone {
  const phone = element('div', 'pv-phone');
  const screen = element('div', 'pv-screen');
  const status = element('div', 'pv-statusbar');
  status.append(element('span', 'pv-statusbar__time', '9:41'), element('span', 'pv-statusbar__icons', '●●●● 100%'));
  const navbar = element('div', 'pv-navbar');
  const back = element('button', 'pv-navbar__back', '‹');
  back.setAttribute('aria-label', '返回');
  onPress(back, () => config.onBack());
  const title = element('div', 'pv-navbar__title');
  const capsule = element('div', 'pv-capsule');
  capsule.append(
    element('span', 'pv-capsule__more', '···'),
    element('span', 'pv-capsule__line'),
    element('span', 'pv-capsule__close', '◉'),
  );
  navbar.append(back, title, capsule);
  const viewport = element('div', 'pv-viewport');
  const tabbar = element('div', 'pv-tabbar');
  const overlays = element('div', 'pv-overlays');
  screen.append(status, navbar, viewport, tabbar, overlays);
  phone.appendChild(screen);
  installMouseTaps(viewport);

  if (config.window.backgroundColor) viewport.style.background = config.window.backgroundColor;
  if (config.tabBar) {
    tabbar.style.background = config.tabBar.backgroundColor;
    tabbar.classList.toggle('pv-tabbar--white', config.tabBar.borderStyle === 'white');
  }

  const factory: PageFactory = {
    create(target) {
      const page = config.pages.get(target.route);
      if (!page) throw new Error(`preview: no page ${target.route}`);
      const container = element('div', 'pv-page');
      container.setAttribute(PAGE_ATTRIBUTE, page.id);
      container.setAttribute('data-pv-route', target.route);
      container.hidden = true;
      viewport.appendChild(container);
      const root = createRoot(page.id);
      root.attach(container);
      const instance = root.instance;
      // What WeChat puts on a page's `this` besides its data and methods.
      Object.assign(instance, {
        route: target.route,
        __route__: target.route,
        options: { ...target.query },
        // The custom tab bar's instance (tabBar.custom), as pages reach it to mark their tab selected.
        getTabBar: () => customTabBar()?.instance ?? null,
      });
      const windowConfig: WindowConfig = { ...config.window, ...page.window };
      const live: PhonePage = {
        route: target.route,
        query: target.query,
        instance,
        title: windowConfig.navigationBarTitleText ?? '',
        window: windowConfig,
        setVisible(visible) {
          container.hidden = !visible;
        },
        triggerPageLifetime(name) {
          root.triggerPageLifeTime(name);
        },
        markReady() {
          container.setAttribute('data-pv-ready', '');
        },
        destroy() {
          root.detach();
          container.remove();
        },
      };
      return live;
    },
  };

  let customRoot: RootComponent | null = null;
  function customTabBar(): RootComponent | null {
    const id = config.tabBar?.customId;
    if (!id) return null;
    if (!customRoot) {
      customRoot = createRoot(id);
      tabbar.classList.add('pv-tabbar--custom');
      // Taps reach elements inside a page container only (engine.ts): the tab bar acts as one.
      tabbar.setAttribute(PAGE_ATTRIBUTE, id);
      installMouseTaps(tabbar);
    }
    return customRoot;
  }

  function renderTabBar(route: string | null): void {
    const isTab = !!config.tabBar && config.tabBar.list.some((item) => item.pagePath === route);
    screen.classList.toggle('pv-screen--tabbar', isTab);
    const custom = customTabBar();
    if (custom) {
      if (isTab && !custom.dom.isConnected) custom.attach(tabbar);
      tabbar.hidden = !isTab;
      return;
    }
    tabbar.replaceChildren();
    if (!config.tabBar || !isTab) return;
    const { color, selectedColor } = config.tabBar;
    for (const item of config.tabBar.list) {
      const selected = item.pagePath === route;
      const tab = element('button', `pv-tabbar__item${selected ? ' pv-tabbar__item--selected' : ''}`, item.text);
      tab.dataset['route'] = item.pagePath;
      tab.style.color = selected ? selectedColor : color;
      tab.setAttribute('aria-selected', String(selected));
      onPress(tab, () => config.onTab(item.pagePath));
      tabbar.appendChild(tab);
    }
  }

  return {
    element: phone,
    overlayRoot: overlays,
    factory,
    update(pages) {
      const top = (pages[pages.length - 1] as PhonePage | undefined) ?? null;
      title.textContent = top?.title ?? '';
      back.hidden = pages.length <= 1;
      const windowConfig = top?.window ?? config.window;
      navbar.style.background = windowConfig.navigationBarBackgroundColor ?? '#ffffff';
      navbar.classList.toggle('pv-navbar--white', windowConfig.navigationBarTextStyle === 'white');
      screen.classList.toggle('pv-screen--custom-nav', windowConfig.navigationStyle === 'custom');
      renderTabBar(top?.route ?? null);
    },
    showFatal(message) {
      const box = element('div', 'pv-fatal');
      box.appendChild(element('div', 'pv-fatal__title', '预览出错 / The preview failed'));
      box.appendChild(element('pre', 'pv-fatal__message', message));
      overlays.appendChild(box);
    },
    showUnsupported(problems) {
      const banner = element('div', 'pv-unsupported-banner');
      banner.setAttribute('role', 'status');
      const close = element('button', 'pv-unsupported-banner__close', '×');
      close.setAttribute('aria-label', '关闭 / Close');
      close.addEventListener('click', () => banner.remove());
      banner.append(
        close,
        element('div', 'pv-unsupported-banner__title', `预览不支持的内容 ${problems.length} 处 / Not supported in the preview`),
      );
      for (const problem of problems) banner.appendChild(element('pre', 'pv-unsupported-banner__item', problem.split('\n')[0] ?? problem));
      overlays.appendChild(banner);
    },
  };
}
