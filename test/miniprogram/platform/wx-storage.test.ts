import type { WxStorageApi } from '../../../miniprogram/platform/wx-storage';
import { createWxStorage } from '../../../miniprogram/platform/wx-storage';

function fakeWxStorage(): WxStorageApi & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  return {
    entries,
    getStorageSync: ((key: string) => (entries.has(key) ? entries.get(key) : '')) as WxStorageApi['getStorageSync'],
    setStorageSync: ((key: string, value: unknown) => void entries.set(key, value)) as WxStorageApi['setStorageSync'],
    removeStorageSync: ((key: string) => void entries.delete(key)) as WxStorageApi['removeStorageSync'],
    getStorageInfoSync: () => ({ keys: [...entries.keys()], currentSize: 1, limitSize: 10240 }),
  };
}

describe('createWxStorage', () => {
  it('stores, lists and removes strings', () => {
    const api = fakeWxStorage();
    const storage = createWxStorage(api);

    storage.setItem('k', 'v');
    expect(storage.getItem('k')).toBe('v');
    expect(storage.keys()).toEqual(['k']);

    storage.removeItem('k');
    expect(storage.getItem('k')).toBeNull();
  });

  it('reads wx\'s "" for a missing key, and a non-string value, as absent', () => {
    const api = fakeWxStorage();
    api.entries.set('object', { written: 'by an older build' });
    const storage = createWxStorage(api);

    expect(storage.getItem('missing')).toBeNull();
    expect(storage.getItem('object')).toBeNull();
  });
});
