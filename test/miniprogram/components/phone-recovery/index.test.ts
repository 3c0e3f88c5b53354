import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { aLinkOffer, actionsCalled, answerActions, failureWithDetails } from '../../support/accounts';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage } from '../../support/render-page';
import { aUser, loginAnswer } from '../../support/users';

/** 「换了微信？用手机号找回账号」 as the login page shows it. */

const fake = installFakeWx();
const loginPage = loadPage('pages/login/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

const ENTRY = '#phone-recovery >>> #recovery-entry';
const SHEET = '#phone-recovery >>> #recovery-sheet';

function openLogin() {
  return renderPage(loginPage, { redirect: encodeURIComponent('/pages/profile/index') });
}

describe('components/phone-recovery on the login page', () => {
  it('is offered below 微信登录; unticked, a tap points at the agreement and calls nothing', async () => {
    const page = openLogin();
    expect(page.text(ENTRY)).toBe('换了微信？用手机号找回账号');

    await page.tap(ENTRY);

    expect(page.text('#agreement-hint')).toContain('请先阅读并勾选同意');
    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('a number of an existing account: shows which account and what linking does; 关联到该账号 signs in to it', async () => {
    answerActions(fake, {
      login: () => loginAnswer(aUser({ id: 'fresh-account' }), true),
      bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()),
      confirmLink: () => ({ ok: true, data: { user: aUser({ id: 'old-account', nickName: '老账号', hasPhone: true }) } }),
    });
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { errMsg: 'getPhoneNumber:ok', code: 'code-1' });

    expect(page.text(`${SHEET} >>> #link-preview`)).toContain('找到了绑定该手机号的账号');
    expect(page.text(`${SHEET} >>> #link-target-name`)).toBe('老账号');
    expect(actionsCalled(fake)).toEqual(['login', 'bindPhone']);

    await page.tap(`${SHEET} >>> #link-confirm`);

    expect(fake.cloudCalls.at(-1)?.data).toEqual({ action: 'confirmLink', ticket: 'lt1_test-ticket' });
    expect(getAuthService().currentUser()?.id).toBe('old-account');
    expect(fake.toasts).toEqual(['已找回账号「老账号」']);
    expect(fake.navigations).toEqual([{ api: 'navigateBack', delta: 1 }]);
    // The new account the recovery's login made is not announced: the person is back in theirs.
    expect(getAuthService().takeSessionNotice()).toBeNull();
  });

  it("no account has the number: it is bound to this WeChat's account, and a dialog says so", async () => {
    answerActions(fake, {
      bindPhone: () => ({
        ok: true,
        data: { user: aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }), phoneNumber: '13800138000' },
      }),
    });
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { code: 'code-1' });

    expect(fake.modals).toEqual([
      {
        title: '未找回账号',
        content: '没有账号绑定过手机号 138****8000，已把它绑定到这个微信的账号',
        confirmText: '知道了',
        cancelText: '取消',
        showCancel: false,
      },
    ]);
    expect(fake.navigations).toHaveLength(1);
  });

  it("declined in WeChat's sheet: says so and calls nothing", async () => {
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' });

    expect(page.text('#phone-recovery >>> #recovery-error')).toBe('你已取消授权手机号，需要时可再次点击绑定');
    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('a refused link closes the sheet and shows why; nothing navigates', async () => {
    answerActions(fake, {
      bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()),
      confirmLink: () => ({ ok: false, error: { code: 'LINK_TICKET_EXPIRED', message: 'expired' } }),
    });
    const page = openLogin();
    await page.tap('#agreement-checkbox');
    await page.dispatch(ENTRY, 'getphonenumber', { code: 'code-1' });

    await page.tap(`${SHEET} >>> #link-confirm`);

    expect(page.exists(`${SHEET} >>> #link-preview`)).toBe(false);
    expect(page.text('#phone-recovery >>> #recovery-error')).toBe('关联确认已超时，请重新绑定手机号');
    expect(fake.navigations).toEqual([]);
  });
});
