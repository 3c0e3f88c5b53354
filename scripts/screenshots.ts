/**
 * `npm run screenshots`: walks the mini-program in the browser preview (headless Chromium, the
 * 375 px screen of the preview's phone) and saves one picture per page to docs/images/, the ones
 * docs/miniprogram.md shows. Every other state looked at on the way (guest, errors, dialogs, toasts) goes
 * to test-artifacts/screenshots/, for a person to look at after a change to the pages.
 *
 * The emulator runs in memory with the freshly built login function, as in the e2e tests: the
 * pictures show what a person gets, not a mock-up. Options: --only-artifacts (leave docs/images/ alone).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createEmulator } from '@wx-cloud-login/cloudbase-emulator';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE, type PreviewIdentity } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { createPreviewModule } from '@wx-cloud-login/miniprogram-preview/server/preview-module';
import { buildFunctions, projectRoot } from './build';
import { DEV_PUSH_AES_KEY, DEV_PUSH_TOKEN, PUSH_FUNCTION } from './lib/local-push';

const CHROMIUM = process.env['E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
];
const DOCS_DIR = path.join(projectRoot, 'docs/images');
const ARTIFACTS_DIR = path.join(projectRoot, 'test-artifacts/screenshots');

const HOME = 'pages/index/index';
const LOGIN = 'pages/login/index';
const PROFILE = 'pages/profile/index';
const PROFILE_EDIT = 'pages/profile-edit/index';
const SECURITY = 'pages/account-security/index';
const PERSONAL_DATA = 'pages/personal-data/index';
const NOTES = 'pages/notes/index';

async function main(): Promise<void> {
  const onlyArtifacts = process.argv.includes('--only-artifacts');
  const [xiaoming, xiaohong] = PRESET_PEOPLE;
  const [appA] = PRESET_APPS;
  if (!xiaoming || !xiaohong || !appA) throw new Error('the preview presets changed');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk (or set E2E_CHROMIUM)`);

  await buildFunctions();
  mkdirSync(DOCS_DIR, { recursive: true });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'preview-screenshots-'));
  // WeChat's 消息推送 to the wechat-push function, for app A's people: the notices its changes leave.
  const emulator = await createEmulator({
    memory: true,
    modules: [await createPreviewModule({ outDir })],
    push: { functionName: PUSH_FUNCTION, token: DEV_PUSH_TOKEN, encodingAESKey: DEV_PUSH_AES_KEY, appid: appA.appid },
    templateVariables: { WECHAT_PUSH_TOKEN: DEV_PUSH_TOKEN, WECHAT_PUSH_AES_KEY: DEV_PUSH_AES_KEY, WECHAT_APPID: appA.appid },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const context = await browser.newContext({
      hasTouch: true,
      viewport: { width: 1100, height: 960 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      // What a person in China sees (times on the pages are the phone's local time).
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // The one dropped request below is on purpose.
      if (message.type() === 'error' && !message.text().includes('ERR_INTERNET_DISCONNECTED')) errors.push(message.text());
    });

    const driver = previewDriver(
      () => page,
      () => emulator.url,
    );
    const { onPage: on, waitShown } = driver;
    const written: string[] = [];
    /** The phone's screen only (375 px wide), without the preview's frame and side panels. */
    async function shoot(name: string, forDocs = false): Promise<void> {
      const file = forDocs && !onlyArtifacts ? path.join(DOCS_DIR, `${name}.png`) : path.join(ARTIFACTS_DIR, `${name}.png`);
      await page.locator('.pv-screen').screenshot({ path: file });
      written.push(path.relative(projectRoot, file));
    }
    const launch = (identity: PreviewIdentity, route = HOME) => driver.launch(identity, route);
    const back = async (route: string) => {
      await page.locator('.pv-navbar__back').click();
      await waitShown(route);
    };
    const tab = async (route: string) => {
      await page.locator(`.pv-tabbar__item[data-route="${route}"]`).tap();
      await waitShown(route);
    };
    const toastGone = () => page.locator('#pv-toast').waitFor({ state: 'detached' });
    /** Taps a phone-number button and picks a line of the preview's sheet, agreeing to the privacy guide if asked. */
    const phoneSheet = async (route: string, button: string, choice: number) => {
      await on(route, button).tap();
      const agree = on(route, '#privacy-popup-agree');
      const item = page.locator(`.pv-sheet__item[data-index="${choice}"]`);
      await agree.or(item).first().waitFor();
      if (await agree.isVisible()) await agree.tap();
      await item.tap();
    };
    /** The sheet's 使用其他手机号, then the number typed into the preview's modal. */
    const otherNumber = async (route: string, button: string, number: string) => {
      await phoneSheet(route, button, 1);
      await page.locator('#pv-modal .pv-modal__input').fill(number);
      await page.locator('#pv-modal .pv-modal__confirm').tap();
    };

    const identity = presetIdentity(xiaoming, appA);
    await launch(identity);
    await shoot('home-guest');
    await tab(PROFILE);
    await shoot('profile-guest');
    await tab(HOME);

    await on(HOME, '#login-entry').tap();
    await waitShown(LOGIN);
    await on(LOGIN, '#login-button').tap();
    await on(LOGIN, '#agreement-hint').waitFor();
    await shoot('login-agreement-hint');
    await on(LOGIN, '#agreement-checkbox').tap();
    await shoot('login', true);

    await on(LOGIN, '#terms-link').tap();
    await waitShown('pages/agreement/index');
    await shoot('agreement', true);
    await back(LOGIN);
    await on(LOGIN, '#privacy-link').tap();
    await waitShown('pages/agreement/index');
    await shoot('agreement-privacy');
    await back(LOGIN);

    // The network drops the first call: the login page's error state, then a retry.
    await page.route('**/callFunction/login', (route) => route.abort('internetdisconnected'), { times: 1 });
    await on(LOGIN, '#login-button').tap();
    await on(LOGIN, '#login-error').waitFor();
    await shoot('login-error');
    await on(LOGIN, '#login-button').tap();
    await waitShown(HOME);
    await page.locator('#pv-toast').waitFor();
    await shoot('home-new-user-toast');
    await toastGone();
    await shoot('home', true);
    await on(HOME, '#account-button').tap();
    await shoot('home-account-open');

    await tab(PROFILE);
    await shoot('profile-new-user');
    await on(PROFILE, '#edit-profile-entry').tap();
    await waitShown(PROFILE_EDIT);
    await on(PROFILE_EDIT, '#nickname-input input').tap();
    await on(PROFILE_EDIT, '#privacy-popup-agree').tap();
    await on(PROFILE_EDIT, '#nickname-input input').fill('测试违规词');
    await on(PROFILE_EDIT, '#save-nickname').tap();
    await on(PROFILE_EDIT, '#edit-error').waitFor();
    await shoot('profile-edit-nickname-rejected');
    await on(PROFILE_EDIT, '#nickname-input input').fill('小明同学');
    await on(PROFILE_EDIT, '#save-nickname').tap();
    await page.locator('#pv-toast').waitFor();
    await shoot('profile-edit-nickname-saved');
    await toastGone();
    await on(PROFILE_EDIT, '#avatar-button').tap();
    await page.locator('.pv-sheet__item[data-index="0"]').tap();
    await page.locator('#pv-toast').waitFor();
    // A string: this script's tsconfig has no DOM types; it runs in the page.
    await page.waitForFunction(
      `(() => { const image = document.querySelector('[data-pv-route="${PROFILE_EDIT}"]:not([hidden]) #edit-avatar img'); return image !== null && image.complete && image.naturalWidth > 0; })()`,
    );
    await toastGone();
    await shoot('profile-edit', true);
    await back(PROFILE);
    await shoot('profile', true);

    // A note, so that 下载我的信息 below has data of the account to count.
    await tab(HOME);
    await on(HOME, '#notes-entry').tap();
    await waitShown(NOTES);
    await on(NOTES, '#note-input textarea').fill('周末去爬山，记得带水');
    await on(NOTES, '#note-save').tap();
    await on(NOTES, '#note-0').waitFor();
    // Its 已添加 toast must not linger over the pages shot next.
    await toastGone();
    await back(HOME);
    await tab(PROFILE);

    await on(PROFILE, '#account-security-entry').tap();
    await waitShown(SECURITY);
    await on(SECURITY, '#wechat-0').waitFor();
    // WeChat's phone check out of quota (errno 1400001): the page's own words, floating over the top.
    await phoneSheet(SECURITY, '#phone-button', 3);
    await on(SECURITY, '#security-error').waitFor();
    await shoot('account-security-phone-no-quota');
    await on(SECURITY, '#security-error').tap();
    await phoneSheet(SECURITY, '#phone-button', 0);
    await on(SECURITY, '#phone-number').filter({ hasText: '****' }).waitFor();
    await page.locator('#pv-toast').waitFor();
    await shoot('account-security-phone-bound');
    await toastGone();
    // Opened again, as a person comes back to it: the list without the one-time confirmation.
    await back(PROFILE);
    await on(PROFILE, '#account-security-entry').tap();
    await waitShown(SECURITY);
    await on(SECURITY, '#wechat-0').waitFor();
    await shoot('account-security', true);
    await on(SECURITY, '#delete-entry').tap();
    await waitShown('pages/account-delete/index');
    await shoot('account-delete', true);
    await back(SECURITY);
    await on(SECURITY, '#personal-data-entry').tap();
    await waitShown(PERSONAL_DATA);
    await shoot('personal-data-idle');
    await on(PERSONAL_DATA, '#generate-button').tap();
    await on(PERSONAL_DATA, '#export-summary').waitFor();
    await shoot('personal-data', true);
    await on(PERSONAL_DATA, '#copy-button').tap();
    await page.locator('#pv-toast').waitFor();
    await shoot('personal-data-copied');
    await toastGone();
    // Opened again within five minutes: the function's rate limit, as the page words it.
    await back(SECURITY);
    await on(SECURITY, '#personal-data-entry').tap();
    await waitShown(PERSONAL_DATA);
    await on(PERSONAL_DATA, '#generate-button').tap();
    await on(PERSONAL_DATA, '#export-error').waitFor();
    await shoot('personal-data-rate-limited');
    await back(SECURITY);
    await back(PROFILE);

    // 小红 proves 小明's number and links her WeChat into his account: two WeChat rows that read apart.
    const hong = presetIdentity(xiaohong, appA);
    await emulator.callFunction('login', { action: 'login' }, hong);
    await emulator.callFunction('login', { action: 'updateProfile', nickName: '小红' }, hong);
    await launch(hong, SECURITY);
    await on(SECURITY, '#login-button').tap();
    await waitShown(LOGIN);
    await on(LOGIN, '#agreement-checkbox').tap();
    await on(LOGIN, '#login-button').tap();
    await waitShown(SECURITY);
    await on(SECURITY, '#wechat-0').waitFor();
    await toastGone();
    await otherNumber(SECURITY, '#phone-button', xiaoming.phoneNumber);
    await on(SECURITY, '#link-sheet #link-confirm').waitFor();
    await shoot('account-security-link-offer');
    await on(SECURITY, '#link-sheet #link-confirm').tap();
    await page.locator('#pv-toast').waitFor();
    await shoot('account-security-linked-toast');
    await toastGone();
    await on(SECURITY, '#wechat-1').waitFor();
    await shoot('account-security-two-wechats', true);
    // 小明's next launch on this device: its revalidation (after the first frame) tells him of the link.
    await launch(identity, PROFILE);
    await page.locator('#pv-modal').filter({ hasText: '账号安全提醒' }).waitFor();
    await shoot('revalidated-linked-notice');
    await page.locator('#pv-modal .pv-modal__cancel').tap();
    await page.locator('#pv-modal').waitFor({ state: 'detached' });

    await on(PROFILE, '#logout-button').tap();
    await page.locator('#pv-modal').waitFor();
    await shoot('profile-logout-confirm');
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    await on(PROFILE, '#login-button').waitFor();
    await shoot('profile-logged-out-toast');
    // Pages a logged-out person can still reach (a shared link, a relaunch on that page).
    await launch(identity, PROFILE_EDIT);
    await shoot('profile-edit-guest');
    await launch(identity, 'pages/account-delete/index');
    await shoot('account-delete-guest');
    await launch(identity, SECURITY);
    await shoot('account-security-guest');
    await launch(identity, PERSONAL_DATA);
    await shoot('personal-data-guest');

    // 用手机号找回账号 with a number nobody holds: asked before anything is created; 取消 creates nothing.
    await launch(identity, LOGIN);
    await on(LOGIN, '#agreement-checkbox').tap();
    await shoot('login-recovery-entry');
    await otherNumber(LOGIN, '#recovery-entry', '13700137000');
    await page.locator('#pv-modal').filter({ hasText: '没有找到账号' }).waitFor();
    await shoot('login-recovery-no-account', true);
    await page.locator('#pv-modal .pv-modal__cancel').tap();
    await page.locator('#pv-modal').waitFor({ state: 'detached' });
    await shoot('login-recovery-cancelled');

    // What WeChat's pushes changed, told at the person's next login (one state per notice kind).
    const someone = (key: string): PreviewIdentity => ({ openid: `openid-${key}-a`, unionid: `unionid-${key}`, appid: appA.appid });
    const push = async (message: Record<string, unknown>) => {
      const delivery = await emulator.push(message);
      if (delivery.body !== 'success') throw new Error(`the push was not taken: ${JSON.stringify(delivery)}`);
    };
    /** Signs `who` in from 我的 (a launch without a cached session) and shoots the notice dialog that login brought. */
    const noticeAfterLogin = async (who: PreviewIdentity, title: string, name: string) => {
      await launch(who, PROFILE);
      await on(PROFILE, '#login-button').tap();
      await waitShown(LOGIN);
      await on(LOGIN, '#agreement-checkbox').tap();
      await on(LOGIN, '#login-button').tap();
      await waitShown(PROFILE);
      await page.locator('#pv-modal').filter({ hasText: title }).waitFor();
      await toastGone();
      await shoot(name, true);
      await page.locator('#pv-modal .pv-modal__cancel').tap();
      await page.locator('#pv-modal').waitFor({ state: 'detached' });
    };
    const call = (who: PreviewIdentity, data: Record<string, unknown>) => emulator.callFunction('login', data, who);

    const qing = someone('aqing');
    await call(qing, { action: 'login' });
    await call(qing, { action: 'updateProfile', nickName: '阿青' });
    await push({ Event: 'user_authorization_revoke', OpenID: qing.openid, RevokeInfo: '6' });
    await noticeAfterLogin(qing, '昵称和头像已删除', 'notice-profile-cleared');

    const lan = someone('alan');
    await call(lan, { action: 'login' });
    await call(lan, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13700137001') });
    await push({ Event: 'user_authorization_revoke', OpenID: lan.openid, RevokeInfo: '8' });
    await noticeAfterLogin(lan, '手机号已解绑', 'notice-phone-unbound');

    // Two WeChats on one account (the second linked in by the phone number); the first is deleted.
    const [gone, kept] = [someone('old-wechat'), someone('new-wechat')];
    await call(gone, { action: 'login' });
    await call(gone, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13700137002') });
    await call(kept, { action: 'login' });
    const offer = (await call(kept, { action: 'bindPhone', code: emulator.openapi.issuePhoneCode('13700137002') })).result as {
      error?: { details?: { ticket?: string } };
    };
    await call(kept, { action: 'confirmLink', ticket: offer.error?.details?.ticket });
    await push({ Event: 'user_authorization_cancellation', OpenID: gone.openid });
    await noticeAfterLogin(kept, '登录方式已移除', 'notice-wechat-removed');

    // The same day, on a device whose session is cached: the relaunch after a push shows the cached
    // user first, then the launch's revalidation (after the first frame) shows the change in place.
    /** Signs `who` in on 我的 through the pages, so this browser holds their cached session. */
    const signInOnThisDevice = async (who: PreviewIdentity) => {
      await launch(who, PROFILE);
      await on(PROFILE, '#login-button').tap();
      await waitShown(LOGIN);
      await on(LOGIN, '#agreement-checkbox').tap();
      await on(LOGIN, '#login-button').tap();
      await waitShown(PROFILE);
      await toastGone();
    };
    const he = someone('ahe');
    await call(he, { action: 'login' });
    await call(he, { action: 'updateProfile', nickName: '阿禾' });
    await signInOnThisDevice(he);
    await push({ Event: 'user_authorization_revoke', OpenID: he.openid, RevokeInfo: '6' });
    await launch(he, PROFILE);
    await page.locator('#pv-modal').filter({ hasText: '昵称和头像已删除' }).waitFor();
    await shoot('revalidated-profile-cleared');
    await page.locator('#pv-modal .pv-modal__cancel').tap();
    await page.locator('#pv-modal').waitFor({ state: 'detached' });

    const yu = someone('ayu');
    await call(yu, { action: 'login' });
    await call(yu, { action: 'updateProfile', nickName: '阿宇' });
    await signInOnThisDevice(yu);
    await push({ Event: 'user_authorization_cancellation', OpenID: yu.openid });
    await launch(yu, HOME);
    await page.locator('#pv-modal').filter({ hasText: '已退出登录' }).waitFor();
    await shoot('revalidated-account-gone', true);
    await page.locator('#pv-modal .pv-modal__confirm').tap();
    await page.locator('#pv-modal').waitFor({ state: 'detached' });
    await shoot('revalidated-account-gone-after');

    if (errors.length > 0) throw new Error(`the pages reported errors:\n${errors.join('\n')}`);
    process.stdout.write(`${written.join('\n')}\n`);
  } finally {
    await browser.close();
    await emulator.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
