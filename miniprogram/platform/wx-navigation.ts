import type { NavigationStep } from '../navigation/routes';

/** How many pages are on the stack; 1 when the login page was the first one opened (shared link, relaunch). */
export function pageStackDepth(): number {
  return typeof getCurrentPages === 'function' ? getCurrentPages().length : 1;
}

/**
 * Performs a step decided by navigation/routes.ts. Resolves true once WeChat accepted it, false
 * when it refused (e.g. a 10th page on the stack); never rejects, so pages can fire and forget.
 */
export function navigate(step: NavigationStep): Promise<boolean> {
  return new Promise((resolve) => {
    const callbacks = {
      success: () => resolve(true),
      fail: (error: WechatMiniprogram.GeneralCallbackResult) => {
        console.warn('[navigation]', step, error.errMsg);
        resolve(false);
      },
    };
    switch (step.kind) {
      case 'navigateTo':
        wx.navigateTo({ url: step.url, ...callbacks });
        break;
      case 'redirectTo':
        wx.redirectTo({ url: step.url, ...callbacks });
        break;
      case 'switchTab':
        wx.switchTab({ url: step.url, ...callbacks });
        break;
      case 'back':
        wx.navigateBack({ delta: 1, ...callbacks });
        break;
    }
  });
}
