import type { AccountNotice } from '../../typings/contract';
import { formatDateTime } from './user-view';

/**
 * What the mini-program tells the account holder about a notice of a login answer (the function
 * answers each once): someone proved the account's phone number and linked a WeChat into it
 * without the holder being asked. The dialog says when, and where to undo it.
 */
export interface AccountNoticeDialog {
  title: string;
  content: string;
  /** Opens 账号与安全. */
  confirmText: string;
  cancelText: string;
}

/** The dialog for the notices taken from the auth service, or null when there is nothing to say. */
export function accountNoticeDialog(notices: readonly AccountNotice[]): AccountNoticeDialog | null {
  const linked = notices
    .filter((notice) => notice.kind === 'linked-by-phone')
    .map((notice) => notice.at)
    .sort((a, b) => a - b);
  if (linked.length === 0) return null;
  const when = linked.map(formatDateTime).join('、');
  const times = linked.length > 1 ? `（共 ${linked.length} 次）` : '';
  return {
    title: '账号安全提醒',
    content: `你的账号于 ${when} 通过手机号关联了新的微信${times}。如果不是你本人操作，请到「账号与安全」解除关联。`,
    confirmText: '去查看',
    cancelText: '知道了',
  };
}
