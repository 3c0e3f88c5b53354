import type { AccountNotice, AccountNoticeKind, PublicUser } from '../../typings/contract';
import { formatDateTime } from './user-view';

/**
 * What the mini-program tells the account holder about the notices of a login answer (the function
 * answers each once): what changed on the account without the holder being asked in this
 * mini-program — someone linked a WeChat in by proving the phone number, or WeChat told us (a push)
 * that the person withdrew their nickname/avatar or phone number, or deleted a WeChat account that
 * signed in here. One dialog per kind, in words a person recognises, with the page where they can
 * act on it. The one table of these messages: pages only show what this answers.
 */
export interface AccountNoticeDialog {
  title: string;
  content: string;
  /** Opens `opens`. */
  confirmText: string;
  cancelText: string;
  /** The page the confirm button opens (navigation/routes.ts ROUTES key). */
  opens: 'accountSecurity' | 'profileEdit';
}

/** Shown in this order: what may need undoing first (a link someone else made), then what was removed. */
const ORDER: readonly AccountNoticeKind[] = ['linked-by-phone', 'wechat-removed', 'phone-unbound-by-wechat', 'profile-cleared-by-wechat'];

/** What of the profile is gone now, named as the person knows it (both when it cannot tell). */
function clearedProfile(user: PublicUser | null): string {
  const parts = [...(user?.nickName === '' ? ['昵称'] : []), ...(user?.avatarUrl === '' ? ['头像'] : [])];
  return parts.length === 1 ? (parts[0] ?? '') : '昵称和头像';
}

function dialogFor(kind: AccountNoticeKind, times: readonly number[], user: PublicUser | null): AccountNoticeDialog {
  switch (kind) {
    case 'linked-by-phone': {
      const when = times.map(formatDateTime).join('、');
      const count = times.length > 1 ? `（共 ${times.length} 次）` : '';
      return {
        title: '账号安全提醒',
        content: `你的账号于 ${when} 通过手机号关联了新的微信${count}。如果不是你本人操作，请到「账号与安全」解除关联。`,
        confirmText: '去查看',
        cancelText: '知道了',
        opens: 'accountSecurity',
      };
    }
    case 'wechat-removed':
      return {
        title: '登录方式已移除',
        content:
          '你的账号关联的一个微信已被注销，它已从登录方式中移除，不能再用来登录。你的资料都还在，可到「账号与安全」查看现在的登录方式。',
        confirmText: '去查看',
        cancelText: '知道了',
        opens: 'accountSecurity',
      };
    case 'phone-unbound-by-wechat':
      return {
        title: '手机号已解绑',
        content: '你在微信里撤回了手机号授权，我们已解除绑定并删除了这个号码。以后换了微信想找回账号，可到「账号与安全」重新绑定手机号。',
        confirmText: '去绑定',
        cancelText: '知道了',
        opens: 'accountSecurity',
      };
    case 'profile-cleared-by-wechat': {
      const what = clearedProfile(user);
      return {
        title: `${what}已删除`,
        content: `按微信的通知（你在微信里撤回了授权，或微信清理了不合规的内容），我们已删除你的${what}。可以到「编辑资料」重新设置。`,
        confirmText: '去设置',
        cancelText: '知道了',
        opens: 'profileEdit',
      };
    }
  }
}

/**
 * The dialogs for the notices taken from the auth service, one per kind, most urgent first; [] when
 * there is nothing to say. `user` is the account as the same login answered it (what is missing now).
 */
export function accountNoticeDialogs(notices: readonly AccountNotice[], user: PublicUser | null): AccountNoticeDialog[] {
  return ORDER.flatMap((kind) => {
    const times = notices
      .filter((notice) => notice.kind === kind)
      .map((notice) => notice.at)
      .sort((a, b) => a - b);
    return times.length === 0 ? [] : [dialogFor(kind, times, user)];
  });
}
