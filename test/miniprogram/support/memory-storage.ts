import type { KeyValueStorage } from '../../../miniprogram/ports';

export interface MemoryStorage extends KeyValueStorage {
  readonly entries: Map<string, string>;
  /** Makes the next setItem calls throw, as wx.setStorageSync does when the 10 MB are used up. */
  failWrites(fail: boolean): void;
}

export function createMemoryStorage(initial: Record<string, string> = {}): MemoryStorage {
  const entries = new Map(Object.entries(initial));
  let writesFail = false;
  return {
    entries,
    failWrites(fail) {
      writesFail = fail;
    },
    getItem: (key) => entries.get(key) ?? null,
    setItem(key, value) {
      if (writesFail) throw new Error('setStorageSync:fail exceed storage max size 10Mb');
      entries.set(key, value);
    },
    removeItem: (key) => void entries.delete(key),
    keys: () => [...entries.keys()],
  };
}
