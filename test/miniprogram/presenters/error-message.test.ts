import { ServiceError } from '../../../miniprogram/services/service-error';
import {
  bannedUntilMessage,
  DONE_MESSAGES,
  ERROR_MESSAGES,
  errorMessage,
  failureCode,
  LOGOUT_CONFIRMATION,
  messageFor,
  retryAfterMessage,
} from '../../../miniprogram/presenters/error-message';

describe('error messages', () => {
  it('every code has a Chinese message', () => {
    for (const [code, message] of Object.entries(ERROR_MESSAGES)) {
      expect({ code, hasChinese: /[\u4e00-\u9fff]/.test(message) }).toEqual({ code, hasChinese: true });
    }
  });

  it("a ServiceError reads as its code's message; anything else as UNKNOWN's", () => {
    expect(errorMessage(new ServiceError('NETWORK', 'request:fail'))).toBe(ERROR_MESSAGES.NETWORK);
    expect(errorMessage(new TypeError('bug'))).toBe(ERROR_MESSAGES.UNKNOWN);
  });

  it('given a rejection, failureCode names its code (UNKNOWN for what is not a ServiceError)', () => {
    expect(failureCode(new ServiceError('LINK_TICKET_USED'))).toBe('LINK_TICKET_USED');
    expect(failureCode('a string')).toBe('UNKNOWN');
  });

  it('a code the page decided itself reads as its message', () => {
    expect(messageFor('CONTENT_RISKY')).toBe(ERROR_MESSAGES.CONTENT_RISKY);
  });

  it('a completed action fits a toast with an icon (WeChat cuts it after 7 characters)', () => {
    for (const message of Object.values(DONE_MESSAGES)) expect(Array.from(message).length).toBeLessThanOrEqual(7);
  });

  it("the logout confirmation's buttons fit WeChat's 4-character limit", () => {
    expect(Array.from(LOGOUT_CONFIRMATION.confirmText).length).toBeLessThanOrEqual(4);
    expect(Array.from(LOGOUT_CONFIRMATION.cancelText).length).toBeLessThanOrEqual(4);
  });

  it('a timed ban names its end in China time; an open-ended one reads as the plain message', () => {
    const until = Date.parse('2026-12-31T16:00:00Z');
    expect(errorMessage(new ServiceError('USER_BANNED', 'banned', { bannedUntil: until, reason: 'spam' }))).toBe(
      '账号已被限制使用至 2027年1月1日 00:00，如有疑问请联系客服',
    );
    expect(bannedUntilMessage(Date.parse('2026-12-02T10:05:00Z'))).toBe('账号已被限制使用至 2026年12月2日 18:05，如有疑问请联系客服');
    expect(errorMessage(new ServiceError('USER_BANNED', 'banned', { bannedUntil: null, reason: null }))).toBe(ERROR_MESSAGES.USER_BANNED);
  });

  it('a rate limit names the wait, rounded up; without a wait it asks to retry later', () => {
    expect(errorMessage(new ServiceError('RATE_LIMITED', 'limited', null, 150_000))).toBe('操作太频繁，请 3 分钟后再试');
    expect(retryAfterMessage(400)).toBe('操作太频繁，请 1 秒后再试');
    expect(retryAfterMessage(59_000)).toBe('操作太频繁，请 59 秒后再试');
    expect(retryAfterMessage(60_001)).toBe('操作太频繁，请 2 分钟后再试');
    expect(retryAfterMessage(3 * 60 * 60 * 1000)).toBe('操作太频繁，请 3 小时后再试');
    expect(errorMessage(new ServiceError('RATE_LIMITED', 'limited'))).toBe(ERROR_MESSAGES.RATE_LIMITED);
  });
});
