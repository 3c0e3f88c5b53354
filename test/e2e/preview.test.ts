/**
 * The real mini-program in a real browser against the local emulator: Debian's chromium driven by
 * playwright-core, the pages of miniprogram/ served by the preview module at /preview/, the built
 * login cloud function run by the emulator through the unmodified wx-server-sdk.
 *
 * One browser and one emulator for the file; the tests are one story and run in order (a login,
 * then a reload of that login, then other people...). Taps are touch taps (a touch-enabled
 * context): that is how exparser makes `bindtap` fire. With E2E_SCREENSHOTS=1
 * its pictures go to test-artifacts/e2e/ (support/screenshots.ts).
 *
 * Without /usr/bin/chromium (E2E_CHROMIUM to use another) the file is skipped with a message;
 * with E2E_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails instead.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE, type PreviewIdentity } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { storagePrefix } from '@wx-cloud-login/miniprogram-preview/runtime/wx/storage';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { describeInBrowser, usePreviewSession } from './support/chromium';
import { screenshot as saveScreenshot } from './support/screenshots';

/** E2E_DOCS_SCREENSHOT=1 refreshes the README's picture of the login page. */
const DOCS_IMAGE = path.resolve(__dirname, '../../docs/images/preview-login.png');

const [XIAOMING, XIAOHONG] = PRESET_PEOPLE;
const [APP_A, APP_B] = PRESET_APPS;
if (!XIAOMING || !XIAOHONG || !APP_A || !APP_B) throw new Error('the preview presets changed: two people and two apps expected');

const HOME = 'pages/index/index';
const LOGIN = 'pages/login/index';
const PROFILE = 'pages/profile/index';
const PROFILE_EDIT = 'pages/profile-edit/index';
const SECURITY = 'pages/account-security/index';

describeInBrowser('browser preview of the mini-program (chromium)', () => {
  let emulator: Emulator;
  let page: Page;
  /** URLs of every wx.cloud.callFunction the page sent, in order. */
  const cloudCalls: string[] = [];
  /** Uncaught errors and console.error output of the page: none expected. */
  let shot = 0;

  const driver = previewDriver(
    () => page,
    () => emulator.url,
  );
  const { onPage, waitShown } = driver;

  async function screenshot(name: string): Promise<void> {
    shot += 1;
    await saveScreenshot(page, `${String(shot).padStart(2, '0')}-${name}.png`);
  }

  /** Opens the preview as `identity` and waits until the first page ran onReady. */
  const launch = (identity: PreviewIdentity, route = HOME) => driver.launch(identity, route);

  /** 首页 → 微信登录 → tick the agreement → 微信登录, and back on 首页. */
  async function logInFromHome(options: { screenshots?: boolean } = {}): Promise<void> {
    await onPage(HOME, '#login-entry').tap();
    await waitShown(LOGIN);
    await onPage(LOGIN, '#agreement-checkbox').tap();
    await onPage(LOGIN, '#agreement-checkbox[class*="login__checkbox--checked"]').waitFor();
    if (options.screenshots) {
      await screenshot('login-agreement-ticked');
      if (process.env['E2E_DOCS_SCREENSHOT'] === '1') {
        mkdirSync(path.dirname(DOCS_IMAGE), { recursive: true });
        await page.locator('.pv-phone').screenshot({ path: DOCS_IMAGE });
      }
    }
    await onPage(LOGIN, '#login-button').tap();
    await waitShown(HOME);
    await onPage(HOME, '#home-nickname').waitFor();
  }

  function usersInEmulator(): Record<string, unknown>[] {
    return emulator.database.documents('users');
  }

  function userIdOfIdentity(key: string): unknown {
    return emulator.database.documents('identities').find((identity) => identity['_id'] === key)?.['userId'];
  }

  // A fresh profile per launch (playwright makes a temporary user-data-dir) and touch input.
  const session = usePreviewSession('preview-e2e', { context: { deviceScaleFactor: 1 } });

  beforeAll(() => {
    ({ emulator, page } = session());
    page.on('request', (request) => {
      if (request.url().includes('/callFunction/')) cloudCalls.push(request.url());
    });
  });

  it('logs in with 微信登录 after ticking the agreement: the emulator creates the user and the page shows it', async () => {
    await launch(presetIdentity(XIAOMING, APP_A));
    await expect(onPage(HOME, '#greeting').textContent()).resolves.toContain('你好，游客');
    await screenshot('home-guest');

    await onPage(HOME, '#login-entry').tap();
    await waitShown(LOGIN);
    // Unticked, the button only points at the agreement: no request.
    await onPage(LOGIN, '#login-button').tap();
    await onPage(LOGIN, '#agreement-hint').waitFor();
    expect(cloudCalls).toHaveLength(0);
    await page.locator('.pv-navbar__back').click();
    await waitShown(HOME);

    await logInFromHome({ screenshots: true });
    // A brand-new account: greeted, not welcomed back, with the default avatar and 登录成功.
    await expect(page.locator('#pv-toast').textContent()).resolves.toContain('登录成功');
    expect(await onPage(HOME, '#home-nickname').textContent()).toBe('你好');
    await onPage(HOME, '#home-avatar #default-avatar').waitFor();
    await expectAtRowEnd(onPage(HOME, '#edit-profile-entry'));
    await expectAtRowEnd(onPage(HOME, '#account-button'));
    await onPage(HOME, '#account-button').tap();
    await expect(onPage(HOME, '#account-details').textContent()).resolves.toContain('注册日期');
    await screenshot('home-logged-in');

    expect(cloudCalls).toEqual([`${emulator.url}/callFunction/login`]);
    expect(usersInEmulator()).toHaveLength(1);
    expect(userIdOfIdentity(`wx-unionid:${XIAOMING.unionid}`)).toBe(usersInEmulator()[0]?.['_id']);
  });

  it('reload: the user is shown from the local cache before any cloud call, then revalidated once after the first render', async () => {
    cloudCalls.length = 0;
    // The revalidation is held in flight: the page must render the cached user without its answer.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/callFunction/login', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.reload();
      // Shown (not yet ready: onReady waits for the held revalidation), from the cache alone.
      const nickname = page.locator(`[data-pv-route="${HOME}"]:not([hidden]):not([data-pv-ready]) #home-nickname`);
      await nickname.waitFor();
      // A relaunch is not a first visit: never 欢迎加入 again.
      expect(await nickname.textContent()).toBe('你好');
      expect(await onPage(HOME, '#login-entry').count()).toBe(0);
      release();
      await waitShown(HOME);
    } finally {
      release();
      await page.unroute('**/callFunction/login');
    }
    expect(cloudCalls).toEqual([`${emulator.url}/callFunction/login`]);
    // The revalidation is this launch's login: the person is now greeted as one who came back.
    expect(await onPage(HOME, '#home-nickname').textContent()).toBe('欢迎回来');
  });

  it('another person (picked in the bar) gets another account', async () => {
    await Promise.all([page.waitForURL(/openid=openid-xiaohong-a/), page.selectOption('#pv-person', XIAOHONG.key)]);
    await waitShown(HOME);
    await expect(onPage(HOME, '#greeting').textContent()).resolves.toContain('你好，游客');

    await logInFromHome();
    expect(usersInEmulator()).toHaveLength(2);
    const xiaoming = userIdOfIdentity(`wx-unionid:${XIAOMING.unionid}`);
    const xiaohong = userIdOfIdentity(`wx-unionid:${XIAOHONG.unionid}`);
    expect(xiaohong).toEqual(expect.any(String));
    expect(xiaohong).not.toBe(xiaoming);
    await screenshot('second-person');
  });

  it('the same unionid in a second mini-program signs in to the same account', async () => {
    await launch(presetIdentity(XIAOMING, APP_B));
    // Another app on the same phone: its own storage, so nobody is logged in yet.
    await expect(onPage(HOME, '#greeting').textContent()).resolves.toContain('你好，游客');

    await logInFromHome();
    expect(usersInEmulator()).toHaveLength(2);
    const accountOfAppB = userIdOfIdentity(`wx-openid:${APP_B.appid}:openid-xiaoming-b`);
    expect(accountOfAppB).toBe(userIdOfIdentity(`wx-unionid:${XIAOMING.unionid}`));
    expect(await onPage(HOME, '#home-nickname').textContent()).toBe('欢迎回来');
    await onPage(HOME, '#account-button').tap();
    await expect(onPage(HOME, '#account-details').textContent()).resolves.toContain('最近登录');
    await screenshot('same-person-app-b');
  });

  it('edits the nickname on 编辑资料, after agreeing to the privacy guide', async () => {
    await onPageTab(PROFILE);
    await onPage(PROFILE, '#edit-profile-entry').tap();
    await waitShown(PROFILE_EDIT);

    // <input type="nickname"> is a privacy API: the first focus asks through the privacy popup.
    await onPage(PROFILE_EDIT, '#nickname-input input').tap();
    await onPage(PROFILE_EDIT, '#privacy-popup-agree').tap();
    // Consent given, WeChat offers the WeChat nickname above the keyboard.
    await page.locator('#pv-nickname-offer').waitFor();
    // Refused by the content check: the reason shows and the typed nickname stays to be edited.
    await onPage(PROFILE_EDIT, '#nickname-input input').fill('测试违规词');
    await onPage(PROFILE_EDIT, '#save-nickname').tap();
    await onPage(PROFILE_EDIT, '#edit-error').filter({ hasText: '昵称未通过内容安全检查' }).waitFor();
    await expect(onPage(PROFILE_EDIT, '#nickname-input input').inputValue()).resolves.toBe('测试违规词');
    await screenshot('nickname-refused');
    await onPage(PROFILE_EDIT, '#nickname-input input').fill('小明同学');
    await onPage(PROFILE_EDIT, '#save-nickname').tap();
    await page.locator('#pv-toast').filter({ hasText: '昵称已保存' }).waitFor();
    expect(await onPage(PROFILE_EDIT, '#edit-error').count()).toBe(0);
    await screenshot('nickname-saved');

    const userId = userIdOfIdentity(`wx-unionid:${XIAOMING.unionid}`);
    expect(usersInEmulator().find((user) => user['_id'] === userId)?.['nickName']).toBe('小明同学');
    await page.locator('.pv-navbar__back').click();
    await waitShown(PROFILE);
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('小明同学');
  });

  it('sets the avatar with chooseAvatar: the image is uploaded to emulator storage and shown', async () => {
    await onPage(PROFILE, '#edit-profile-entry').tap();
    await waitShown(PROFILE_EDIT);
    await onPage(PROFILE_EDIT, '#avatar-button').tap();
    // The preview's stand-in for WeChat's avatar sheet: 用微信头像 is a generated picture.
    await page.locator('.pv-sheet__item[data-index="0"]').tap();
    await page.locator('#pv-toast').filter({ hasText: '头像已更新' }).waitFor();

    const files = emulator.storage.list();
    expect(files).toHaveLength(1);
    expect(files[0]?.contentType).toBe('image/png');
    const avatar = onPage(PROFILE_EDIT, '#edit-avatar img');
    await expect(avatar.getAttribute('src')).resolves.toContain(`${emulator.url}/storage/files/`);
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('[data-pv-route="pages/profile-edit/index"]:not([hidden]) #edit-avatar img');
      return image?.complete && image.naturalWidth === 256;
    });
    await screenshot('avatar-set');
    await page.locator('.pv-navbar__back').click();
    await waitShown(PROFILE);
  });

  it("a mini button of a row ends the row on every page (app.wxss), 账号与安全's included", async () => {
    await onPage(PROFILE, '#account-security-entry').tap();
    await waitShown(SECURITY);
    await expectAtRowEnd(onPage(SECURITY, '#phone-button'));
    await page.locator('.pv-navbar__back').click();
    await waitShown(PROFILE);
  });

  it('logs out on 我的 after confirming: the cache is cleared and a relaunch stays logged out', async () => {
    const identity = presetIdentity(XIAOMING, APP_B);
    await launch(identity, PROFILE);
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('小明同学');

    await onPage(PROFILE, '#logout-button').tap();
    await expect(page.locator('#pv-modal').textContent()).resolves.toContain('退出后将清除本机保存的账号信息');
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    await onPage(PROFILE, '#login-button').waitFor();
    await page.locator('#pv-toast').filter({ hasText: '已退出登录' }).waitFor();
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('未登录');
    await onPage(PROFILE, '#profile-avatar #default-avatar').waitFor();
    await screenshot('logged-out');
    const prefix = storagePrefix(identity);
    const sessionKeys = await page.evaluate(
      (start) => Object.keys(localStorage).filter((key) => key.startsWith(start) && key.includes('session')),
      prefix,
    );
    expect(sessionKeys).toEqual([]);

    cloudCalls.length = 0;
    await page.reload();
    await waitShown(PROFILE);
    expect(await onPage(PROFILE, '#profile-nickname').textContent()).toBe('未登录');
    expect(cloudCalls).toEqual([]);
  });

  /**
   * WeChat centres a button with auto side margins; in a row that floated it mid-row. A button
   * in a row must end where the row's content ends (app.wxss).
   */
  async function expectAtRowEnd(button: ReturnType<Page['locator']>): Promise<void> {
    const [buttonBox, rowBox] = await Promise.all([
      button.boundingBox(),
      button.locator('xpath=..').evaluate((row) => {
        const box = row.getBoundingClientRect();
        return { right: box.right - Number.parseFloat(getComputedStyle(row).paddingRight) };
      }),
    ]);
    expect(Math.abs((buttonBox?.x ?? 0) + (buttonBox?.width ?? 0) - rowBox.right)).toBeLessThan(1.5);
  }

  /** Taps a tab of the tab bar and waits for its page. */
  async function onPageTab(route: string): Promise<void> {
    await page.locator(`.pv-tabbar__item[data-route="${route}"]`).tap();
    await waitShown(route);
  }
});
