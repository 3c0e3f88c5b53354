/**
 * wx storage on the browser's localStorage. WeChat keeps storage per WeChat user and per
 * mini-program, so each (appid, openid) gets its own key prefix: switching the simulated user
 * or app in the preview shows what that person's phone would have cached, and a reload keeps it.
 *
 * Values keep their JSON type (getStorageSync returns the number or object that was set), and a
 * missing key reads as '' like in WeChat.
 */
import type { PreviewIdentity } from '../identity';
import { answer, WxApiError, type WxCallbacks } from './callbacks';

/** What the preview needs of localStorage (tests pass a Map-backed one). */
export interface KeyValueBackend {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** WeChat: 10 MB per user per mini-program. */
export const STORAGE_LIMIT_KB = 10240;

export function storagePrefix(identity: PreviewIdentity): string {
  return `wx-preview:${identity.appid}:${identity.openid}:`;
}

export interface WxStorageApis {
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
  clearStorageSync(): void;
  getStorageInfoSync(): { keys: string[]; currentSize: number; limitSize: number };
  getStorage(options: { key: string } & WxCallbacks<{ data: unknown }>): Promise<unknown> | undefined;
  setStorage(options: { key: string; data: unknown } & WxCallbacks<object>): Promise<unknown> | undefined;
  removeStorage(options: { key: string } & WxCallbacks<object>): Promise<unknown> | undefined;
  clearStorage(options?: WxCallbacks<object>): Promise<unknown> | undefined;
  getStorageInfo(options?: WxCallbacks<{ keys: string[]; currentSize: number; limitSize: number }>): Promise<unknown> | undefined;
}

export function createWxStorageApis(backend: KeyValueBackend, prefix: string): WxStorageApis {
  function ownKeys(): string[] {
    const keys: string[] = [];
    for (let index = 0; index < backend.length; index += 1) {
      const key = backend.key(index);
      if (key?.startsWith(prefix)) keys.push(key.slice(prefix.length));
    }
    return keys;
  }

  function read(key: string): unknown {
    const stored = backend.getItem(prefix + key);
    if (stored === null) return '';
    try {
      return JSON.parse(stored) as unknown;
    } catch {
      // Written by something else than this shim: hand it over as text.
      return stored;
    }
  }

  function write(key: string, value: unknown): void {
    if (typeof key !== 'string' || key === '') throw new WxApiError('parameter error: key should be a non-empty string');
    const encoded = JSON.stringify(value === undefined ? '' : value);
    try {
      backend.setItem(prefix + key, encoded);
    } catch (error) {
      throw new WxApiError(`exceed storage max size ${STORAGE_LIMIT_KB}kb (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  function info() {
    const keys = ownKeys();
    const bytes = keys.reduce((total, key) => total + key.length + (backend.getItem(prefix + key)?.length ?? 0), 0);
    return { keys, currentSize: Math.ceil(bytes / 1024), limitSize: STORAGE_LIMIT_KB };
  }

  function clear(): void {
    for (const key of ownKeys()) backend.removeItem(prefix + key);
  }

  return {
    getStorageSync: read,
    setStorageSync: write,
    removeStorageSync: (key) => backend.removeItem(prefix + key),
    clearStorageSync: clear,
    getStorageInfoSync: info,
    getStorage: (options) =>
      answer('getStorage', options, async () => {
        if (backend.getItem(prefix + options.key) === null) throw new WxApiError('data not found');
        return { data: read(options.key) };
      }),
    setStorage: (options) =>
      answer('setStorage', options, async () => {
        write(options.key, options.data);
        return {};
      }),
    removeStorage: (options) =>
      answer('removeStorage', options, async () => {
        backend.removeItem(prefix + options.key);
        return {};
      }),
    clearStorage: (options) =>
      answer('clearStorage', options, async () => {
        clear();
        return {};
      }),
    getStorageInfo: (options) => answer('getStorageInfo', options, async () => info()),
  };
}
