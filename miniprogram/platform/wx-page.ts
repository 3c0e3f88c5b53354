/** A page's own navigation bar (components/nav-bar), as setPageTitle reaches it. */
export interface TitledBar {
  setData(data: { title: string }): void;
}

/**
 * The bars of live pages, in the order they were attached: the last is the top page's (installed
 * pages are never tab pages, the only pages that stay alive out of stack order). A registry rather
 * than getCurrentPages(): a page sets its title in onLoad, and not every runtime lists the page by then.
 */
const liveBars: TitledBar[] = [];

/** Called by a bar when attached; the returned function when detached. */
export function registerNavigationBar(bar: TitledBar): () => void {
  liveBars.push(bar);
  return () => {
    const index = liveBars.lastIndexOf(bar);
    if (index >= 0) liveBars.splice(index, 1);
  };
}

/**
 * Sets the current page's navigation bar title. Under `"navigationStyle": "custom"` WeChat draws no
 * bar and ignores setNavigationBarTitle: the page's own <nav-bar>, when it has one, shows the title.
 */
export function setPageTitle(title: string): void {
  wx.setNavigationBarTitle({ title });
  liveBars[liveBars.length - 1]?.setData({ title });
}

/** Where a page's own navigation bar goes: below the status bar, as tall as the capsule's row (px). */
export interface NavigationBarMetrics {
  statusBarHeight: number;
  barHeight: number;
}

/**
 * The window and the capsule (the ··· / ⊙ buttons WeChat always draws top right) as base libraries
 * have them: getWindowInfo since 2.20.1, getSystemInfoSync before; getMenuButtonBoundingClientRect
 * may answer zeros in some simulators. Read through this view because older typings lack getWindowInfo.
 */
interface WindowApis {
  getWindowInfo?: () => { statusBarHeight?: number };
  getSystemInfoSync?: () => { statusBarHeight?: number };
  getMenuButtonBoundingClientRect?: () => { top: number; height: number };
}

export function navigationBarMetrics(): NavigationBarMetrics {
  const apis = wx as unknown as WindowApis;
  let statusBarHeight = 20;
  try {
    statusBarHeight = (apis.getWindowInfo ?? apis.getSystemInfoSync)?.()?.statusBarHeight ?? 20;
  } catch {
    // Keep the common height.
  }
  let barHeight = 44;
  try {
    const capsule = apis.getMenuButtonBoundingClientRect?.();
    if (capsule && capsule.height > 0 && capsule.top >= statusBarHeight) barHeight = (capsule.top - statusBarHeight) * 2 + capsule.height;
  } catch {
    // Keep the common height.
  }
  return { statusBarHeight, barHeight };
}

/** Ends the current page's pull-down refresh animation (onPullDownRefresh started it). */
export function stopPageRefresh(): void {
  wx.stopPullDownRefresh();
}
