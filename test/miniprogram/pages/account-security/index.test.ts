import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import {
  aLinkOffer,
  actionsCalled,
  anIdentity,
  answerActions,
  failureWithDetails,
  twoWechatsAndPhone,
  wechatAndPhone,
} from '../../support/accounts';
import { deferred } from '../../support/fake-cloud';
import { installFakeWx } from '../../support/fake-wx';
import type { RenderedPage } from '../../support/render-page';
import { loadPage, renderPage, settle } from '../../support/render-page';
import { hasCachedSession, launchWithCachedUser } from '../../support/sessions';
import { aUser, failureAnswer, loginAnswer } from '../../support/users';

const fake = installFakeWx();
const securityPage = loadPage('pages/account-security/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

const identitiesAnswer =
  (identities = [anIdentity()]) =>
  () => ({ ok: true, data: { identities } });

/** 账号与安全 of a logged-in user whose list has loaded. */
async function openSecurity(): Promise<RenderedPage> {
  const page = renderPage(securityPage);
  await settle();
  return page;
}

/** Each WeChat row as its texts joined with ' | ' (name, tag, apps, origin, 唯一登录方式 / button). */
function identityTexts(page: RenderedPage): string[] {
  const rows = page.component.dom?.querySelectorAll('[class$="security__identity"]') ?? [];
  return Array.from(rows).map((row) =>
    Array.from(row.querySelectorAll('wx-text, wx-button'))
      .map((node) => (node.textContent ?? '').replace(/\s+/g, ' ').trim())
      .join(' | '),
  );
}

describe('pages/account-security (账号与安全)', () => {
  it('logged out, offers 微信登录 that comes back here, and calls nothing', async () => {
    const page = await openSecurity();

    await page.tap('#login-button');

    expect(fake.cloudCalls).toHaveLength(0);
    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/account-security/index')}` },
    ]);
  });

  describe('登录方式', () => {
    it('shows 加载中… and then one row per WeChat account, in words, with 解除关联 only where allowed', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      const answer = deferred<unknown>();
      answerActions(fake, { listIdentities: () => answer.promise });
      const page = await openSecurity();
      expect(page.exists('#identities-loading')).toBe(true);

      answer.resolve({ ok: true, data: { identities: [anIdentity({ canUnlink: false }), { ...wechatAndPhone()[1], canUnlink: false }] } });
      await settle();

      expect(page.exists('#identities-loading')).toBe(false);
      expect(identityTexts(page)).toEqual(['微信 | 当前微信 | 用于本小程序 | 2024-01-15 起使用 | 唯一登录方式']);
      expect(page.exists('#unlink-0')).toBe(false);
      expect(page.text('#phone-number')).toBe('138****8000');
      expect(page.exists('#phone-unlink')).toBe(false);
      expect(page.text('.page')).not.toMatch(/开放平台|wx-test-app|唯一登录方式.*唯一登录方式/);
    });

    it('given the number was withdrawn in WeChat since the cache was written, the launch’s revalidation after the first render shows 未绑定 in place', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      answerActions(fake, {
        listIdentities: identitiesAnswer(wechatAndPhone()),
        login: () => loginAnswer(aUser({ hasPhone: false, maskedPhoneNumber: '' })),
      });
      const page = await openSecurity();
      expect(page.text('#phone-number')).toBe('138****8000');

      await page.onReady();

      expect(page.text('#phone-number')).toBe('未绑定');
      expect(fake.cloudCalls.filter((call) => call.data.action === 'login')).toEqual([
        { name: 'login', data: { action: 'login', existingOnly: true } },
      ]);
    });

    it('given the account is gone, the launch’s revalidation shows the logged-out page and says why inline', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer(wechatAndPhone()), login: () => failureAnswer('USER_NOT_FOUND') });
      const page = await openSecurity();

      await page.onReady();

      expect(page.text('#login-button')).toContain('微信登录');
      expect(page.text('.page')).toContain('这个微信已不能登录原来的账号');
      expect(hasCachedSession(fake)).toBe(false);
    });

    it('after a link, tells the two WeChat accounts apart: the current one marked, the other by its apps and date', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      answerActions(fake, { listIdentities: identitiesAnswer(twoWechatsAndPhone()) });
      const page = await openSecurity();

      expect(identityTexts(page)).toEqual([
        '「小红」的微信 | 当前微信 | 用于本小程序 | 2024-05-02 关联 | 解除关联',
        '注册本账号的微信 | 用于本小程序、其他小程序 | 2024-01-15 起使用 | 解除关联',
      ]);
      expect(page.text('#phone-unlink')).toContain('解除绑定手机号');
      expect(page.text('#phone-hint')).toContain('换了微信？用手机号找回账号');
    });

    it('when the list fails, shows the message and a 重试 that loads it', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: () => failureAnswer('INTERNAL') });
      const page = await openSecurity();

      expect(page.text('#security-error')).toBe('服务暂时不可用，请稍后再试');
      answerActions(fake, { listIdentities: identitiesAnswer(wechatAndPhone()) });
      await page.tap('#identities-retry');

      expect(page.exists('#security-error')).toBe(false);
      expect(identityTexts(page)).toHaveLength(1);
    });

    it('解除关联 asks first, naming what goes; 取消 calls nothing', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      answerActions(fake, { listIdentities: identitiesAnswer(wechatAndPhone()) });
      fake.answerModal(false);
      const page = await openSecurity();

      await page.tap('#phone-unlink');

      expect(fake.modals).toEqual([
        {
          title: '解除手机号？',
          content: '解除后，手机号 138****8000 将从这个账号移除：换了微信时不能再用它找回账号。',
          confirmText: '解除',
          cancelText: '取消',
          confirmColor: '#e5484d',
        },
      ]);
      expect(actionsCalled(fake)).toEqual(['listIdentities']);
    });

    it('confirmed, unlinks the phone with 解除中… and shows the list the function answered', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      const answer = deferred<unknown>();
      answerActions(fake, { listIdentities: identitiesAnswer(wechatAndPhone()), unlinkIdentity: () => answer.promise });
      fake.answerModal(true);
      const page = await openSecurity();

      await page.tap('#phone-unlink');
      expect(page.text('#phone-unlink')).toContain('解除中…');
      answer.resolve({ ok: true, data: { identities: [anIdentity()], signedOut: false } });
      await settle();

      expect(fake.cloudCalls.at(-1)?.data).toEqual({ action: 'unlinkIdentity', identityId: 'identity-phone' });
      expect(fake.toasts).toEqual(['手机号已解除']);
      expect(page.exists('#security-notice')).toBe(false);
      expect(identityTexts(page)).toHaveLength(1);
      expect(page.exists('#phone-unlink')).toBe(false);
      expect(page.text('#phone-number')).toBe('未绑定');
      expect(hasCachedSession(fake)).toBe(true);
    });

    it('unlinking the other WeChat asks about that one only, and this device stays signed in', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      const [hong, , phone] = twoWechatsAndPhone();
      answerActions(fake, {
        listIdentities: identitiesAnswer(twoWechatsAndPhone()),
        unlinkIdentity: () => ({ ok: true, data: { identities: [hong, phone], signedOut: false } }),
      });
      fake.answerModal(true);
      const page = await openSecurity();

      await page.tap('#unlink-1');

      expect(fake.modals[0]).toMatchObject({ title: '解除这个微信？' });
      expect(fake.modals[0]?.content).toContain('你当前的微信不受影响');
      expect(fake.cloudCalls.at(-1)?.data).toEqual({ action: 'unlinkIdentity', identityId: 'identity-ming' });
      expect(fake.toasts).toEqual(['已解除关联']);
      expect(identityTexts(page)).toEqual(['微信 | 当前微信 | 用于本小程序 | 2024-05-02 关联 · 原账号「小红」 | 解除关联']);
      expect(hasCachedSession(fake)).toBe(true);
    });

    it('LAST_IDENTITY (the list was stale): shows the message and reloads the list', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer(wechatAndPhone()), unlinkIdentity: () => failureAnswer('LAST_IDENTITY') });
      fake.answerModal(true);
      const page = await openSecurity();

      answerActions(fake, { listIdentities: identitiesAnswer([anIdentity()]), unlinkIdentity: () => failureAnswer('LAST_IDENTITY') });
      await page.tap('#unlink-0');

      expect(page.text('#security-error')).toBe('解除后将没有能登录本小程序的方式，不能解除');
      expect(actionsCalled(fake)).toEqual(['listIdentities', 'unlinkIdentity', 'listIdentities']);
      expect(identityTexts(page)).toHaveLength(1);
    });

    it('unlinking the current WeChat warns that it signs out and what the next login is, then logs this device out', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      answerActions(fake, {
        listIdentities: identitiesAnswer(wechatAndPhone()),
        unlinkIdentity: () => ({ ok: true, data: { identities: wechatAndPhone().slice(1), signedOut: true } }),
      });
      fake.answerModal(true);
      const page = await openSecurity();

      await page.tap('#unlink-0');

      expect(fake.modals[0]?.content).toContain('你会立即退出登录');
      expect(fake.modals[0]?.content).toContain('之后用这个微信登录会进入一个新的空账号');
      expect(page.text('#security-notice')).toBe('已解除当前微信，并已退出登录。下次用这个微信登录会进入一个新的空账号。');
      expect(page.exists('#login-button')).toBe(true);
      expect(page.exists('#wechat-0')).toBe(false);
      expect(hasCachedSession(fake)).toBe(false);
      expect(fake.modals).toHaveLength(1);
    });

    it('USER_NOT_FOUND (another device unlinked this WeChat): signs out with the message, never logs in to a new account', async () => {
      await launchWithCachedUser(fake, aUser({ nickName: '原账号' }));
      answerActions(fake, { listIdentities: () => failureAnswer('USER_NOT_FOUND') });

      const page = await openSecurity();

      expect(page.text('#security-error')).toBe('这个微信已不能登录原来的账号（已解除关联或已注销），已退出登录');
      expect(actionsCalled(fake)).toEqual(['listIdentities']);
      expect(page.exists('#login-button')).toBe(true);
      expect(page.text('.page')).not.toContain('原账号」');
      expect(hasCachedSession(fake)).toBe(false);
    });
  });

  describe('手机号', () => {
    it("declined in WeChat's sheet: says so and calls no function", async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer() });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' });

      expect(page.text('#security-error')).toBe('你已取消授权手机号，需要时可再次点击绑定');
      expect(actionsCalled(fake)).toEqual(['listIdentities']);
    });

    it("the component's quota used up (errno 1400001) is reported without a call", async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer() });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail', errno: 1400001 });

      expect(page.text('#security-error')).toBe('本小程序的手机号验证次数暂时用完了，现在无法验证手机号，请稍后再试');
      expect(actionsCalled(fake)).toEqual(['listIdentities']);
    });

    it('an error floats over the page until tapped away; a success never shows a banner', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer() });
      const page = await openSecurity();
      await page.dispatch('#phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' });
      expect(page.exists('#security-error')).toBe(true);

      await page.tap('#security-error');

      expect(page.exists('#security-error')).toBe(false);
      expect(page.exists('#security-notice')).toBe(false);
    });

    it('takes the code of the real-time check (bindgetrealtimephonenumber) the same way, as the check config.ts chose', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => ({
          ok: true,
          data: { user: aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }), phoneNumber: '13800138000' },
        }),
      });
      const page = await openSecurity();
      expect(page.data().phoneOpenType).toBe('getPhoneNumber');

      await page.dispatch('#phone-button', 'getrealtimephonenumber', { errMsg: 'getRealtimePhoneNumber:ok', code: 'code-rt' });
      await settle();

      expect(fake.cloudCalls[1]?.data).toEqual({ action: 'bindPhone', code: 'code-rt', kind: 'quick' });
      expect(fake.toasts).toEqual(['手机号已绑定']);
    });

    it('binds with 绑定中…, then shows the masked number and the new list', async () => {
      await launchWithCachedUser(fake, aUser());
      const answer = deferred<unknown>();
      answerActions(fake, { listIdentities: identitiesAnswer(), bindPhone: () => answer.promise });
      const page = await openSecurity();
      expect(page.text('#phone-number')).toBe('未绑定');

      await page.dispatch('#phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:ok', code: 'code-1' });
      expect(page.text('#phone-button')).toBe('绑定中…');
      answerActions(fake, { listIdentities: identitiesAnswer(wechatAndPhone()) });
      answer.resolve({ ok: true, data: { user: aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }), phoneNumber: '13800138000' } });
      await settle();

      expect(fake.cloudCalls[1]?.data).toEqual({ action: 'bindPhone', code: 'code-1', kind: 'quick' });
      expect(page.text('#phone-number')).toBe('138****8000');
      // A bound number is never offered again: every code traded is a paid call.
      expect(page.exists('#phone-button')).toBe(false);
      expect(page.text('#phone-hint')).toContain('如需更换号码');
      expect(fake.toasts).toEqual(['手机号已绑定']);
      expect(page.text('.page')).not.toContain('13800138000');
      expect(page.exists('#phone-unlink')).toBe(true);
      expect(getAuthService().currentUser()?.maskedPhoneNumber).toBe('138****8000');
    });

    it.each([
      ['PHONE_CODE_INVALID', '手机号授权已失效，请重新获取'],
      ['PHONE_QUOTA_EXCEEDED', '本小程序的手机号验证次数暂时用完了，现在无法验证手机号，请稍后再试'],
      ['PHONE_NOT_PERMITTED', '当前小程序暂不支持获取手机号，请联系开发者'],
    ] as const)('%s shows its message', async (code, message) => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer(), bindPhone: () => failureAnswer(code) });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      expect(page.text('#security-error')).toBe(message);
      expect(page.data().phoneStatus).toBe('idle');
    });

    it('with a number bound, offers no phone button (no needless paid call); unlinking the number brings 绑定手机号 back', async () => {
      await launchWithCachedUser(fake, aUser({ hasPhone: true, maskedPhoneNumber: '138****8000' }));
      answerActions(fake, {
        listIdentities: identitiesAnswer(wechatAndPhone()),
        unlinkIdentity: () => ({ ok: true, data: { identities: wechatAndPhone().slice(0, 1), signedOut: false } }),
      });
      fake.answerModal(true);
      const page = await openSecurity();

      expect(page.text('#phone-number')).toBe('138****8000');
      expect(page.exists('#phone-button')).toBe(false);
      expect(page.exists('#phone-unavailable')).toBe(false);
      expect(page.text('#phone-hint')).toContain('如需更换号码');

      await page.tap('#phone-unlink');
      await settle();

      expect(page.text('#phone-button')).toBe('绑定手机号');
      expect(page.text('#phone-hint')).not.toContain('如需更换号码');
      expect(actionsCalled(fake)).toEqual(['listIdentities', 'unlinkIdentity']);
    });

    it('RATE_LIMITED names the wait', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => failureWithDetails('RATE_LIMITED', { retryAfterMs: 150_000 }),
      });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      expect(page.text('#security-error')).toBe('操作太频繁，请 3 分钟后再试');
      expect(page.text('#phone-button')).toBe('绑定手机号');
    });

    it('PHONE_NOT_PERMITTED (an uncertified mini-program) also stops offering the button', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, { listIdentities: identitiesAnswer(), bindPhone: () => failureAnswer('PHONE_NOT_PERMITTED') });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      expect(page.exists('#phone-button')).toBe(false);
      expect(page.text('#phone-unavailable')).toBe('暂不支持绑定');
    });

    it('a number of another account opens the preview; 取消 closes it without a call', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()),
      });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      expect(page.text('#link-sheet >>> #link-target-name')).toBe('老账号');
      expect(page.text('#link-sheet >>> #link-preview')).toContain('手机号 139****9000 · 2023-06-01 注册');
      expect(page.text('#link-sheet >>> #link-preview')).toContain('当前账号的微信登录将移到该账号');
      expect(page.text('#link-sheet >>> #link-preview')).not.toMatch(/（[^）]*（/);
      expect(page.text('#link-sheet >>> #link-preview')).toContain('保留该账号的昵称、头像');
      expect(page.text('#link-sheet >>> #link-valid-until')).toMatch(/^请在 \d{2}:\d{2} 前确认/);
      expect(page.exists('#security-error')).toBe(false);

      await page.tap('#link-sheet >>> #link-cancel');

      expect(page.exists('#link-sheet >>> #link-preview')).toBe(false);
      expect(actionsCalled(fake)).toEqual(['listIdentities', 'bindPhone']);
    });

    it('关联到该账号 sends the ticket with 关联中…, then this device holds the linked account', async () => {
      await launchWithCachedUser(fake, aUser());
      const answer = deferred<unknown>();
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()),
        confirmLink: () => answer.promise,
      });
      const page = await openSecurity();
      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      await page.tap('#link-sheet >>> #link-confirm');
      expect(page.text('#link-sheet >>> #link-confirm')).toBe('关联中…');
      answer.resolve({
        ok: true,
        data: { user: aUser({ id: 'existing-account', nickName: '老账号', hasPhone: true, maskedPhoneNumber: '139****9000' }) },
      });
      await settle();

      expect(fake.cloudCalls[2]?.data).toEqual({ action: 'confirmLink', ticket: 'lt1_test-ticket' });
      expect(page.exists('#link-sheet >>> #link-preview')).toBe(false);
      expect(fake.toasts).toEqual(['已关联到账号「老账号」']);
      expect(page.text('#phone-number')).toBe('139****9000');
      expect(getAuthService().currentUser()?.id).toBe('existing-account');
      expect(actionsCalled(fake).at(-1)).toBe('listIdentities');
    });

    it('an offer that is not what the contract says is not shown: only the message', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', { ticket: 'lt1_x', preview: { target: 'user-2' } }),
      });
      const page = await openSecurity();

      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      expect(page.exists('#link-sheet >>> #link-preview')).toBe(false);
      expect(page.text('#security-error')).toBe('该手机号已绑定其他账号，可将当前微信关联到该账号');
    });

    it.each([
      ['LINK_TICKET_EXPIRED', '关联确认已超时，请重新绑定手机号'],
      ['LINK_TICKET_NOT_YOURS', '关联信息与当前微信不符，请重新绑定手机号'],
      ['LINK_TARGET_UNAVAILABLE', '要关联的账号已停用或不存在'],
    ] as const)('confirmLink refused with %s: closes the preview and shows the message', async (code, message) => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()),
        confirmLink: () => failureAnswer(code),
      });
      const page = await openSecurity();
      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      await page.tap('#link-sheet >>> #link-confirm');

      expect(page.exists('#link-sheet >>> #link-preview')).toBe(false);
      expect(page.text('#security-error')).toBe(message);
      expect(getAuthService().currentUser()?.id).toBe('user-1');
    });

    it('LINK_TICKET_USED: logs in again to learn which account this WeChat has now, and says the link is done', async () => {
      await launchWithCachedUser(fake, aUser());
      answerActions(fake, {
        listIdentities: identitiesAnswer(),
        bindPhone: () => failureWithDetails('PHONE_BELONGS_TO_ANOTHER_ACCOUNT', aLinkOffer()),
        confirmLink: () => failureAnswer('LINK_TICKET_USED'),
        login: () => loginAnswer(aUser({ id: 'existing-account', nickName: '老账号' })),
      });
      const page = await openSecurity();
      await page.dispatch('#phone-button', 'getphonenumber', { code: 'code-1' });

      await page.tap('#link-sheet >>> #link-confirm');

      expect(actionsCalled(fake)).toEqual(['listIdentities', 'bindPhone', 'confirmLink', 'login', 'listIdentities']);
      expect(page.text('#security-error')).toBe('该关联已完成或已失效，无需重复操作');
      expect(getAuthService().currentUser()?.id).toBe('existing-account');
    });
  });

  it('a banned account: the message stays and the page turns logged out', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { listIdentities: () => failureAnswer('USER_BANNED') });

    const page = await openSecurity();

    expect(page.text('#security-error')).toBe('该账号已被停用，如有疑问请联系客服');
    expect(page.exists('#login-button')).toBe(true);
    expect(hasCachedSession(fake)).toBe(false);
  });

  it('注销账号 opens the deletion page', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { listIdentities: identitiesAnswer() });
    const page = await openSecurity();

    await page.tap('#delete-entry');

    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/account-delete/index' }]);
  });

  it('下载我的信息 opens its page', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { listIdentities: identitiesAnswer() });
    const page = await openSecurity();

    await page.tap('#personal-data-entry');

    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/personal-data/index' }]);
  });
});
