import type { Clipboard } from '../ports';
import { classifyWxFailure } from './wx-failure';

type SetClipboardData = Pick<WechatMiniprogram.Wx, 'setClipboardData'>;

/**
 * wx.setClipboardData. WeChat confirms with its own 「内容已复制」 toast, so the page adds none.
 * The clipboard is a privacy API (declared in the MP console's privacy guide): until the person
 * agreed, the call is held for <privacy-popup>, and a refusal fails with errno 104.
 * `api` defaults to the global wx, read when called.
 */
export function createWxClipboard(api?: SetClipboardData): Clipboard {
  return {
    copy(text) {
      return new Promise((resolve, reject) => {
        (api ?? wx).setClipboardData({
          data: text,
          success: () => resolve(),
          fail: (error) => reject(classifyWxFailure(error, 'COPY_FAILED')),
        });
      });
    },
  };
}
