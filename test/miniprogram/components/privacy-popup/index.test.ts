import type { PrivacyListener } from '../../support/fake-wx';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, settle } from '../../support/render-page';

const fake = installFakeWx();
const popup = loadPage('components/privacy-popup/index');

beforeEach(() => fake.reset());

type Decision = { event: string; buttonId?: string };

function registeredListener(): PrivacyListener {
  const listener = fake.privacyListener;
  if (!listener) throw new Error('the popup registered no onNeedPrivacyAuthorization listener');
  return listener;
}

/** WeChat holding a privacy API (e.g. chooseAvatar) until the popup answers. */
function holdPrivacyCall(referrer = 'chooseAvatar'): Decision[] {
  const decisions: Decision[] = [];
  registeredListener()((decision) => decisions.push(decision), { referrer });
  return decisions;
}

describe('components/privacy-popup', () => {
  it('stays hidden and registers for onNeedPrivacyAuthorization when attached', () => {
    const page = renderPage(popup);

    expect(page.exists('.mask')).toBe(false);
    expect(fake.privacyListener).not.toBeNull();
  });

  it("when WeChat holds a privacy call, shows the guide's name; 同意 lets every held call go on with the agree button's id", async () => {
    const page = renderPage(popup);
    const agreed: string[] = [];
    page.component.addEventListener('agree', () => agreed.push('agree'));

    const first = holdPrivacyCall('chooseAvatar');
    const second = holdPrivacyCall('getPhoneNumber');
    await settle();
    expect(page.text('.sheet')).toContain('《测试小程序隐私保护指引》');
    expect(page.exists('#privacy-popup-agree')).toBe(true);

    await page.dispatch('#privacy-popup-agree', 'agreeprivacyauthorization');

    expect(first).toEqual([{ event: 'agree', buttonId: 'privacy-popup-agree' }]);
    expect(second).toEqual([{ event: 'agree', buttonId: 'privacy-popup-agree' }]);
    expect(page.exists('.mask')).toBe(false);
    expect(agreed).toEqual(['agree']);
  });

  it('拒绝 answers disagree (the held call then fails as PRIVACY_DENIED) and hides the popup', async () => {
    const page = renderPage(popup);
    const declined: string[] = [];
    page.component.addEventListener('decline', () => declined.push('decline'));
    const decisions = holdPrivacyCall();
    await settle();

    await page.tap('#privacy-popup-decline');

    expect(decisions).toEqual([{ event: 'disagree' }]);
    expect(page.exists('.mask')).toBe(false);
    expect(declined).toEqual(['decline']);
  });

  it("the guide's name opens WeChat's privacy contract", async () => {
    const page = renderPage(popup);
    holdPrivacyCall();
    await settle();

    await page.tap('#privacy-contract-link');

    expect(fake.privacyContractOpens).toBe(1);
  });

  it('takes the app-wide listener back when its page is shown again (tab pages are not reloaded)', () => {
    const page = renderPage(popup);
    fake.reset();

    page.component.triggerPageLifeTime('show');

    expect(fake.privacyListener).not.toBeNull();
  });

  it('removed while asking, it answers disagree so WeChat does not wait forever', async () => {
    const page = renderPage(popup);
    const decisions = holdPrivacyCall();
    await settle();

    page.component.detach();

    expect(decisions).toEqual([{ event: 'disagree' }]);
  });
});
