import { createWxStorageApis, storagePrefix, type KeyValueBackend } from '../../../runtime/wx/storage';

/** localStorage's interface over a Map. */
function memoryBackend(): KeyValueBackend & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get length() {
      return entries.size;
    },
    key: (index) => [...entries.keys()][index] ?? null,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, value),
    removeItem: (key) => void entries.delete(key),
  };
}

const XIAOMING_A = storagePrefix({ openid: 'openid-xiaoming-a', unionid: 'u', appid: 'wx_a' });
const XIAOHONG_A = storagePrefix({ openid: 'openid-xiaohong-a', unionid: 'u2', appid: 'wx_a' });

describe('wx storage in the preview', () => {
  it('gives each (appid, openid) its own storage, as WeChat keeps one per user and mini-program', () => {
    const backend = memoryBackend();
    const xiaoming = createWxStorageApis(backend, XIAOMING_A);
    const xiaohong = createWxStorageApis(backend, XIAOHONG_A);
    xiaoming.setStorageSync('session', 'xiaoming’s');
    expect(xiaohong.getStorageSync('session')).toBe('');
    expect(xiaoming.getStorageInfoSync().keys).toEqual(['session']);
    expect(xiaohong.getStorageInfoSync().keys).toEqual([]);
    xiaohong.clearStorageSync();
    expect(xiaoming.getStorageSync('session')).toBe('xiaoming’s');
  });

  it('keeps the type of what was stored, and reads a missing key as ""', () => {
    const storage = createWxStorageApis(memoryBackend(), XIAOMING_A);
    storage.setStorageSync('number', 42);
    storage.setStorageSync('object', { a: [1, 'b'] });
    storage.setStorageSync('text', '{"looks":"like json"}');
    expect(storage.getStorageSync('number')).toBe(42);
    expect(storage.getStorageSync('object')).toEqual({ a: [1, 'b'] });
    expect(storage.getStorageSync('text')).toBe('{"looks":"like json"}');
    storage.removeStorageSync('number');
    expect(storage.getStorageSync('number')).toBe('');
  });

  it('reports a full storage as a wx failure', () => {
    const backend = memoryBackend();
    backend.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const storage = createWxStorageApis(backend, XIAOMING_A);
    expect(() => storage.setStorageSync('big', 'x')).toThrow(/exceed storage max size 10240kb/);
  });

  it('answers the asynchronous forms with callbacks or a promise', async () => {
    const storage = createWxStorageApis(memoryBackend(), XIAOMING_A);
    await storage.setStorage({ key: 'k', data: 'v' });
    await expect(storage.getStorage({ key: 'k' })).resolves.toEqual({ errMsg: 'getStorage:ok', data: 'v' });
    await expect(storage.getStorage({ key: 'missing' })).rejects.toEqual({ errMsg: 'getStorage:fail data not found' });
    const failed = await new Promise((resolve) => storage.getStorage({ key: 'missing', fail: resolve }));
    expect(failed).toEqual({ errMsg: 'getStorage:fail data not found' });
  });
});
