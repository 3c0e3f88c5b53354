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
  PHONE_QUOTA_EXCEEDED: '手机号验证次数已达上限，请稍后再试',
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
  NETWORK: '网络连接失败，请检查网络后重试',
  TIMEOUT: '请求超时，请稍后重试',
  PRIVACY_DENIED: '你暂未同意隐私保护指引，该功能无法使用；再次操作时可重新选择同意',
  PRIVACY_NOT_DECLARED: '小程序尚未在隐私保护指引中声明该功能，请联系开发者',
  INVALID_RESPONSE: '服务返回的数据无法识别，请稍后再试',
  CLOUD_CALL_FAILED: '云服务调用失败，请稍后再试',
  AUTH_RETRY_EXHAUSTED: '登录状态校验失败，请稍后重试',
  PHONE_DENIED: '你已取消授权手机号，需要时可再次点击绑定',
  UPLOAD_FAILED: '头像上传失败，请重新选择',
  UNKNOWN: '出了点问题，请稍后再试',
};

/** The code of anything a service call rejected with (UNKNOWN for what is not a ServiceError). */
export function failureCode(error: unknown): ServiceErrorCode {
  return toServiceError(error).code;
}

/** The Chinese message for anything a service call rejected with. */
export function errorMessage(error: unknown): string {
  return ERROR_MESSAGES[failureCode(error)];
}

/** The Chinese message for a code the page decided itself (e.g. WeChat's own nickname check failed). */
export function messageFor(code: ServiceErrorCode): string {
  return ERROR_MESSAGES[code];
}
