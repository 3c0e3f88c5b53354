/**
 * Linking, unlinking and recovering by phone in a real browser: the pages of miniprogram/ in the
 * preview (Debian's chromium, playwright-core) against the built login function in the emulator.
 * The path issue 11 started from: 小红 proves 小明's number and links into his account, then
 * unlinks 小明's WeChat — only his goes, he is told, and he gets back in with his number — and
 * then unlinks her own, which signs her out with the words to say so.
 *
 * One browser and one emulator for the file; the tests are one story and run in order.
 * With E2E_SCREENSHOTS=1, pictures of the phone (375 px wide) go to test-artifacts/e2e/unlink-*.png.
 */
import type { Page } from 'playwright-core';
import type { Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE, type PreviewIdentity } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { describeInBrowser, usePreviewSession } from './support/chromium';
import { screenshot as saveScreenshot } from './support/screenshots';

const [XIAOMING, XIAOHONG] = PRESET_PEOPLE;
const [APP_A] = PRESET_APPS;
if (!XIAOMING || !XIAOHONG || !APP_A) throw new Error('the preview presets changed: two people and an app expected');
const MING = presetIdentity(XIAOMING, APP_A);
const HONG = presetIdentity(XIAOHONG, APP_A);

const LOGIN = 'pages/login/index';
const SECURITY = 'pages/account-security/index';

describeInBrowser('unlinking WeChat accounts in the browser preview (chromium)', () => {
  let emulator: Emulator;
  let page: Page;
  let accountId = '';

  const { onPage, waitShown, launch } = previewDriver(
    () => page,
    () => emulator.url,
  );

  async function screenshot(name: string): Promise<void> {
    await saveScreenshot(page.locator('.pv-phone'), `unlink-${name}.png`);
  }

  /** 账号与安全 logged out → 微信登录 → tick → 微信登录 → back, the list loaded. */
  async function logInFromSecurity(): Promise<void> {
    await onPage(SECURITY, '#login-button').tap();
    await waitShown(LOGIN);
    await onPage(LOGIN, '#agreement-checkbox').tap();
    await onPage(LOGIN, '#login-button').tap();
    await waitShown(SECURITY);
    await onPage(SECURITY, '#wechat-0').waitFor();
  }

  /** The preview's WeChat modal: its text, then the confirm button. */
  async function confirmModal(): Promise<string> {
    const modal = page.locator('#pv-modal');
    await modal.waitFor();
    const text = (await modal.textContent()) ?? '';
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    return text;
  }

  /**
   * Taps an open-type="getPhoneNumber" button and picks a line of the preview's phone sheet,
   * agreeing first when the privacy guide is asked (getPhoneNumber is a privacy API).
   */
  async function getPhoneNumber(route: string, button: string, choice: number): Promise<void> {
    await onPage(route, button).tap();
    const agree = onPage(route, '#privacy-popup-agree');
    const sheetItem = page.locator(`.pv-sheet__item[data-index="${choice}"]`);
    await agree.or(sheetItem).first().waitFor();
    if (await agree.isVisible()) await agree.tap();
    await sheetItem.tap();
  }

  function ownerOf(key: string): unknown {
    return emulator.database.documents('identities').find((identity) => identity['_id'] === key)?.['userId'];
  }

  async function loginAs(identity: PreviewIdentity): Promise<{ id: string; isNewUser: boolean }> {
    const invocation = await emulator.callFunction('login', { action: 'login' }, identity);
    const result = invocation.result as { ok: true; data: { user: { id: string }; isNewUser: boolean } };
    return { id: result.data.user.id, isNewUser: result.data.isNewUser };
  }

  const session = usePreviewSession('unlink-e2e');

  beforeAll(() => {
    ({ emulator, page } = session());
  });

  it("小红 links into 小明's account with his number, then unlinks his WeChat: only his goes", async () => {
    // 小明's account: signed in on this device (his cache), his number and nickname set.
    await launch(MING, SECURITY);
    await logInFromSecurity();
    accountId = String(ownerOf(`wx-unionid:${XIAOMING.unionid}`));
    await emulator.callFunction('login', { action: 'bindPhone', code: emulator.openapi.issuePhoneCode(XIAOMING.phoneNumber) }, MING);
    await emulator.callFunction('login', { action: 'updateProfile', nickName: '小明' }, MING);

    await launch(HONG, SECURITY);
    await logInFromSecurity();
    await emulator.callFunction('login', { action: 'updateProfile', nickName: '小红' }, HONG);
    await getPhoneNumber(SECURITY, '#phone-button', 1);
    await page.locator('#pv-modal .pv-modal__input').fill(XIAOMING.phoneNumber);
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    await onPage(SECURITY, '#link-sheet #link-confirm').waitFor();
    expect(await onPage(SECURITY, '#link-sheet #link-target-name').textContent()).toBe('小明');
    expect(await onPage(SECURITY, '#link-sheet #link-preview').textContent()).not.toMatch(/（[^）]*（/);
    await screenshot('1-link-offer');
    await onPage(SECURITY, '#link-sheet #link-confirm').tap();
    // A success is a toast, never a banner that pushes the page down.
    await page.locator('#pv-toast').filter({ hasText: '已关联到账号「小明」' }).waitFor();
    expect(await onPage(SECURITY, '#security-notice').count()).toBe(0);
    await onPage(SECURITY, '#wechat-1').waitFor();

    // Each WeChat by who it was when it joined: 小红's by her nickname and avatar, 小明's as the account's own.
    expect(await onPage(SECURITY, '#wechat-0').textContent()).toMatch(/「小红」的微信[\s\S]*当前微信[\s\S]*用于本小程序[\s\S]*关联/);
    expect(await onPage(SECURITY, '#wechat-1').textContent()).toMatch(/注册本账号的微信[\s\S]*用于本小程序[\s\S]*起使用/);
    expect(await onPage(SECURITY, '#phone-number').textContent()).toBe('138****8000');
    await screenshot('2-two-wechats');

    await onPage(SECURITY, '#unlink-1').tap();
    const question = await confirmModal();
    expect(question).toContain('解除这个微信？');
    expect(question).toContain('你当前的微信不受影响');
    await page.locator('#pv-toast').filter({ hasText: '已解除关联' }).waitFor();
    expect(await onPage(SECURITY, '#wechat-1').count()).toBe(0);
    await screenshot('3-other-unlinked');

    expect(ownerOf(`wx-unionid:${XIAOMING.unionid}`)).toBeUndefined();
    expect(ownerOf(`wx-openid:${APP_A.appid}:${MING.openid}`)).toBeUndefined();
    expect(ownerOf(`wx-unionid:${XIAOHONG.unionid}`)).toBe(accountId);
    expect(await loginAs(HONG)).toEqual({ id: accountId, isNewUser: false });
  });

  it('小明 is told he is signed out — no silent new account — and gets back in with 用手机号找回账号', async () => {
    const usersBefore = emulator.database.documents('users').length;
    await launch(MING, SECURITY);

    await onPage(SECURITY, '#security-error').filter({ hasText: '这个微信已不能登录原来的账号' }).waitFor();
    await onPage(SECURITY, '#login-button').waitFor();
    expect(emulator.database.documents('users')).toHaveLength(usersBefore);
    await screenshot('4-signed-out-elsewhere');

    await onPage(SECURITY, '#login-button').tap();
    await waitShown(LOGIN);
    await onPage(LOGIN, '#agreement-checkbox').tap();
    await screenshot('5-login-recovery-entry');

    // A number nobody holds: asked first; 取消 leaves no account behind and nobody signed in.
    await getPhoneNumber(LOGIN, '#recovery-entry', 1);
    await page.locator('#pv-modal .pv-modal__input').fill('13700137000');
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    const question = page.locator('#pv-modal').filter({ hasText: '没有找到账号' });
    await question.waitFor();
    expect(await question.textContent()).toContain('要用当前微信注册一个新账号，并绑定这个号码吗？');
    await screenshot('5b-recovery-no-account-question');
    await page.locator('#pv-modal .pv-modal__cancel').tap();
    await question.waitFor({ state: 'detached' });
    expect(emulator.database.documents('users')).toHaveLength(usersBefore);
    expect(ownerOf('phone:+86:13700137000')).toBeUndefined();
    expect(await onPage(LOGIN, '#login-button').isVisible()).toBe(true);

    await getPhoneNumber(LOGIN, '#recovery-entry', 0);
    await onPage(LOGIN, '#recovery-sheet #link-confirm').waitFor();
    expect(await onPage(LOGIN, '#recovery-sheet #link-preview').textContent()).toContain('找到了绑定该手机号的账号');
    await screenshot('6-recovery-offer');
    await onPage(LOGIN, '#recovery-sheet #link-confirm').tap();
    await waitShown(SECURITY);
    await onPage(SECURITY, '#wechat-1').waitFor();

    expect(ownerOf(`wx-unionid:${XIAOMING.unionid}`)).toBe(accountId);
    expect(await onPage(SECURITY, '#wechat-0').textContent()).toContain('当前微信');
    expect(await onPage(SECURITY, '#security-error').count()).toBe(0);
    expect(await loginAs(MING)).toEqual({ id: accountId, isNewUser: false });
    expect(await loginAs(HONG)).toEqual({ id: accountId, isNewUser: false });
    await screenshot('7-recovered');
  });

  it('unlinking the current WeChat signs this device out with the right words; the next login says it is a new account', async () => {
    await launch(HONG, SECURITY);
    await onPage(SECURITY, '#wechat-1').waitFor();

    await onPage(SECURITY, '#unlink-0').tap();
    const question = await confirmModal();
    expect(question).toContain('解除当前微信？');
    expect(question).toContain('你会立即退出登录');
    expect(question).toContain('之后用这个微信登录会进入一个新的空账号');

    const notice = onPage(SECURITY, '#security-notice');
    await notice.filter({ hasText: '已解除当前微信，并已退出登录' }).waitFor();
    expect(await notice.textContent()).toBe('已解除当前微信，并已退出登录。下次用这个微信登录会进入一个新的空账号。');
    await onPage(SECURITY, '#login-button').waitFor();
    expect(await onPage(SECURITY, '#wechat-0').count()).toBe(0);
    await screenshot('8-current-unlinked');
    expect(await loginAs(MING)).toEqual({ id: accountId, isNewUser: false });

    await logInFromSecurity();
    expect(await onPage(SECURITY, '#security-notice').textContent()).toContain('本次登录为你创建了一个新的空账号');
    expect(ownerOf(`wx-unionid:${XIAOHONG.unionid}`)).not.toBe(accountId);
    await screenshot('9-new-account-after');

    // The list failing to load: the message and a 重试 at the end of its row, which loads it. The
    // database fails until the 重试 shows: the launch's revalidation runs beside the list (its failure
    // keeps the cached user, silently), so a one-time fault could land on either.
    const fault = emulator.faults.add({ action: /^database\./, times: 'always', error: { code: 'SYS_ERR', message: 'injected' } });
    await launch(HONG, SECURITY);
    await onPage(SECURITY, '#identities-retry').waitFor();
    fault.remove();
    expect(await onPage(SECURITY, '#security-error').textContent()).toBe('服务暂时不可用，请稍后再试');
    await screenshot('10-list-error');
    await onPage(SECURITY, '#identities-retry').tap();
    await onPage(SECURITY, '#wechat-0').waitFor();
    expect(await onPage(SECURITY, '#security-error').count()).toBe(0);
  });
});
