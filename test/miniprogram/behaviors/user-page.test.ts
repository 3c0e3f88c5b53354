import { setAuthService } from '../../../miniprogram/composition-root';
import { installFakeWx } from '../support/fake-wx';
import { loadPage, renderPage } from '../support/render-page';
import { ageCachedSession, launchWithCachedUser } from '../support/sessions';
import { aUser, loginAnswer } from '../support/users';

/**
 * The userPage behavior as the pages that use it show it (我的 here): when the session ended or
 * changed account without the person asking, the next page shown says so, once.
 */

const fake = installFakeWx();
const profilePage = loadPage('pages/profile/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

describe('behaviors/user-page', () => {
  it('given a background refresh that lands in a new account (this WeChat was unlinked elsewhere), says so once and shows only the new account', async () => {
    await launchWithCachedUser(fake, aUser({ id: 'old-account', nickName: '原账号' }));
    ageCachedSession(fake, 2 * 24 * 60 * 60 * 1000);
    fake.answerCloud(() => loginAnswer(aUser({ id: 'new-account', nickName: '' }), true));

    const page = renderPage(profilePage);
    await page.onReady();

    expect(fake.modals).toEqual([
      {
        title: '已进入新账号',
        content:
          '这个微信已不能登录原来的账号，本次登录为你创建了一个新的空账号。原账号绑定过手机号的，可在登录页点「换了微信？用手机号找回账号」回到原账号。',
        confirmText: '知道了',
        cancelText: '取消',
        showCancel: false,
      },
    ]);
    expect(page.text('#profile-nickname')).not.toContain('原账号');

    page.onShow();
    expect(fake.modals).toHaveLength(1);
  });

  it('given a refresh of the same account, shows no dialog', async () => {
    await launchWithCachedUser(fake, aUser());
    ageCachedSession(fake, 2 * 24 * 60 * 60 * 1000);

    const page = renderPage(profilePage);
    await page.onReady();

    expect(fake.cloudCalls).toHaveLength(1);
    expect(fake.modals).toEqual([]);
  });
});
