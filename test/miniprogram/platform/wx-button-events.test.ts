import { readChooseAvatarDetail, readPhoneButtonDetail } from '../../../miniprogram/platform/wx-button-events';

function phoneOutcome(detail: Parameters<typeof readPhoneButtonDetail>[0]): string {
  const outcome = readPhoneButtonDetail(detail);
  return outcome.ok ? `code ${outcome.code}` : outcome.error.code;
}

describe('readPhoneButtonDetail', () => {
  it.each([
    ['a code', { errMsg: 'getPhoneNumber:ok', code: 'abc' }, 'code abc'],
    ['iOS decline', { errMsg: 'getPhoneNumber:fail user deny' }, 'PHONE_DENIED'],
    ['Android decline', { errMsg: 'getPhoneNumber:fail:user deny' }, 'PHONE_DENIED'],
    ['a code of the real-time check', { errMsg: 'getRealtimePhoneNumber:ok', code: 'rt' }, 'code rt'],
    ['a decline of the real-time check', { errMsg: 'getRealtimePhoneNumber:fail user deny' }, 'PHONE_DENIED'],
    ['the real-time check out of quota', { errMsg: 'getRealtimePhoneNumber:fail no quota', errno: 1400001 }, 'PHONE_QUOTA_EXCEEDED'],
    ['nothing at all', undefined, 'PHONE_DENIED'],
    ['an empty code', { errMsg: 'getPhoneNumber:ok', code: '' }, 'PHONE_DENIED'],
    ['the component quota (errno 1400001)', { errMsg: 'getPhoneNumber:fail', errno: 1400001 }, 'PHONE_QUOTA_EXCEEDED'],
    ['privacy declined (errno 104)', { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 }, 'PRIVACY_DENIED'],
    [
      'privacy not declared (errno 112)',
      { errMsg: 'getPhoneNumber:fail api scope is not declared in the privacy agreement', errno: 112 },
      'PRIVACY_NOT_DECLARED',
    ],
    ['an uncertified mini-program', { errMsg: 'getPhoneNumber:fail no permission' }, 'PHONE_NOT_PERMITTED'],
  ])('%s → %s', (_label, detail, expected) => {
    expect(phoneOutcome(detail)).toBe(expected);
  });
});

describe('readChooseAvatarDetail', () => {
  it('a chosen image is its temporary path', () => {
    expect(readChooseAvatarDetail({ avatarUrl: 'http://tmp/a.png' })).toEqual({ ok: true, tempFilePath: 'http://tmp/a.png' });
  });

  it('closing the picker is no outcome at all', () => {
    expect(readChooseAvatarDetail({ errMsg: 'chooseAvatar:fail cancel' })).toBeNull();
    expect(readChooseAvatarDetail({})).toBeNull();
  });

  it('privacy refusals and other failures are errors', () => {
    const privacy = readChooseAvatarDetail({ errMsg: 'chooseAvatar:fail privacy permission is not authorized', errno: 104 });
    const other = readChooseAvatarDetail({ errMsg: 'chooseAvatar:fail internal error' });

    expect(privacy && !privacy.ok && privacy.error.code).toBe('PRIVACY_DENIED');
    expect(other && !other.ok && other.error.code).toBe('UNKNOWN');
  });
});
