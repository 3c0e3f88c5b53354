import type { ConfirmOptions } from '../ports';

/**
 * WeChat's modal and toast. Pages reach them through the composition root's Dialogs, so tests and
 * the browser preview answer them with their own `wx`.
 */

const DESTRUCTIVE_COLOR = '#e5484d';

/** Resolves true when the person tapped the confirm button; false on cancel, tap-outside or failure. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    wx.showModal({
      title: options.title,
      content: options.content,
      // WeChat limits both button texts to 4 Chinese characters.
      confirmText: options.confirmText ?? '确定',
      cancelText: options.cancelText ?? '取消',
      showCancel: options.showCancel ?? true,
      ...(options.destructive && { confirmColor: DESTRUCTIVE_COLOR }),
      success: (result) => resolve(result.confirm),
      fail: () => resolve(false),
    });
  });
}

/** A short message that goes away by itself. Icon none: WeChat cuts titles with an icon at 7 characters. */
export function showToast(title: string): void {
  wx.showToast({ title, icon: 'none', duration: 2000 });
}

/** A completed action: the success tick, the way WeChat's own pages confirm one. */
export function showDoneToast(title: string): void {
  wx.showToast({ title, icon: 'success', duration: 1500 });
}
