import type { SessionNotice } from '../services/auth/create-auth-service';

/**
 * What the person reads when their session ended without them asking, or a login put this WeChat
 * into another account than the one the device showed: never a silent switch (docs/accounts.md).
 */

export interface NoticeText {
  title: string;
  content: string;
}

const RECOVERY_HINT = '原账号绑定过手机号的，可在登录页点「换了微信？用手机号找回账号」回到原账号。';

export function sessionNoticeText(notice: SessionNotice): NoticeText {
  if (notice.kind === 'account-changed') {
    return notice.isNewUser
      ? {
          title: '已进入新账号',
          content: `这个微信已不能登录原来的账号，本次登录为你创建了一个新的空账号。${RECOVERY_HINT}`,
        }
      : { title: '账号已切换', content: '这个微信现在登录的是另一个账号，页面已显示该账号的资料。' };
  }
  if (notice.reason === 'unlinked') {
    return { title: '已退出登录', content: '当前微信已与账号解除关联。下次用这个微信登录会进入一个新的空账号。' };
  }
  if (notice.reason === 'banned') return { title: '已退出登录', content: '该账号已被停用，如有疑问请联系客服。' };
  return {
    title: '已退出登录',
    content: `这个微信已不能登录原来的账号（已解除关联或已注销，可能是在其他设备上）。再次登录会进入一个新账号；${RECOVERY_HINT}`,
  };
}
