import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage } from '../../support/render-page';
import { hasCachedSession, launchWithCachedUser, relaunch } from '../../support/sessions';
import { aUser } from '../../support/users';

const fake = installFakeWx();
const profilePage = loadPage('pages/profile/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

describe('pages/profile (我的)', () => {
  it("shows the cached user's nickname and a lettered avatar when there is no avatar, without a cloud call before the first render", async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '小明', loginCount: 5 }));

    const page = renderPage(profilePage);

    expect(page.text('#profile-nickname')).toBe('小明');
    expect(page.component.dom?.querySelector('user-avatar')?.textContent).toBe('小');
    expect(page.text('.profile__head')).toContain('加入');
    expect(page.text('.profile__head')).not.toContain('已登录');
    expect(fake.cloudCalls).toHaveLength(0);
  });

  it('shows the avatar image when the user has one', async () => {
    await launchWithCachedUser(fake, aUser({ avatarUrl: 'https://example.com/a.png' }));

    const page = renderPage(profilePage);

    const image = page.component.dom?.querySelector('user-avatar wx-image');
    expect(image).not.toBeNull();
  });

  it('a user without a nickname sees 未设置昵称, not a made-up 微信用户', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '' }));

    const page = renderPage(profilePage);

    expect(page.text('#profile-nickname')).toBe('未设置昵称');
    expect(page.text('#profile-nickname')).not.toContain('微信用户');
  });

  it('a user without a nickname gets the default avatar, not a made-up letter', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '' }));

    const page = renderPage(profilePage);

    expect(page.exists('#profile-avatar >>> #default-avatar')).toBe(true);
    expect(page.component.dom?.querySelector('user-avatar')?.textContent?.trim()).toBe('');
  });

  it('退出登录 asks first; 取消 keeps the person logged in', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
    const page = renderPage(profilePage);
    fake.answerModal(false);

    await page.tap('#logout-button');

    expect(fake.modals).toEqual([
      {
        title: '退出登录',
        content: '退出后将清除本机保存的账号信息，账号和资料仍会保留，下次用微信登录即可恢复。',
        confirmText: '退出登录',
        cancelText: '取消',
      },
    ]);
    expect(page.text('#profile-nickname')).toBe('小明');
    expect(hasCachedSession(fake)).toBe(true);
    expect(fake.toasts).toEqual([]);
  });

  it('退出登录, confirmed, clears the user from the page and from storage, also for the next launch, and says so', async () => {
    await launchWithCachedUser(fake, aUser());
    const page = renderPage(profilePage);
    fake.answerModal(true);

    await page.tap('#logout-button');

    expect(fake.toasts).toEqual(['已退出登录']);
    expect(fake.toastIcons).toEqual(['success']);
    expect(page.text('#profile-nickname')).toBe('未登录');
    expect(page.exists('#profile-avatar >>> #default-avatar')).toBe(true);
    expect(page.exists('#logout-button')).toBe(false);
    expect(hasCachedSession(fake)).toBe(false);
    relaunch(fake);
    expect(getAuthService().currentUser()).toBeNull();
  });

  it('logged in, 编辑资料 and 账号与安全 open their pages', async () => {
    await launchWithCachedUser(fake, aUser());
    const page = renderPage(profilePage);

    await page.tap('#edit-profile-entry');
    await page.tap('#account-security-entry');

    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: '/pages/profile-edit/index' },
      { api: 'navigateTo', url: '/pages/account-security/index' },
    ]);
  });

  it('back from 编辑资料, shows the nickname saved there', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
    const page = renderPage(profilePage);

    getAuthService().saveUser(aUser({ nickName: '云朵' }));
    page.onShow();

    expect(page.text('#profile-nickname')).toBe('云朵');
  });

  it('logged out, offers 微信登录 (the button and the head row) that returns here', async () => {
    const page = renderPage(profilePage);

    await page.tap('#login-button');
    await page.tap('#profile-head');

    const toLogin = { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/profile/index')}` };
    expect(fake.navigations).toEqual([toLogin, toLogin]);
  });

  it('logged in, the head row opens 编辑资料', async () => {
    await launchWithCachedUser(fake, aUser());
    const page = renderPage(profilePage);

    await page.tap('#profile-head');

    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/profile-edit/index' }]);
  });

  it('after a login answering that someone linked a WeChat in by phone, tells the holder once and offers 账号与安全', async () => {
    const at = new Date(2026, 0, 2, 8, 30).getTime();
    fake.answerCloud(() => ({ ok: true, data: { user: aUser(), isNewUser: false, notices: [{ kind: 'linked-by-phone', at }] } }));
    await getAuthService().login();
    fake.answerModal(true);

    const page = renderPage(profilePage);
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(fake.modals).toEqual([
      expect.objectContaining({
        title: '账号安全提醒',
        content: expect.stringContaining('你的账号于 2026-01-02 08:30 通过手机号关联了新的微信'),
      }),
    ]);
    expect(fake.navigations).toEqual([{ api: 'navigateTo', url: '/pages/account-security/index' }]);
    page.onShow();
    expect(fake.modals).toHaveLength(1);
  });

  describe.each([
    {
      kind: 'profile-cleared-by-wechat' as const,
      user: aUser({ nickName: '', avatarUrl: '' }),
      title: '昵称和头像已删除',
      content: '我们已删除你的昵称和头像',
      opens: '/pages/profile-edit/index',
    },
    {
      kind: 'phone-unbound-by-wechat' as const,
      user: aUser({ hasPhone: false }),
      title: '手机号已解绑',
      content: '你在微信里撤回了手机号授权，我们已解除绑定并删除了这个号码',
      opens: '/pages/account-security/index',
    },
    {
      kind: 'wechat-removed' as const,
      user: aUser(),
      title: '登录方式已移除',
      content: '你的账号关联的一个微信已被注销，它已从登录方式中移除',
      opens: '/pages/account-security/index',
    },
  ])('after a login answering $kind (what a WeChat push changed)', ({ kind, user, title, content, opens }) => {
    beforeEach(async () => {
      fake.answerCloud(() => ({ ok: true, data: { user, isNewUser: false, notices: [{ kind, at: Date.now() }] } }));
      await getAuthService().login();
    });

    it('tells the person once, and the confirm button opens the page to act on it', async () => {
      fake.answerModal(true);

      const page = renderPage(profilePage);
      await new Promise((resolve) => setTimeout(resolve, 0));

      expect(fake.modals).toEqual([expect.objectContaining({ title, content: expect.stringContaining(content), cancelText: '知道了' })]);
      expect(fake.navigations).toEqual([{ api: 'navigateTo', url: opens }]);
      page.onShow();
      expect(fake.modals).toHaveLength(1);
    });

    it('知道了 only closes the dialog', async () => {
      fake.answerModal(false);

      renderPage(profilePage);
      await new Promise((resolve) => setTimeout(resolve, 0));

      expect(fake.modals).toHaveLength(1);
      expect(fake.navigations).toEqual([]);
    });
  });

  it('given several kinds in one answer, shows one dialog after another, each once', async () => {
    const at = Date.now();
    fake.answerCloud(() => ({
      ok: true,
      data: {
        user: aUser({ avatarUrl: 'https://example.com/a.png', nickName: '' }),
        isNewUser: false,
        notices: [
          { kind: 'profile-cleared-by-wechat', at },
          { kind: 'phone-unbound-by-wechat', at },
        ],
      },
    }));
    await getAuthService().login();
    fake.answerModal(false);

    renderPage(profilePage);
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(fake.modals.map((modal) => modal.title)).toEqual(['手机号已解绑', '昵称已删除']);
  });
});
