import { setAuthService } from '../../../../miniprogram/composition-root';
import { deferred } from '../../support/fake-cloud';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, settle } from '../../support/render-page';
import { hasCachedSession } from '../../support/sessions';
import { aUser, failureAnswer, loginAnswer } from '../../support/users';

const fake = installFakeWx();
const loginPage = loadPage('pages/login/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

function openLogin(query: Record<string, string> = { redirect: encodeURIComponent('/pages/index/index') }) {
  return renderPage(loginPage, query);
}

describe('pages/login', () => {
  it('renders 微信登录 with the agreement unticked and the button inactive', () => {
    const page = openLogin();

    expect(page.text('#login-title')).toBe('微信云登录');
    expect(page.text('#login-logo')).toBe('云'); // config.ts BRAND, which npm run add --app-name rewrites
    expect(page.text('#login-button')).toBe('微信登录');
    expect(page.classes('#agreement-checkbox')).not.toContain('checked');
    expect(page.classes('#login-button')).toContain('inactive');
    expect(page.exists('#login-error')).toBe(false);
  });

  it('tapping 微信登录 without the agreement ticked calls nothing and points at the agreement', async () => {
    const page = openLogin();

    await page.tap('#login-button');

    expect(fake.cloudCalls).toHaveLength(0);
    expect(page.text('#agreement-hint')).toContain('请先阅读并勾选同意');
    expect(fake.navigations).toEqual([]);
  });

  it('with the agreement ticked, tapping 微信登录 shows loading, ignores a second tap, then welcomes the user by the nickname the function returned', async () => {
    const answer = deferred<unknown>();
    fake.answerCloud(() => answer.promise);
    const page = openLogin();

    await page.tap('#agreement-checkbox');
    expect(page.classes('#agreement-checkbox')).toContain('checked');
    expect(page.classes('#login-button')).not.toContain('inactive');
    await page.tap('#login-button');

    expect(page.text('#login-button')).toBe('登录中…');
    await page.tap('#login-button');
    expect(fake.cloudCalls).toEqual([{ name: 'login', data: { action: 'login' } }]);

    answer.resolve(loginAnswer(aUser({ nickName: '云朵' })));
    await settle();

    expect(page.text('#login-welcome')).toBe('欢迎，云朵');
    expect(fake.toasts).toEqual(['登录成功']);
    expect(fake.toastIcons).toEqual(['success']);
    expect(hasCachedSession(fake)).toBe(true);
    expect(fake.navigations).toEqual([{ api: 'navigateBack', delta: 1 }]);
  });

  it.each([
    [true, '欢迎加入'],
    [false, '欢迎回来'],
  ])(
    'a login without a nickname (isNewUser %s) is welcomed with %s and the default avatar, never a 我 letter',
    async (isNewUser, welcome) => {
      fake.answerCloud(() => ({ ok: true, data: { user: aUser({ nickName: '' }), isNewUser } }));
      const page = openLogin();

      await page.tap('#agreement-checkbox');
      await page.tap('#login-button');

      expect(page.text('#login-welcome')).toBe(welcome);
      expect(page.exists('#login-avatar >>> #default-avatar')).toBe(true);
      expect(fake.toasts).toEqual(['登录成功']);
    },
  );

  it('unticking the agreement again blocks login', async () => {
    const page = openLogin();

    await page.tap('#agreement-checkbox');
    await page.tap('#agreement-checkbox');
    await page.tap('#login-button');

    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('on a network failure shows the Chinese message, and the one button then reads 重新登录 and logs in', async () => {
    fake.answerCloud(() => {
      throw { errMsg: 'cloud.callFunction:fail Error: errCode: -1 | errMsg: request:fail' };
    });
    const page = openLogin();
    await page.tap('#agreement-checkbox');
    await page.tap('#login-button');

    expect(page.text('#login-error')).toBe('网络连接失败，请检查网络后重试');
    expect(page.text('#login-button')).toBe('重新登录');
    expect(page.exists('#retry-button')).toBe(false);
    expect(fake.toasts).toEqual([]);
    expect(fake.navigations).toEqual([]);

    fake.answerCloud(() => loginAnswer(aUser({ nickName: '重试成功' })));
    await page.tap('#login-button');

    expect(page.exists('#login-error')).toBe(false);
    expect(page.text('#login-welcome')).toBe('欢迎，重试成功');
    expect(fake.cloudCalls).toHaveLength(2);
  });

  it.each([
    ['USER_BANNED', failureAnswer('USER_BANNED'), '该账号已被停用'],
    ['INTERNAL', failureAnswer('INTERNAL'), '服务暂时不可用'],
    ['a malformed answer', { ok: true, data: { user: null } }, '服务返回的数据无法识别'],
  ])('shows the message for %s', async (_label, answer, message) => {
    fake.answerCloud(() => answer);
    const page = openLogin();
    await page.tap('#agreement-checkbox');
    await page.tap('#login-button');

    expect(page.text('#login-error')).toContain(message);
    expect(hasCachedSession(fake)).toBe(false);
  });

  it('opened as the first page, goes to the tab page it was asked to return to', async () => {
    fake.setPageStackDepth(1);
    fake.answerCloud(() => loginAnswer());
    const page = openLogin({ redirect: encodeURIComponent('/pages/profile/index') });

    await page.tap('#agreement-checkbox');
    await page.tap('#login-button');

    expect(fake.navigations).toEqual([{ api: 'switchTab', url: '/pages/profile/index' }]);
  });

  it('opened as the first page with a redirect that is not ours, goes home', async () => {
    fake.setPageStackDepth(1);
    fake.answerCloud(() => loginAnswer());
    const page = openLogin({ redirect: encodeURIComponent('https://example.com/') });

    await page.tap('#agreement-checkbox');
    await page.tap('#login-button');

    expect(fake.navigations).toEqual([{ api: 'switchTab', url: '/pages/index/index' }]);
  });

  it('links to the 用户协议 and 隐私政策 pages', async () => {
    const page = openLogin();

    await page.tap('#terms-link');
    await page.tap('#privacy-link');

    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: '/pages/agreement/index?type=terms' },
      { api: 'navigateTo', url: '/pages/agreement/index?type=privacy' },
    ]);
  });
});
