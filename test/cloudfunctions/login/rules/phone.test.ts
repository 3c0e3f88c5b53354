import {
  fullPhoneNumber,
  maskPhoneNumber,
  parsePhoneKey,
  phoneIdentityKey,
  readBoundPhone,
} from '../../../../cloudfunctions/login/src/rules/phone';

describe('phone identity keys', () => {
  it('given a mainland number, makes phone:+86:<number> and parses it back', () => {
    const key = phoneIdentityKey({ countryCode: '86', purePhoneNumber: '13800138000' });
    expect(key).toBe('phone:+86:13800138000');
    expect(parsePhoneKey(key)).toEqual({ countryCode: '86', purePhoneNumber: '13800138000' });
  });

  it('given anything else, parses to null', () => {
    expect(parsePhoneKey('wx-openid:app:o')).toBeNull();
    expect(parsePhoneKey('phone:13800138000')).toBeNull();
  });
});

describe('maskPhoneNumber', () => {
  it('given a mainland mobile number, shows the first three and last four digits', () => {
    expect(maskPhoneNumber({ countryCode: '86', purePhoneNumber: '13800138000' })).toBe('138****8000');
  });

  it('given a number from elsewhere, keeps the country code and hides at least four digits', () => {
    expect(maskPhoneNumber({ countryCode: '1', purePhoneNumber: '4155550100' })).toBe('+1 415****100');
  });

  it('given a short number, still hides four digits', () => {
    const masked = maskPhoneNumber({ countryCode: '852', purePhoneNumber: '91234567' });
    expect(masked).toBe('+852 91****67');
    expect(masked.match(/\*/g)).toHaveLength(4);
  });
});

describe('fullPhoneNumber', () => {
  it('writes numbers as WeChat does: bare in mainland China, +<cc> elsewhere', () => {
    expect(fullPhoneNumber({ countryCode: '86', purePhoneNumber: '13800138000' })).toBe('13800138000');
    expect(fullPhoneNumber({ countryCode: '1', purePhoneNumber: '4155550100' })).toBe('+14155550100');
  });
});

describe('readBoundPhone', () => {
  it('given a legacy string phone field, reads nothing', () => {
    expect(readBoundPhone('13800138000')).toBeNull();
    expect(readBoundPhone({ purePhoneNumber: '13800138000' })).toBeNull();
  });
});
