import { AuthError } from '../../../../miniprogram/services/auth/errors';
import { ERROR_MESSAGES, errorMessage, isKnownErrorCode } from '../../../../miniprogram/services/auth/messages';

describe('error messages', () => {
  it('every code has a Chinese message', () => {
    for (const [code, message] of Object.entries(ERROR_MESSAGES)) {
      expect({ code, hasChinese: /[\u4e00-\u9fff]/.test(message) }).toEqual({ code, hasChinese: true });
    }
  });

  it('an AuthError reads as its code\'s message; anything else as UNKNOWN\'s', () => {
    expect(errorMessage(new AuthError('NETWORK', 'request:fail'))).toBe(ERROR_MESSAGES.NETWORK);
    expect(errorMessage(new TypeError('bug'))).toBe(ERROR_MESSAGES.UNKNOWN);
  });

  it('knows its own codes only', () => {
    expect(isKnownErrorCode('USER_BANNED')).toBe(true);
    expect(isKnownErrorCode('toString')).toBe(false);
    expect(isKnownErrorCode('FROM_THE_FUTURE')).toBe(false);
  });
});
