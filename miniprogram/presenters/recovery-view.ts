/**
 * What 「用手机号找回账号」 (components/phone-recovery) says when no account holds the verified number:
 * a question before anything is created, and the toast after the person said yes.
 */

/** The component's `done` event: this WeChat is signed in now; `message` is the page's toast. */
export interface RecoveryDone {
  /** True when the person is back in an account that held the number. */
  recovered: boolean;
  message: string;
}

export interface NoAccountQuestion {
  title: string;
  content: string;
  /** WeChat's modal allows at most 4 characters per button. */
  confirmText: string;
  cancelText: string;
  /** The toast once the person said yes and it is done. */
  doneMessage: string;
}

/** `hasAccount`: this WeChat already has an account (the number would join it) or not (one is registered). */
export function noAccountQuestion(maskedPhoneNumber: string, hasAccount: boolean): NoAccountQuestion {
  const none = `没有找到绑定手机号 ${maskedPhoneNumber} 的账号。`;
  return hasAccount
    ? {
        title: '没有找到账号',
        content: `${none}要把这个号码绑定到当前微信的账号吗？`,
        confirmText: '绑定',
        cancelText: '取消',
        doneMessage: '手机号已绑定',
      }
    : {
        title: '没有找到账号',
        content: `${none}要用当前微信注册一个新账号，并绑定这个号码吗？选择取消则不会注册。`,
        confirmText: '注册',
        cancelText: '取消',
        doneMessage: '已注册并绑定手机号',
      };
}
