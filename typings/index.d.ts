/// <reference types="miniprogram-api-typings" />

/** App-level options, as WeChat DevTools' TypeScript template declares them. */
interface IAppOption {
  globalData: Record<string, never>;
}
