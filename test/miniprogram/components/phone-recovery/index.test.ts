import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { aLinkOffer, actionsCalled, answerActions } from '../../support/accounts';
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

  it('a number of an existing account: asks WeChat for the number without signing in, shows which account; 关联到该账号 signs in and links', async () => {
    answerActions(fake, {
      login: () => loginAnswer(aUser({ id: 'fresh-account' }), true),
      findAccountByPhone: () => ({ ok: true, data: { found: 'account', offer: aLinkOffer() } }),
      confirmLink: () => ({ ok: true, data: { user: aUser({ id: 'old-account', nickName: '老账号', hasPhone: true }) } }),
    });
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { errMsg: 'getPhoneNumber:ok', code: 'code-1' });

    expect(page.text(`${SHEET} >>> #link-preview`)).toContain('找到了绑定该手机号的账号');
    expect(page.text(`${SHEET} >>> #link-target-name`)).toBe('老账号');
    // Nothing signed in yet: the question came first.
    expect(fake.cloudCalls.map((request) => request.data)).toEqual([{ action: 'findAccountByPhone', code: 'code-1', kind: 'quick' }]);
    expect(getAuthService().currentUser()).toBeNull();

    await page.tap(`${SHEET} >>> #link-confirm`);

    expect(actionsCalled(fake)).toEqual(['findAccountByPhone', 'login', 'confirmLink']);
    expect(fake.cloudCalls.at(-1)?.data).toEqual({ action: 'confirmLink', ticket: 'lt1_test-ticket' });
    expect(getAuthService().currentUser()?.id).toBe('old-account');
    expect(fake.toasts).toEqual(['已找回账号「老账号」']);
    expect(fake.navigations).toEqual([{ api: 'navigateBack', delta: 1 }]);
    // The new account the recovery's login made is not announced: the person is back in theirs.
    expect(getAuthService().takeSessionNotice()).toBeNull();
  });

  it('a number of an existing account, 取消 in the sheet: nothing signed in, nothing created, still on the login page', async () => {
    answerActions(fake, { findAccountByPhone: () => ({ ok: true, data: { found: 'account', offer: aLinkOffer() } }) });
    const page = openLogin();
    await page.tap('#agreement-checkbox');
    await page.dispatch(ENTRY, 'getphonenumber', { code: 'code-1' });

    await page.tap(`${SHEET} >>> #link-cancel`);

    expect(page.exists(`${SHEET} >>> #link-preview`)).toBe(false);
    expect(actionsCalled(fake)).toEqual(['findAccountByPhone']);
    expect(getAuthService().currentUser()).toBeNull();
    expect(fake.navigations).toEqual([]);
  });

  it('no account has the number: asks before registering anything; 取消 leaves no account and no number bound', async () => {
    answerActions(fake, {
      findAccountByPhone: () => ({
        ok: true,
        data: { found: 'none', maskedPhoneNumber: '138****8000', hasAccount: false, ticket: 'lt1_none', expiresAt: Date.now() + 600_000 },
      }),
    });
    fake.answerModal(false);
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { code: 'code-1' });

    expect(fake.modals).toEqual([
      {
        title: '没有找到账号',
        content: '没有找到绑定手机号 138****8000 的账号。要用当前微信注册一个新账号，并绑定这个号码吗？选择取消则不会注册。',
        confirmText: '注册',
        cancelText: '取消',
      },
    ]);
    expect(actionsCalled(fake)).toEqual(['findAccountByPhone']);
    expect(getAuthService().currentUser()).toBeNull();
    expect(fake.navigations).toEqual([]);
    expect(fake.toasts).toEqual([]);
  });

  it('no account has the number, 注册: signs in (a new account) and binds the number with the same ticket, then a toast', async () => {
    answerActions(fake, {
      login: () => loginAnswer(aUser({ id: 'new-account' }), true),
      findAccountByPhone: () => ({
        ok: true,
        data: { found: 'none', maskedPhoneNumber: '138****8000', hasAccount: false, ticket: 'lt1_none', expiresAt: Date.now() + 600_000 },
      }),
      confirmLink: () => ({ ok: true, data: { user: aUser({ id: 'new-account', hasPhone: true, maskedPhoneNumber: '138****8000' }) } }),
    });
    fake.answerModal(true);
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { code: 'code-1' });

    expect(actionsCalled(fake)).toEqual(['findAccountByPhone', 'login', 'confirmLink']);
    expect(fake.cloudCalls.at(-1)?.data).toEqual({ action: 'confirmLink', ticket: 'lt1_none' });
    expect(getAuthService().currentUser()).toMatchObject({ id: 'new-account', hasPhone: true });
    expect(fake.toasts).toEqual(['已注册并绑定手机号']);
    expect(fake.navigations).toEqual([{ api: 'navigateBack', delta: 1 }]);
  });

  it("the number is this WeChat's own account: signs in to it, nothing else", async () => {
    answerActions(fake, {
      login: () => loginAnswer(aUser({ id: 'mine', nickName: '小明' }), false),
      findAccountByPhone: () => ({ ok: true, data: { found: 'yours' } }),
    });
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getrealtimephonenumber', { code: 'code-1' });

    expect(actionsCalled(fake)).toEqual(['findAccountByPhone', 'login']);
    expect(fake.toasts).toEqual(['已登录你的账号']);
  });

  it("the quota of WeChat's phone check is used up (errno 1400001): a clear message, no call", async () => {
    const page = openLogin();
    await page.tap('#agreement-checkbox');

    await page.dispatch(ENTRY, 'getphonenumber', { errMsg: 'getPhoneNumber:fail no quota', errno: 1400001 });

    expect(page.text('#phone-recovery >>> #recovery-error')).toBe('本小程序的手机号验证次数暂时用完了，现在无法验证手机号，请稍后再试');
    expect(fake.cloudCalls).toHaveLength(0);
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
      findAccountByPhone: () => ({ ok: true, data: { found: 'account', offer: aLinkOffer() } }),
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
