import { setAuthService } from '../../../../miniprogram/composition-root';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage } from '../../support/render-page';
import { ageCachedSession, hasCachedSession, launchWithCachedUser } from '../../support/sessions';
import { aUser, failureAnswer, loginAnswer } from '../../support/users';

const fake = installFakeWx();
const homePage = loadPage('pages/index/index');
const loginPage = loadPage('pages/login/index');
const DAY = 24 * 60 * 60 * 1000;

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

/** The query a navigateTo url carries, as WeChat hands it to onLoad (values still encoded). */
function queryOf(url: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const pair of (url.split('?')[1] ?? '').split('&')) {
    const [key, value] = pair.split('=');
    if (key) query[key] = value ?? '';
  }
  return query;
}

describe('pages/index (首页)', () => {
  it('logged out, renders the public content and a 微信登录 entry, and calls nothing', async () => {
    const page = renderPage(homePage);
    await page.onReady();

    expect(page.text('#home-nickname')).toBe('你好，游客');
    expect(page.text('#home-greeting-text')).toBe('登录后可保存你的资料');
    expect(page.exists('#home-avatar >>> #default-avatar')).toBe(true);
    expect(page.text('#login-entry')).toBe('微信登录');
    expect(page.text('#account-button')).toBe('登录后查看');
    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('shows the cached user on the first render with no cloud call, then revalidates it exactly once after that render', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '缓存里的我' }));

    const page = renderPage(homePage);
    expect(page.text('#home-nickname')).toBe('缓存里的我');
    expect(fake.cloudCalls).toHaveLength(0);

    await page.onReady();
    page.onShow();
    await page.onReady();
    expect(fake.cloudCalls).toEqual([{ name: 'login', data: { action: 'login', existingOnly: true } }]);
    expect(page.text('#home-nickname')).toBe('缓存里的我');
  });

  it('given the nickname and avatar were cleared elsewhere within the day, the revalidation after the first render shows them cleared in place', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '一小时前的昵称', avatarUrl: 'https://example.com/a.png' }));
    ageCachedSession(fake, 60 * 60 * 1000);
    fake.answerCloud(() => loginAnswer(aUser({ nickName: '', avatarUrl: '' })));

    const page = renderPage(homePage);
    expect(page.text('#home-nickname')).toBe('一小时前的昵称');

    await page.onReady();
    expect(page.text('#greeting')).not.toContain('一小时前的昵称');
    expect(page.exists('#home-avatar >>> #default-avatar')).toBe(true);
    expect(fake.cloudCalls).toHaveLength(1);
  });

  it('given the account is gone (注销 on another device, the cancellation push), the revalidation shows the logged-out state and says why, once', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '已注销的我' }));
    fake.answerCloud(() => failureAnswer('USER_NOT_FOUND'));

    const page = renderPage(homePage);
    expect(page.text('#home-nickname')).toBe('已注销的我');
    await page.onReady();

    expect(page.text('#home-nickname')).toBe('你好，游客');
    expect(page.text('#login-entry')).toBe('微信登录');
    expect(fake.modals).toEqual([expect.objectContaining({ title: '已退出登录', confirmText: '知道了', showCancel: false })]);
    expect(fake.modals[0]?.content).toContain('已注销');
    expect(hasCachedSession(fake)).toBe(false);
    expect(fake.cloudCalls).toHaveLength(1);
    page.onShow();
    await page.onReady();
    expect(fake.modals).toHaveLength(1);
  });

  it('with a cache older than a day, renders it first and refreshes it after the first render', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '昨天的昵称' }));
    ageCachedSession(fake, DAY + 1);
    fake.answerCloud(() => loginAnswer(aUser({ nickName: '今天的昵称' })));

    const page = renderPage(homePage);
    expect(page.text('#home-nickname')).toBe('昨天的昵称');
    expect(fake.cloudCalls).toHaveLength(0);

    await page.onReady();
    expect(fake.cloudCalls).toHaveLength(1);
    expect(page.text('#home-nickname')).toBe('今天的昵称');
  });

  it('the protected action, logged out, sends the person to log in and back here', async () => {
    const page = renderPage(homePage);

    await page.tap('#account-button');

    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/index/index')}` },
    ]);
    expect(page.exists('#account-details')).toBe(false);
  });

  it('tap 我的账号 → log in → back home: the nickname from the function response is shown and the account opens', async () => {
    fake.answerCloud(() => loginAnswer(aUser({ nickName: '新朋友', loginCount: 1 }), true));
    const home = renderPage(homePage);
    await home.tap('#account-button');
    const [toLogin] = fake.navigations;
    if (toLogin?.api !== 'navigateTo') throw new Error('expected navigateTo the login page');

    const login = renderPage(loginPage, queryOf(toLogin.url));
    await login.tap('#agreement-checkbox');
    await login.tap('#login-button');
    expect(fake.navigations[1]).toEqual({ api: 'navigateBack', delta: 1 });
    home.onShow();

    expect(home.text('#home-nickname')).toBe('新朋友');
    expect(home.text('#home-greeting-text')).toBe('欢迎使用');
    expect(fake.toasts).toEqual(['登录成功']);
    expect(home.text('#account-details')).toContain('注册日期');
    // How often the person signed in is the function's bookkeeping, not something to show them.
    expect(home.text('#account-details')).not.toContain('次');
    expect(fake.cloudCalls).toHaveLength(1);
  });

  it('a first-session account without a nickname is greeted 你好 (never 欢迎加入 on a relaunch) with the default avatar and offered 去设置', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '', loginCount: 1 }));
    const page = renderPage(homePage);

    expect(page.text('#home-nickname')).toBe('你好');
    expect(page.text('#greeting')).not.toContain('欢迎加入');
    expect(page.text('#greeting')).not.toContain('欢迎回来');
    expect(page.exists('#home-avatar >>> #default-avatar')).toBe(true);
    await page.tap('#edit-profile-entry');

    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/profile-edit/index' }]);
  });

  it('a returning user with a nickname is welcomed back by name, with the letter avatar and no 去设置', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '小明', loginCount: 5 }));
    const page = renderPage(homePage);

    expect(page.text('#home-nickname')).toBe('小明');
    expect(page.text('#home-greeting-text')).toBe('欢迎回来');
    expect(page.text('#home-avatar')).toBe('小');
    expect(page.exists('#edit-profile-entry')).toBe(false);
    expect(page.exists('#login-entry')).toBe(false);
  });

  it('我的笔记, logged out: through the login page first, then the notes open by themselves', async () => {
    fake.answerCloud(() => loginAnswer(aUser(), true));
    const home = renderPage(homePage);
    await home.tap('#notes-entry');
    const [toLogin] = fake.navigations;
    if (toLogin?.api !== 'navigateTo') throw new Error('expected navigateTo the login page');
    expect(toLogin.url).toBe(`/pages/login/index?redirect=${encodeURIComponent('/pages/index/index')}`);

    const login = renderPage(loginPage, queryOf(toLogin.url));
    await login.tap('#agreement-checkbox');
    await login.tap('#login-button');
    home.onShow();

    expect(fake.navigations.slice(1)).toEqual([
      { api: 'navigateBack', delta: 1 },
      { api: 'navigateTo', url: '/pages/notes/index' },
    ]);
  });

  it('我的笔记, logged in: opens the notes without a cloud call', async () => {
    await launchWithCachedUser(fake, aUser());
    const page = renderPage(homePage);
    await page.tap('#notes-entry');
    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/notes/index' }]);
    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('logged in, the protected action opens and closes the account card without a cloud call', async () => {
    await launchWithCachedUser(fake, aUser({ loginCount: 12 }));
    const page = renderPage(homePage);

    await page.tap('#account-button');
    expect(page.text('#account-details')).toContain('最近登录');
    expect(page.text('#account-button')).toBe('收起');

    await page.tap('#account-button');
    expect(page.exists('#account-details')).toBe(false);
    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('given a launch within the day whose revalidation answers that WeChat removed the nickname, tells the person on the home page once', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
    const cleared = aUser({ nickName: '' });
    fake.answerCloud(() => ({
      ok: true,
      data: { user: cleared, isNewUser: false, notices: [{ kind: 'profile-cleared-by-wechat', at: Date.now() }] },
    }));
    fake.answerModal(true);

    const page = renderPage(homePage);
    await page.onReady();
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(fake.modals).toEqual([expect.objectContaining({ title: '昵称和头像已删除', confirmText: '去设置' })]);
    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/profile-edit/index' }]);
    page.onShow();
    expect(fake.modals).toHaveLength(1);
  });
});
