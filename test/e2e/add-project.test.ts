/**
 * A team's own project, end to end: a copy of the JavaScript cloud quickstart fixture gets
 * `npm run add`, its home page gets the two lines INTEGRATION.md gives for a page, and then the real
 * `npm start -- --project <copy>` (a child process, as a person runs it) serves it. In Chromium the
 * project's own page calls its own function (quickstartFunctions), opens the installed login
 * page, and logs in through the installed login function.
 *
 * The copy lives under .build/ of this repository: quickstartFunctions requires wx-server-sdk,
 * which DevTools would install in the cloud (「云端安装依赖」); from here Node finds this
 * repository's copy. Skipped without /usr/bin/chromium, like preview.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { add, copyFixture, JS_QUICKSTART, KIT_ROOT, removeFixtureCopies } from '../scripts/support/fixture-projects';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { collectPageErrors, describeInBrowser, openBrowser, PREVIEW_CONTEXT, releaseBrowser } from './support/chromium';
import { screenshot } from './support/screenshots';

const [XIAOMING] = PRESET_PEOPLE;
const [APP_A] = PRESET_APPS;
if (!XIAOMING || !APP_A) throw new Error('the preview presets changed');

const HOME = 'pages/index/index';
const LOGIN = 'wx-cloud-login/pages/login/index';

/** What a team writes into its own page, following INTEGRATION.md: one require, currentUser(), a navigateTo. */
function integrateHomePage(root: string): void {
  const script = path.join(root, 'miniprogram/pages/index/index.js');
  const page = readFileSync(script, 'utf8')
    .replace(
      '// pages/index/index.js\n',
      "// pages/index/index.js\nconst { getAuthService } = require('../../wx-cloud-login/composition-root');\n",
    )
    .replace(
      '  onClickPowerInfo(e) {',
      `  onShow() {
    const user = getAuthService().currentUser();
    this.setData({ userId: user ? user.id : '' });
  },

  onLogin() {
    wx.navigateTo({ url: '/wx-cloud-login/pages/login/index?redirect=' + encodeURIComponent('/pages/index/index') });
  },

  onClickPowerInfo(e) {`,
    );
  writeFileSync(script, page);
  const template = path.join(root, 'miniprogram/pages/index/index.wxml');
  writeFileSync(
    template,
    readFileSync(template, 'utf8').replace(
      '  <view class="openid"',
      '  <button id="login-entry" wx:if="{{!userId}}" bindtap="onLogin">登录</button>\n  <view id="user-id" wx:if="{{userId}}">{{userId}}</view>\n  <view class="openid"',
    ),
  );
}

/**
 * `npm start -- --project <root>` without npm's own start-up; resolves with the emulator's URL. The
 * same scripts/start.ts through tsx's CommonJS hook in one process, instead of tsx's command, which
 * starts a second Node with its ESM loader and hooks thread (about half a second of CPU more).
 */
function start(root: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', 'scripts/start.ts', '--project', root, '--memory', '--port', '0', '--no-watch'],
    {
      cwd: KIT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /地址 URL:\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (url && output.includes('Ctrl-C')) resolve({ child, url, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

describeInBrowser('npm start -- --project on an installed JavaScript project (chromium)', () => {
  let root: string;
  let server: Awaited<ReturnType<typeof start>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const { onPage, waitShown, launch } = previewDriver(
    () => page,
    () => server.url,
  );

  beforeAll(async () => {
    // The page is opened while the project is installed and started (child processes): nothing waits for both.
    const opened = openBrowser().then(async (shared) => {
      browser = shared;
      const context = await browser.newContext(PREVIEW_CONTEXT);
      page = collectPageErrors(await context.newPage(), pageErrors);
    });
    try {
      root = copyFixture(JS_QUICKSTART, path.join(KIT_ROOT, '.build', 'e2e-projects'));
      const installed = await add(root);
      if (installed.code !== 0) throw new Error(`npm run add failed:\n${installed.stdout}${installed.stderr}`);
      integrateHomePage(root);
      server = await start(root);
    } finally {
      // Opened before afterAll runs, even when the install failed: afterAll closes it.
      await opened.catch(() => undefined);
    }
    await opened;
  }, 60_000);

  afterAll(async () => {
    await page?.context().close();
    await releaseBrowser(browser);
    if (server?.child.exitCode === null) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    removeFixtureCopies();
  });

  it('serves every function of the project, its own and the installed login', () => {
    expect(server.output()).toMatch(/云函数 Functions:\s+login, quickstartFunctions/);
  });

  it("the project's own page calls its own function, then logs in through the installed login page", async () => {
    const identity = presetIdentity(XIAOMING, APP_A);
    await launch(identity, HOME);

    // exparser prefixes template classes with the page's id (the preview's style isolation).
    await onPage(HOME, '[class~="pages-index-index--power"]').first().tap();
    await expect(onPage(HOME, '[class~="pages-index-index--openid"]').textContent()).resolves.toBe(`openid：${identity.openid}`);

    await onPage(HOME, '#login-entry').tap();
    await waitShown(LOGIN);
    await onPage(LOGIN, '#agreement-checkbox').tap();
    await screenshot(page.locator('.pv-phone'), 'installed-project-login.png');
    await onPage(LOGIN, '#login-button').tap();
    await waitShown(HOME);
    const userId = (await onPage(HOME, '#user-id').textContent()) ?? '';
    expect(userId).toMatch(/^[0-9a-f]{32}$/);
    await screenshot(page, 'installed-project-logged-in.png');

    // The same person again, straight at the function: the account the page showed, second login.
    const again = await fetch(`${server.url}/callFunction/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-wx-openid': identity.openid,
        'x-wx-appid': identity.appid,
        'x-wx-unionid': identity.unionid ?? '',
      },
      body: '{}',
    });
    const answer = (await again.json()) as { result: { ok: boolean; data: { user: { id: string; loginCount: number } } } };
    expect(answer.result.data.user).toMatchObject({ id: userId, loginCount: 2 });
    expect(pageErrors).toEqual([]);
  });
});
