import type { KeyValueStorage } from '../ports';

export type WxStorageApi = Pick<WechatMiniprogram.Wx, 'getStorageSync' | 'setStorageSync' | 'removeStorageSync' | 'getStorageInfoSync'>;

/**
 * Local storage on wx's synchronous API. WeChat keeps it per WeChat user and per mini-program.
 * `api` defaults to the global `wx`, read when called (never at import).
 */
export function createWxStorage(api: WxStorageApi = wx): KeyValueStorage {
  return {
    getItem(key) {
      const value: unknown = api.getStorageSync(key);
      // wx answers '' for a missing key; the service never stores ''.
      return typeof value === 'string' && value !== '' ? value : null;
    },
    setItem(key, value) {
      api.setStorageSync(key, value);
    },
    removeItem(key) {
      api.removeStorageSync(key);
    },
    keys() {
      return api.getStorageInfoSync().keys;
    },
  };
}
