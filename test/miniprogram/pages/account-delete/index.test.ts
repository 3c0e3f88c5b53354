import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { actionsCalled, answerActions } from '../../support/accounts';
import { deferred } from '../../support/fake-cloud';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, settle } from '../../support/render-page';
import { hasCachedSession, launchWithCachedUser } from '../../support/sessions';
import { aUser, failureAnswer } from '../../support/users';

const fake = installFakeWx();
const deletePage = loadPage('pages/account-delete/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

describe('pages/account-delete (注销账号)', () => {
  it('says what is deleted and what is kept, with the acknowledgement unticked and the button inactive', async () => {
    await launchWithCachedUser(fake, aUser());

    const page = renderPage(deletePage);

    expect(page.text('.page')).toContain('账号资料：昵称、头像');
    expect(page.text('.page')).toContain('绑定的手机号');
    expect(page.text('.page')).toContain('不含任何个人信息的注销记录');
    expect(page.classes('#acknowledge-checkbox')).not.toContain('checked');
    expect(page.classes('#delete-button')).toContain('inactive');
  });

  it('without the acknowledgement, 注销账号 asks nothing and calls nothing: it points at the box', async () => {
    await launchWithCachedUser(fake, aUser());
    const page = renderPage(deletePage);

    await page.tap('#delete-button');

    expect(page.text('#acknowledge-hint')).toBe('请先勾选「我已了解」');
    expect(fake.modals).toEqual([]);
    expect(fake.cloudCalls).toEqual([]);
  });

  it('ticked, asks once more in a red modal; 再想想 calls nothing', async () => {
    await launchWithCachedUser(fake, aUser());
    fake.answerModal(false);
    const page = renderPage(deletePage);

    await page.tap('#acknowledge-checkbox');
    await page.tap('#delete-button');

    expect(fake.modals).toEqual([
      {
        title: '确定注销账号？',
        content: '注销后，账号资料、头像、手机号和全部登录方式将被删除，且无法恢复。',
        confirmText: '注销',
        cancelText: '再想想',
        confirmColor: '#e5484d',
      },
    ]);
    expect(fake.cloudCalls).toEqual([]);
    expect(getAuthService().currentUser()).not.toBeNull();
  });

  it('confirmed: 注销中…, deleteAccount { confirm: true }, logged out, a toast, and 首页', async () => {
    await launchWithCachedUser(fake, aUser());
    const answer = deferred<unknown>();
    answerActions(fake, { deleteAccount: () => answer.promise });
    fake.answerModal(true);
    const page = renderPage(deletePage);

    await page.tap('#acknowledge-checkbox');
    await page.tap('#delete-button');
    expect(page.text('#delete-button')).toBe('注销中…');
    answer.resolve({ ok: true, data: { deleted: true } });
    await settle();

    expect(fake.cloudCalls.map((call) => call.data)).toEqual([{ action: 'deleteAccount', confirm: true }]);
    expect(hasCachedSession(fake)).toBe(false);
    expect(getAuthService().currentUser()).toBeNull();
    expect(fake.toasts).toEqual(['账号已注销']);
    expect(fake.navigations).toEqual([{ api: 'switchTab', url: '/pages/index/index' }]);
  });

  it('a failure keeps the account and the session, and says why', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { deleteAccount: () => failureAnswer('INTERNAL') });
    fake.answerModal(true);
    const page = renderPage(deletePage);

    await page.tap('#acknowledge-checkbox');
    await page.tap('#delete-button');

    expect(page.text('#delete-error')).toBe('服务暂时不可用，请稍后再试');
    expect(page.text('#delete-button')).toBe('注销账号');
    expect(hasCachedSession(fake)).toBe(true);
    expect(fake.navigations).toEqual([]);
  });

  it('an account already gone (a retry after a lost answer) counts as deleted, without logging in to a new one', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { deleteAccount: () => failureAnswer('USER_NOT_FOUND') });
    fake.answerModal(true);
    const page = renderPage(deletePage);

    await page.tap('#acknowledge-checkbox');
    await page.tap('#delete-button');

    expect(actionsCalled(fake)).toEqual(['deleteAccount']);
    expect(getAuthService().currentUser()).toBeNull();
    expect(fake.navigations).toEqual([{ api: 'switchTab', url: '/pages/index/index' }]);
  });

  it('a banned account gets the ban message and is logged out', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { deleteAccount: () => failureAnswer('USER_BANNED') });
    fake.answerModal(true);
    const page = renderPage(deletePage);

    await page.tap('#acknowledge-checkbox');
    await page.tap('#delete-button');

    expect(page.text('#delete-error')).toBe('该账号已被停用，如有疑问请联系客服');
    expect(page.exists('#delete-button')).toBe(false);
    expect(page.exists('#login-button')).toBe(true);
  });

  it('logged out, offers 微信登录 instead of a delete button', async () => {
    const page = renderPage(deletePage);

    expect(page.exists('#delete-button')).toBe(false);
    await page.tap('#login-button');

    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/account-delete/index')}` },
    ]);
  });
});
