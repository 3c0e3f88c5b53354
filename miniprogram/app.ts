import { startPlatform } from './composition-root';

/**
 * Nothing is asked of the user at launch (WeChat review rejects forced authorization): the app
 * only prepares wx.cloud. A cached user is read by the first page, synchronously and offline;
 * a login happens when the person taps 微信登录 or uses a protected action.
 */
App<IAppOption>({
  globalData: {},
  onLaunch() {
    startPlatform();
  },
});
