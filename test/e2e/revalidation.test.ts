/**
 * What WeChat's pushes change reaches the device within the launch: the pages of miniprogram/ in
 * the browser preview (Debian's chromium, playwright-core) against the built login and wechat-push
 * functions in the emulator. A person signs in; WeChat pushes a change (the emulator delivers it to
 * wechat-push, encrypted and signed as WeChat sends it); the mini-program is relaunched the same
 * day. The first render shows the cached user with no answer from the cloud (the revalidation is
 * held in flight to prove it), and after that render the launch's one revalidation shows the change
 * in place: the nickname cleared and the notice told once; the account deleted → the logged-out
 * state and why.
 *
 * One browser and one emulator for the file; the tests are one story and run in order.
 * With E2E_SCREENSHOTS=1, pictures of the phone (375 px wide) go to test-artifacts/e2e/revalidation-*.png.
 */
import type { Page } from 'playwright-core';
import type { Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE, queryForIdentity } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN, PUSH_FUNCTION } from '../../scripts/lib/local-push';
import { describeInBrowser, usePreviewSession } from './support/chromium';
import { screenshot as saveScreenshot } from './support/screenshots';

const [XIAOMING] = PRESET_PEOPLE;
const [APP_A] = PRESET_APPS;
if (!XIAOMING || !APP_A) throw new Error('the preview presets changed: a person and an app expected');
const MING = presetIdentity(XIAOMING, APP_A);

const HOME = 'pages/index/index';
const LOGIN = 'pages/login/index';
const PROFILE = 'pages/profile/index';

describeInBrowser('a push reaches the device within the launch (chromium)', () => {
  let emulator: Emulator;
  let page: Page;
  /** The login function calls the page sent since the last relaunch. */
  const loginCalls: string[] = [];

  const { onPage, waitShown, launch } = previewDriver(
    () => page,
    () => emulator.url,
  );

  const session = usePreviewSession('revalidation-e2e', {
    context: { deviceScaleFactor: 1 },
    emulator: {
      push: { functionName: PUSH_FUNCTION, token: DEV_PUSH_TOKEN, encodingAESKey: DEV_PUSH_AES_KEY, appid: APP_A.appid },
      templateVariables: { WECHAT_PUSH_TOKEN: DEV_PUSH_TOKEN, WECHAT_PUSH_AES_KEY: DEV_PUSH_AES_KEY, WECHAT_APPID: APP_A.appid },
    },
  });

  beforeAll(() => {
    ({ emulator, page } = session());
    page.on('request', (request) => {
      if (request.url().endsWith('/callFunction/login')) loginCalls.push(request.url());
    });
  });

  async function screenshot(name: string): Promise<void> {
    await saveScreenshot(page.locator('.pv-phone'), `revalidation-${name}.png`);
  }

  async function push(message: Record<string, unknown>): Promise<void> {
    const delivery = await emulator.push({ ...message, OpenID: MING.openid });
    if (delivery.statusCode !== 200 || delivery.body !== 'success') throw new Error(`the push was not taken: ${JSON.stringify(delivery)}`);
  }

  /**
   * Relaunches on `route` with the login function's answer held back: `atFirstRender` runs while the
   * page shows only what the cache gave it (not yet ready: its onReady waits for the answer); then the
   * answer goes through and the page settles.
   */
  async function relaunchHoldingTheAnswer(route: string, atFirstRender: () => Promise<void>): Promise<void> {
    loginCalls.length = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/callFunction/login', async (route) => {
      await held;
      await route.continue();
    });
    try {
      // The open preview at `route` (a change of hash only), then loaded again there: a relaunch.
      await page.goto(`${emulator.url}/preview/${queryForIdentity(MING)}#/${route}`);
      await page.reload();
      await page.locator(`[data-pv-route="${route}"]:not([hidden]):not([data-pv-ready])`).waitFor();
      await atFirstRender();
      release();
      await waitShown(route);
    } finally {
      release();
      await page.unroute('**/callFunction/login');
    }
  }

  it('signs in on 首页 and sets a nickname: the cached session of this device', async () => {
    await launch(MING, HOME);
    await onPage(HOME, '#login-entry').tap();
    await waitShown(LOGIN);
    await onPage(LOGIN, '#agreement-checkbox').tap();
    await onPage(LOGIN, '#login-button').tap();
    await waitShown(HOME);
    const answer = await emulator.callFunction('login', { action: 'updateProfile', nickName: '小明' }, MING);
    expect(answer.error).toBeUndefined();

    // The next launch brings the nickname set "on another device" (the call above).
    loginCalls.length = 0;
    await launch(MING, PROFILE);
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('小明');
    expect(loginCalls).toHaveLength(1);
  });

  it('after WeChat’s revoke of the nickname and avatar (6), the relaunch shows 小明 first, then clears it in place and tells it once', async () => {
    await push({ Event: 'user_authorization_revoke', RevokeInfo: '6' });

    await relaunchHoldingTheAnswer(PROFILE, async () => {
      expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('小明');
      await screenshot('1-cached-first-render');
    });

    const notice = page.locator('#pv-modal').filter({ hasText: '昵称和头像已删除' });
    await notice.waitFor();
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('未设置昵称');
    await onPage(PROFILE, '#profile-avatar #default-avatar').waitFor();
    await screenshot('2-profile-cleared');
    await page.locator('#pv-modal .pv-modal__cancel').tap();
    await page.locator('#pv-modal').waitFor({ state: 'detached' });
    expect(loginCalls).toHaveLength(1);

    // Another relaunch the same day: one revalidation again, and the notice is not told twice.
    loginCalls.length = 0;
    await launch(MING, PROFILE);
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('未设置昵称');
    expect(await page.locator('#pv-modal').count()).toBe(0);
    expect(loginCalls).toHaveLength(1);
  });

  it('after WeChat’s cancellation push (the person deleted their WeChat), the relaunch shows the logged-out state and why, creating no account', async () => {
    await push({ Event: 'user_authorization_cancellation' });
    expect(emulator.database.count('users')).toBe(0);

    await relaunchHoldingTheAnswer(HOME, async () => {
      expect(await onPage(HOME, '#login-entry').count()).toBe(0);
    });

    const notice = page.locator('#pv-modal').filter({ hasText: '已退出登录' });
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain('已注销');
    expect(await onPage(HOME, '#home-nickname').textContent()).toBe('你好，游客');
    await onPage(HOME, '#login-entry').waitFor();
    await screenshot('3-account-gone');
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    await page.locator('#pv-modal').waitFor({ state: 'detached' });
    expect(loginCalls).toHaveLength(1);
    expect(emulator.database.count('users')).toBe(0);

    // Logged out now: the next relaunch asks nothing and says nothing.
    loginCalls.length = 0;
    await launch(MING, HOME);
    expect(loginCalls).toEqual([]);
    expect(await page.locator('#pv-modal').count()).toBe(0);
  });
});
