/**
 * WeChat's page stack, and the page lifecycle it drives. Pages written as
 * `Component({ methods: { onLoad, onShow, onReady, onHide, onUnload } })` get these calls from
 * WeChat, not from their component engine, so the preview makes them here, in WeChat's order:
 *
 *   open a page   components attached -> onLoad(query) -> onShow -> (first render) -> onReady
 *   navigateTo    current onHide, then the new page opens            (at most 10 pages deep)
 *   navigateBack  top pages onUnload, the page below onShow
 *   redirectTo    current onUnload, then the new page opens           (not to a tab page)
 *   switchTab     every non-tab page onUnload, the shown tab page onHide; a tab page opens once
 *                 and is shown again later (onShow only), as WeChat keeps tab pages alive
 *   reLaunch      every page onUnload, then the page opens
 *
 * Rendering is behind PageFactory, so this runs (and is tested) without a DOM. Operations run one
 * at a time; each resolves once the new page is shown, or rejects with NavigationError, whose
 * message is the errMsg WeChat reports ("navigateTo:fail ...").
 */
import { parsePageUrl, type PageTarget } from './page-url';

/** `this` of a page: its methods and data (j-component's method caller). */
export type PageInstance = Record<string, unknown>;

export interface LivePage {
  readonly route: string;
  readonly query: Record<string, string>;
  readonly instance: PageInstance;
  setVisible(visible: boolean): void;
  /** Runs the pageLifetimes of the components in the page (the privacy popup listens to `show`). */
  triggerPageLifetime(name: 'show' | 'hide'): void;
  /** onReady has run and settled: the page is idle (end-to-end tests wait for this). */
  markReady(): void;
  destroy(): void;
}

export interface PageFactory {
  /** Renders the page (hidden) with its components attached. */
  create(target: PageTarget): LivePage;
}

export interface StackConfig {
  pages: readonly string[];
  tabPages: readonly string[];
  /** WeChat: 10. */
  maxDepth?: number;
}

export type StackApi = 'navigateTo' | 'redirectTo' | 'navigateBack' | 'switchTab' | 'reLaunch';

export class NavigationError extends Error {
  readonly errMsg: string;
  constructor(api: StackApi, reason: string) {
    super(`${api}:fail ${reason}`);
    this.name = 'NavigationError';
    this.errMsg = this.message;
  }
}

export interface PageStack {
  /** Bottom first, as getCurrentPages() answers. */
  pages(): readonly LivePage[];
  navigateTo(url: string): Promise<void>;
  redirectTo(url: string): Promise<void>;
  navigateBack(delta?: number): Promise<void>;
  switchTab(url: string): Promise<void>;
  reLaunch(url: string): Promise<void>;
}

export interface StackEvents {
  /** After every change of the shown page. */
  changed(pages: readonly LivePage[]): void;
  /** A page's lifecycle method threw: WeChat logs it and goes on. */
  hookFailed(route: string, hook: string, error: unknown): void;
}

export function createPageStack(config: StackConfig, factory: PageFactory, events: StackEvents): PageStack {
  const maxDepth = config.maxDepth ?? 10;
  let stack: LivePage[] = [];
  /** Tab pages opened so far, kept alive while other tabs are shown. */
  const tabs = new Map<string, LivePage>();
  let queue: Promise<unknown> = Promise.resolve();

  const isTab = (route: string) => config.tabPages.includes(route);
  const top = (): LivePage | null => stack[stack.length - 1] ?? null;

  function call(page: LivePage, hook: string, ...args: unknown[]): unknown {
    const method = page.instance[hook];
    if (typeof method !== 'function') return undefined;
    try {
      const result: unknown = method.apply(page.instance, args);
      if (result instanceof Promise) result.catch((error: unknown) => events.hookFailed(page.route, hook, error));
      return result;
    } catch (error) {
      events.hookFailed(page.route, hook, error);
      return undefined;
    }
  }

  function show(page: LivePage): void {
    page.setVisible(true);
    call(page, 'onShow');
    page.triggerPageLifetime('show');
  }

  function hide(page: LivePage): void {
    call(page, 'onHide');
    page.triggerPageLifetime('hide');
    page.setVisible(false);
  }

  function unload(page: LivePage): void {
    call(page, 'onUnload');
    page.destroy();
    if (tabs.get(page.route) === page) tabs.delete(page.route);
  }

  /**
   * Creates the page and puts it in the stack (`place`) before its onLoad runs: in WeChat the page
   * being loaded is already in getCurrentPages(), and wx.createSelectorQuery() in its onLoad or
   * onShow queries it.
   */
  function open(target: PageTarget, place: (page: LivePage) => void): LivePage {
    const page = factory.create(target);
    place(page);
    call(page, 'onLoad', target.query);
    show(page);
    // onReady comes after the first render: the next task, once the browser had a chance to paint.
    setTimeout(() => {
      Promise.resolve(call(page, 'onReady')).then(
        () => page.markReady(),
        () => page.markReady(),
      );
    }, 0);
    if (isTab(target.route)) tabs.set(target.route, page);
    return page;
  }

  function target(api: StackApi, url: string): PageTarget {
    const parsed = parsePageUrl(url, top()?.route ?? null);
    if (!config.pages.includes(parsed.route)) throw new NavigationError(api, `page "${parsed.route}" is not found`);
    return parsed;
  }

  function serialized(operation: () => void): Promise<void> {
    const run = queue.then(operation);
    queue = run.catch(() => undefined);
    return run.then(() => events.changed(stack));
  }

  return {
    pages: () => [...stack],

    navigateTo(url) {
      return serialized(() => {
        const next = target('navigateTo', url);
        if (isTab(next.route)) throw new NavigationError('navigateTo', `can not navigateTo a tabbar page`);
        if (stack.length >= maxDepth) throw new NavigationError('navigateTo', 'webview count limit exceed');
        const current = top();
        if (current) hide(current);
        open(next, (page) => stack.push(page));
      });
    },

    redirectTo(url) {
      return serialized(() => {
        const next = target('redirectTo', url);
        if (isTab(next.route)) throw new NavigationError('redirectTo', `can not redirectTo a tabbar page`);
        const current = stack.pop();
        if (current) unload(current);
        open(next, (page) => stack.push(page));
      });
    },

    navigateBack(delta = 1) {
      return serialized(() => {
        if (stack.length <= 1) throw new NavigationError('navigateBack', 'cannot navigate back at first page.');
        const count = Math.min(Math.max(1, Math.floor(delta) || 1), stack.length - 1);
        for (let index = 0; index < count; index += 1) {
          const page = stack.pop();
          if (page) unload(page);
        }
        const current = top();
        if (current) show(current);
      });
    },

    switchTab(url) {
      return serialized(() => {
        // WeChat drops the query: a tab page opens without one.
        const next = target('switchTab', url.split('?')[0] ?? url);
        if (!isTab(next.route)) throw new NavigationError('switchTab', `can not switch to no-tabBar page`);
        const current = top();
        if (current && current.route === next.route && stack.length === 1) return;
        // A bottom page under others was hidden when they opened: it is not hidden twice.
        const bottomShown = stack.length === 1;
        while (stack.length > 1) {
          const page = stack.pop();
          if (page) unload(page);
        }
        const bottom = stack.pop();
        if (bottom && !isTab(bottom.route)) unload(bottom);
        else if (bottom && bottomShown) hide(bottom);
        const kept = tabs.get(next.route);
        if (kept) {
          show(kept);
          stack = [kept];
        } else {
          open({ route: next.route, query: {} }, (page) => {
            stack = [page];
          });
        }
      });
    },

    reLaunch(url) {
      return serialized(() => {
        const next = target('reLaunch', url);
        for (const page of [...stack].reverse()) unload(page);
        for (const page of [...tabs.values()]) unload(page);
        stack = [];
        open(next, (page) => {
          stack = [page];
        });
      });
    },
  };
}
