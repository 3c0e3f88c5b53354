import { classifyWxFailure } from '../../../miniprogram/platform/wx-failure';

describe('classifyWxFailure', () => {
  it.each([
    [
      'a declined privacy authorization (errno 104)',
      { errno: 104, errMsg: 'chooseAvatar:fail privacy permission is not authorized' },
      'PRIVACY_DENIED',
    ],
    ['the same, known only by its text', { errMsg: 'getPhoneNumber:fail privacy permission is not authorized' }, 'PRIVACY_DENIED'],
    [
      'an API missing from the privacy guide (errno 112)',
      { errno: 112, errMsg: 'chooseAvatar:fail api scope is not declared in the privacy agreement' },
      'PRIVACY_NOT_DECLARED',
    ],
    [
      'a function timeout',
      { errCode: -504003, errMsg: 'cloud.callFunction:fail -504003 Invoking task timed out after 3 seconds' },
      'TIMEOUT',
    ],
    ['a request timeout', { errMsg: 'cloud.callFunction:fail request:fail timeout' }, 'TIMEOUT'],
    ['no network', { errMsg: 'cloud.callFunction:fail Error: errCode: -1 | errMsg: request:fail' }, 'NETWORK'],
    ['a network errno', { errno: 600001, errMsg: 'cloud.callFunction:fail ERR_NAME_NOT_RESOLVED' }, 'NETWORK'],
    ['an Error wrapping errMsg', new Error('cloud.callFunction:fail request:fail net::ERR_INTERNET_DISCONNECTED'), 'NETWORK'],
    [
      'a function that is not deployed',
      { errCode: -501000, errMsg: 'cloud.callFunction:fail -501000 FunctionName parameter could not be found' },
      'CLOUD_CALL_FAILED',
    ],
    ['a plain string', 'weird', 'CLOUD_CALL_FAILED'],
  ])('%s → %s', (_label, failure, code) => {
    const error = classifyWxFailure(failure, 'CLOUD_CALL_FAILED');

    expect(error.code).toBe(code);
    expect(error.detail).not.toBe('');
  });

  it("uses the caller's fallback for failures it does not recognise", () => {
    expect(classifyWxFailure({ errMsg: 'chooseAvatar:fail cancel' }, 'UNKNOWN').code).toBe('UNKNOWN');
  });
});
