/**
 * What the auth service needs from the outside world, as small interfaces. miniprogram/platform/
 * implements them with `wx`; tests implement them in memory. Nothing in services/ touches `wx`.
 */

/** Synchronous string storage (wx.getStorageSync and friends; localStorage in the browser preview). */
export interface KeyValueStorage {
  /** The stored string, or null when the key is absent (or holds something that is not a string). */
  getItem(key: string): string | null;
  /** May throw when the storage is full (WeChat allows 10 MB per user per mini-program). */
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** Every key currently stored: lets the service sweep entries of older versions and other envs. */
  keys(): string[];
}

/** One call of a cloud function. */
export interface CloudFunctionCaller {
  /**
   * Resolves with the function's return value (callFunction's `result`), unchecked.
   * Rejects with an AuthError of a client code (NETWORK, TIMEOUT, CLOUD_CALL_FAILED...) when the
   * call itself failed; anything else it rejects with is reported as UNKNOWN.
   */
  call(name: string, data: Record<string, unknown>): Promise<unknown>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Where a session is valid. A user of one CloudBase env is a stranger to another env, and
 * DevTools shares one storage between envs of one appid: the cache must not leak across them.
 */
export interface SessionScope {
  /** The CloudBase env id, or a stable label when the app uses the dynamic current env. */
  envId: string;
  /** From wx.getAccountInfoSync().miniProgram.appId. */
  appId: string;
}
