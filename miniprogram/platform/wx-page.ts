/** Sets the current page's navigation bar title. */
export function setPageTitle(title: string): void {
  wx.setNavigationBarTitle({ title });
}

/** Ends the current page's pull-down refresh animation (onPullDownRefresh started it). */
export function stopPageRefresh(): void {
  wx.stopPullDownRefresh();
}
