import { NOTE_MAX_LENGTH, NOTES_MAX_PER_USER } from '../contract/lists';
import type { ServiceErrorCode } from '../services/service-error';
import { toServiceError } from '../services/service-error';

/**
 * What a person reads for each error code: the one place for these texts.
 * A Record over every code, so a code added to the contract's ERROR_CODES (or to
 * CLIENT_ERROR_CODES) does not compile until it has a message here.
 */
export const ERROR_MESSAGES: Record<ServiceErrorCode, string> = {
  UNAUTHENTICATED: '未能确认你的微信身份，请重新打开小程序后再试',
  INVALID_ARGUMENT: '请求内容有误，请更新小程序后再试',
  UNKNOWN_ACTION: '当前版本暂不支持该操作，请更新小程序后再试',
  USER_BANNED: '该账号已被停用，如有疑问请联系客服',
  INTERNAL: '服务暂时不可用，请稍后再试',
  USER_NOT_FOUND: '这个微信已不能登录原来的账号（已解除关联或已注销），已退出登录',
  NICKNAME_INVALID: '昵称为空、过长或包含不支持的字符，请修改后重试',
  AVATAR_INVALID: '头像文件无效，请重新选择头像',
  CONTENT_RISKY: '昵称未通过内容安全检查，请换一个',
  CONTENT_CHECK_UNAVAILABLE: '内容安全检查暂不可用，资料未修改，请稍后再试',
  PHONE_CODE_INVALID: '手机号授权已失效，请重新获取',
  PHONE_QUOTA_EXCEEDED: '本小程序的手机号验证次数暂时用完了，现在无法验证手机号，请稍后再试',
  PHONE_NOT_PERMITTED: '当前小程序暂不支持获取手机号，请联系开发者',
  PHONE_BELONGS_TO_ANOTHER_ACCOUNT: '该手机号已绑定其他账号，可将当前微信关联到该账号',
  LINK_TICKET_INVALID: '关联信息已失效，请重新绑定手机号',
  LINK_TICKET_EXPIRED: '关联确认已超时，请重新绑定手机号',
  LINK_TICKET_USED: '该关联已完成或已失效，无需重复操作',
  LINK_TICKET_NOT_YOURS: '关联信息与当前微信不符，请重新绑定手机号',
  LINK_TARGET_UNAVAILABLE: '要关联的账号已停用或不存在',
  IDENTITY_NOT_FOUND: '该登录方式不存在或已解除关联',
  LAST_IDENTITY: '解除后将没有能登录本小程序的方式，不能解除',
  CONFIRMATION_REQUIRED: '请确认后再注销账号',
  NOTE_EMPTY: '笔记内容不能为空',
  NOTE_TOO_LONG: `笔记太长了，最多 ${NOTE_MAX_LENGTH} 字`,
  NOTE_LIMIT_REACHED: `笔记已达 ${NOTES_MAX_PER_USER} 条上限，请先删除一些`,
  NOTE_NOT_FOUND: '这条笔记不存在或已删除',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  NETWORK: '网络连接失败，请检查网络后重试',
  TIMEOUT: '请求超时，请稍后重试',
  PRIVACY_DENIED: '你暂未同意隐私保护指引，该功能无法使用；再次操作时可重新选择同意',
  PRIVACY_NOT_DECLARED: '小程序尚未在隐私保护指引中声明该功能，请联系开发者',
  INVALID_RESPONSE: '服务返回的数据无法识别，请稍后再试',
  CLOUD_CALL_FAILED: '服务暂时连不上，请稍后再试',
  AUTH_RETRY_EXHAUSTED: '登录状态校验失败，请稍后重试',
  PHONE_DENIED: '你已取消授权手机号，需要时可再次点击绑定',
  UPLOAD_FAILED: '头像上传失败，请重新选择',
  NICKNAME_EMPTY: '请输入昵称',
  COPY_FAILED: '复制失败，请重试',
  FILE_SAVE_FAILED: '文件保存失败，请重试',
  DOWNLOAD_FAILED: '文件下载失败，请重新生成后再试',
  UNKNOWN: '出了点问题，请稍后再试',
};

/**
 * What a person reads when an action is done (a toast, WeChat's way of saying so). Short on
 * purpose: WeChat cuts a toast with an icon after 7 characters.
 */
export const DONE_MESSAGES = {
  login: '登录成功',
  logout: '已退出登录',
  nicknameSaved: '昵称已保存',
  avatarUpdated: '头像已更新',
  accountDeleted: '账号已注销',
  phoneBound: '手机号已绑定',
  phoneUnlinked: '手机号已解除',
  unlinked: '已解除关联',
} as const;

/** Asked before 退出登录 (WeChat's modal allows at most 4 characters per button). */
export const LOGOUT_CONFIRMATION = {
  title: '退出登录',
  content: '退出后将清除本机保存的账号信息，账号和资料仍会保留，下次用微信登录即可恢复。',
  confirmText: '退出登录',
  cancelText: '取消',
} as const;

/** Asked before 注销账号, after 我已了解 was ticked: the red button says what it does. */
export const DELETE_CONFIRMATION = {
  title: '确定注销账号？',
  content: '注销后，账号资料、头像、手机号和全部登录方式将被删除，且无法恢复。',
  confirmText: '注销',
  cancelText: '再想想',
  destructive: true,
} as const;

/** The code of anything a service call rejected with (UNKNOWN for what is not a ServiceError). */
export function failureCode(error: unknown): ServiceErrorCode {
  return toServiceError(error).code;
}

/** The Chinese message for anything a service call rejected with (a timed ban names its end). */
export function errorMessage(error: unknown): string {
  const failure = toServiceError(error);
  if (failure.code === 'USER_BANNED' && failure.ban?.bannedUntil) return bannedUntilMessage(failure.ban.bannedUntil);
  if (failure.code === 'RATE_LIMITED' && failure.retryAfterMs) return retryAfterMessage(failure.retryAfterMs);
  return ERROR_MESSAGES[failure.code];
}

/**
 * 「操作太频繁，请 3 分钟后再试」: the wait rounded up (never "0 分钟"), in seconds under a minute,
 * in hours from 2 hours on.
 */
export function retryAfterMessage(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  const wait = seconds < 60 ? `${seconds} 秒` : minutes < 120 ? `${minutes} 分钟` : `${Math.ceil(minutes / 60)} 小时`;
  return `操作太频繁，请 ${wait}后再试`;
}

/** 「账号已被限制使用至 2027年1月1日 00:00」, in China time (UTC+8) wherever the phone is set. */
export function bannedUntilMessage(bannedUntil: number): string {
  const at = new Date(bannedUntil + 8 * 60 * 60 * 1000);
  const two = (value: number) => String(value).padStart(2, '0');
  const date = `${at.getUTCFullYear()}年${at.getUTCMonth() + 1}月${at.getUTCDate()}日 ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}`;
  return `账号已被限制使用至 ${date}，如有疑问请联系客服`;
}

/** The Chinese message for a code the page decided itself (e.g. WeChat's own nickname check failed). */
export function messageFor(code: ServiceErrorCode): string {
  return ERROR_MESSAGES[code];
}
