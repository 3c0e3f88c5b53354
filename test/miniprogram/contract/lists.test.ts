import {
  ACCOUNT_NOTICE_KINDS,
  ACTION_NAMES,
  ERROR_CODES,
  IDENTITY_PROVIDERS,
  isAccountNoticeKind,
  isActionName,
  isErrorCode,
  isIdentityProvider,
  isProfileField,
  PROFILE_FIELDS,
} from '../../../miniprogram/contract/lists';

describe('the contract lists at run time', () => {
  it('error codes are UPPER_SNAKE, each listed once', () => {
    expect(ERROR_CODES.every((code) => /^[A-Z]+(_[A-Z]+)*$/.test(code))).toBe(true);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('given a code of this build, isErrorCode is true', () => {
    expect(isErrorCode('USER_BANNED')).toBe(true);
    expect(isErrorCode('PHONE_BELONGS_TO_ANOTHER_ACCOUNT')).toBe(true);
  });

  it("given a newer server's code, a prototype key or a non-string, isErrorCode is false", () => {
    expect(isErrorCode('FROM_THE_FUTURE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });

  it('actions, providers and profile fields are checked against their lists', () => {
    expect(ACTION_NAMES.filter(isActionName)).toEqual(ACTION_NAMES);
    expect(isActionName('dropDatabase')).toBe(false);
    expect(IDENTITY_PROVIDERS.filter(isIdentityProvider)).toEqual(IDENTITY_PROVIDERS);
    expect(isIdentityProvider('email')).toBe(false);
    expect(PROFILE_FIELDS.filter(isProfileField)).toEqual(PROFILE_FIELDS);
    expect(isProfileField('phone')).toBe(false);
    expect(ACCOUNT_NOTICE_KINDS.filter(isAccountNoticeKind)).toEqual(ACCOUNT_NOTICE_KINDS);
    expect(isAccountNoticeKind('from-the-future')).toBe(false);
  });
});
