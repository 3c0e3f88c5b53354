/** Sets the current page's navigation bar title. */
export function setPageTitle(title: string): void {
  wx.setNavigationBarTitle({ title });
}
