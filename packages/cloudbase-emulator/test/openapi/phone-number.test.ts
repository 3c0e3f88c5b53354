import {
  createPhoneNumberApi,
  DEFAULT_PHONE_FAILURE_CODES,
  interpretPhoneCode,
  parsePhoneNumber,
  PHONE_CODE_TTL_MS,
  type PhoneNumberApiOptions,
} from '../../src/openapi/phone-number';

function api(overrides: Partial<PhoneNumberApiOptions> = {}) {
  let clock = 1_700_000_000_000;
  const phone = createPhoneNumberApi({
    phoneCodes: {},
    failureCodes: { 'quota-minute': 45011 },
    ttlMs: PHONE_CODE_TTL_MS,
    now: () => clock,
    ...overrides,
  });
  return { phone, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('parsePhoneNumber', () => {
  it('reads bare digits as a mainland number and +cc-digits as an international one', () => {
    expect(parsePhoneNumber('13800138000')).toEqual({
      phoneNumber: '13800138000',
      purePhoneNumber: '13800138000',
      countryCode: '86',
    });
    expect(parsePhoneNumber('+1-4155550100')).toEqual({
      phoneNumber: '+14155550100',
      purePhoneNumber: '4155550100',
      countryCode: '1',
    });
    expect(parsePhoneNumber('call me')).toBeNull();
  });
});

describe('interpretPhoneCode', () => {
  it('prefers configured failures, then fail:<errcode>, then configured phones, then phone:<number>', () => {
    const phones = { 'my-code': '13900000000' };
    const failures = { 'no-quota': 45009 };
    expect(interpretPhoneCode('no-quota', phones, failures)).toEqual({ kind: 'failure', errcode: 45009 });
    expect(interpretPhoneCode('fail:48001', phones, failures)).toEqual({ kind: 'failure', errcode: 48001 });
    expect(interpretPhoneCode('my-code', phones, failures)).toMatchObject({ kind: 'phone', phone: { purePhoneNumber: '13900000000' } });
    expect(interpretPhoneCode('phone:13800138000', phones, failures)).toEqual({
      kind: 'phone',
      phone: expect.objectContaining({ purePhoneNumber: '13800138000' }),
    });
    expect(interpretPhoneCode('phone:13800138000:1700000000000-ab12', phones, failures)).toMatchObject({
      kind: 'phone',
      issuedAt: 1700000000000,
    });
    expect(interpretPhoneCode('e31968a7f94cc5ee25fafc2aef2773f0', phones, failures)).toEqual({ kind: 'unknown' });
  });
});

describe('getPhoneNumber', () => {
  it('given a phone:<number> code, answers WeChat phone_info with a watermark', () => {
    const { phone, now } = api();
    expect(phone.getPhoneNumber({ code: 'phone:13800138000' }, 'wxapp1')).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { timestamp: Math.floor(now() / 1000), appid: 'wxapp1' },
      },
    });
  });

  it('given the same code twice, answers 40029 invalid code the second time', () => {
    const { phone } = api();
    expect(phone.getPhoneNumber({ code: 'phone:13800138000' }, 'wx')).toMatchObject({ errcode: 0 });
    const again = phone.getPhoneNumber({ code: 'phone:13800138000' }, 'wx');
    expect(again).toMatchObject({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code rid: /) });
  });

  it('given an unknown, empty or missing code, answers 40029', () => {
    const { phone } = api();
    for (const params of [{ code: 'abc123' }, { code: '' }, {}, { code: 42 }]) {
      expect(phone.getPhoneNumber(params, 'wx')).toMatchObject({ errcode: 40029 });
    }
  });

  it('given an issued code, accepts it within 5 minutes and refuses it after', () => {
    const { phone, advance } = api();
    const fresh = phone.issueCode('13800138000');
    const stale = phone.issueCode('13800138001');
    expect(fresh).not.toEqual(phone.issueCode('13800138000'));

    advance(PHONE_CODE_TTL_MS);
    expect(phone.getPhoneNumber({ code: fresh }, 'wx')).toMatchObject({ errcode: 0 });
    advance(1);
    expect(phone.getPhoneNumber({ code: stale }, 'wx')).toMatchObject({ errcode: 40029 });
  });

  it('given a failure code, answers its errcode every time without consuming it', () => {
    const { phone } = api();
    expect(phone.getPhoneNumber({ code: 'quota-minute' }, 'wx')).toMatchObject({ errcode: 45011 });
    expect(phone.getPhoneNumber({ code: 'quota-minute' }, 'wx')).toMatchObject({ errcode: 45011 });
    expect(phone.getPhoneNumber({ code: 'fail:40013' }, 'wx')).toMatchObject({
      errcode: 40013,
      errmsg: expect.stringContaining('invalid appid'),
    });
  });

  it('given the no-quota code, answers 1400001 as when the paid component has no quota left', () => {
    const { phone } = api({ failureCodes: DEFAULT_PHONE_FAILURE_CODES });
    expect(phone.getPhoneNumber({ code: 'no-quota' }, 'wx')).toMatchObject({ errcode: 1400001, errmsg: expect.stringContaining('quota') });
  });

  it('given a configured code, answers its number once', () => {
    const { phone } = api({ phoneCodes: { 'test-phone-hk': '+852-61234567' } });
    expect(phone.getPhoneNumber({ code: 'test-phone-hk' }, 'wx')).toMatchObject({
      phone_info: { phoneNumber: '+85261234567', purePhoneNumber: '61234567', countryCode: '852' },
    });
    expect(phone.getPhoneNumber({ code: 'test-phone-hk' }, 'wx')).toMatchObject({ errcode: 40029 });
  });

  it('refuses a configured code whose value is not a phone number', () => {
    expect(() => api({ phoneCodes: { bad: 'not-a-phone' } })).toThrow(/not a phone number/);
  });
});
