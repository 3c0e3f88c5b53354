import { createPrivacy, type PrivacyDecision, type PrivacyListener } from '../../../runtime/wx/privacy';

function setup(options: { enabled?: boolean; agreed?: boolean; askAnswer?: boolean } = {}) {
  let agreed = options.agreed ?? false;
  const asked: string[] = [];
  const privacy = createPrivacy({
    enabled: options.enabled ?? true,
    contractName: '《示例小程序隐私保护指引》',
    store: { get: () => agreed, set: (value) => void (agreed = value) },
    askWithoutListener: async (referrer) => {
      asked.push(referrer);
      return options.askAnswer ?? false;
    },
    showContract: async () => undefined,
  });
  return { privacy, asked, agreed: () => agreed };
}

describe('privacy authorization in the preview', () => {
  it('holds a privacy API until the mini-program’s popup resolves with agree after its button was tapped', async () => {
    const { privacy, agreed } = setup();
    let resolveHeld: ((decision: PrivacyDecision) => void) | null = null;
    const listener: PrivacyListener = (resolve, info) => {
      expect(info).toEqual({ referrer: 'chooseAvatar' });
      resolveHeld = resolve;
    };
    privacy.apis.onNeedPrivacyAuthorization(listener);
    const held = privacy.request('chooseAvatar');
    privacy.agreeByButton('privacy-popup-agree');
    resolveHeld!({ event: 'agree', buttonId: 'privacy-popup-agree' });
    await expect(held).resolves.toBe(true);
    expect(agreed()).toBe(true);
    // Remembered: the next privacy API goes ahead without asking.
    await expect(privacy.request('getPhoneNumber')).resolves.toBe(true);
  });

  it('lets the call fail on disagree, and asks again next time', async () => {
    const { privacy } = setup();
    let asked = 0;
    privacy.apis.onNeedPrivacyAuthorization((resolve) => {
      asked += 1;
      resolve({ event: 'disagree' });
    });
    await expect(privacy.request('nickname')).resolves.toBe(false);
    await expect(privacy.request('nickname')).resolves.toBe(false);
    await expect(privacy.apis.requirePrivacyAuthorize()).rejects.toEqual({
      errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized',
      errno: 104,
    });
    expect(asked).toBe(3);
  });

  it('does not accept agree naming a button that was never tapped', async () => {
    const { privacy } = setup();
    privacy.apis.onNeedPrivacyAuthorization((resolve) => resolve({ event: 'agree', buttonId: 'never-tapped' }));
    await expect(privacy.request('chooseAvatar')).resolves.toBe(false);
  });

  it('uses only the last registered listener, and WeChat’s own popup when there is none', async () => {
    const { privacy, asked } = setup({ askAnswer: true });
    await expect(privacy.request('getPhoneNumber')).resolves.toBe(true);
    expect(asked).toEqual(['getPhoneNumber']);

    const second = setup();
    const calls: string[] = [];
    second.privacy.apis.onNeedPrivacyAuthorization(() => calls.push('first'));
    second.privacy.apis.onNeedPrivacyAuthorization((resolve) => {
      calls.push('last');
      resolve({ event: 'disagree' });
    });
    await second.privacy.request('nickname');
    expect(calls).toEqual(['last']);
  });

  it('asks nothing when app.json does not turn the check on', async () => {
    const { privacy } = setup({ enabled: false });
    await expect(privacy.request('chooseAvatar')).resolves.toBe(true);
    await expect(privacy.apis.getPrivacySetting()).resolves.toEqual({
      errMsg: 'getPrivacySetting:ok',
      needAuthorization: false,
      privacyContractName: '《示例小程序隐私保护指引》',
    });
  });
});
