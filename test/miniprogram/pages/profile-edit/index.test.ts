import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { deferred } from '../../support/fake-cloud';
import { actionsCalled, answerActions } from '../../support/accounts';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, settle } from '../../support/render-page';
import { hasCachedSession, launchWithCachedUser } from '../../support/sessions';
import { aUser, failureAnswer } from '../../support/users';

const fake = installFakeWx();
const editPage = loadPage('pages/profile-edit/index');

beforeEach(() => {
  fake.reset();
  setAuthService(null);
});

const FILE_ID = 'cloud://env-1.bucket/avatars/user-1/a.png';

function shownAvatarUrl(page: ReturnType<typeof renderPage>): unknown {
  return page.component.querySelector('#edit-avatar')?.data?.url;
}

describe('pages/profile-edit (编辑资料)', () => {
  it('logged out, shows the default avatar and offers 微信登录 that comes back here', async () => {
    const page = renderPage(editPage);

    expect(page.exists('#avatar-button')).toBe(false);
    expect(page.exists('#logged-out-avatar >>> #default-avatar')).toBe(true);
    expect(page.text('.edit__logged-out')).toContain('登录后可设置头像和昵称');
    await page.tap('#login-button');

    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/profile-edit/index')}` },
    ]);
  });

  it('shows the cached nickname in the nickname input, without a cloud call', async () => {
    await launchWithCachedUser(fake, aUser({ nickName: '小明' }));

    const page = renderPage(editPage);

    expect(page.data().nicknameDraft).toBe('小明');
    expect(fake.cloudCalls).toHaveLength(0);
  });

  describe('avatar', () => {
    it('while the chosen image uploads, shows it with 头像上传中… and ignores another choice; then shows the stored avatar', async () => {
      await launchWithCachedUser(fake, aUser({ id: 'user-1' }));
      const upload = deferred<unknown>();
      fake.answerUpload(() => upload.promise);
      answerActions(fake, { updateProfile: () => ({ ok: true, data: { user: aUser({ avatarUrl: 'https://cdn.example/a.png' }) } }) });
      const page = renderPage(editPage);

      await page.dispatch('#avatar-button', 'chooseavatar', { avatarUrl: 'http://tmp/one.jpeg' });
      await page.dispatch('#avatar-button', 'chooseavatar', { avatarUrl: 'http://tmp/two.jpeg' });

      expect(page.text('#avatar-status')).toBe('头像上传中…');
      expect(shownAvatarUrl(page)).toBe('http://tmp/one.jpeg');
      expect(fake.uploads).toEqual([{ cloudPath: 'avatars/user-1/m1-token.jpeg', filePath: 'http://tmp/one.jpeg' }]);

      upload.resolve(FILE_ID);
      await settle();

      // The path comes from the function, which lists it on the account before the upload.
      expect(fake.cloudCalls.map((call) => call.data)).toEqual([
        { action: 'prepareAvatarUpload', extension: 'jpeg' },
        { action: 'updateProfile', avatarFileID: FILE_ID },
      ]);
      expect(shownAvatarUrl(page)).toBe('https://cdn.example/a.png');
      expect(page.text('#avatar-status')).toBe('点击头像更换');
      expect(getAuthService().currentUser()?.avatarUrl).toBe('https://cdn.example/a.png');
      expect(fake.toasts).toEqual(['头像已更新']);
    });

    it('an upload that fails on the network shows the message, keeps the old avatar and saves nothing', async () => {
      await launchWithCachedUser(fake, aUser({ avatarUrl: 'https://cdn.example/old.png' }));
      fake.answerUpload(() => {
        throw { errMsg: 'cloud.uploadFile:fail request:fail' };
      });
      answerActions(fake, {});
      const page = renderPage(editPage);

      await page.dispatch('#avatar-button', 'chooseavatar', { avatarUrl: 'http://tmp/a.png' });

      expect(page.text('#edit-error')).toBe('网络连接失败，请检查网络后重试');
      expect(shownAvatarUrl(page)).toBe('https://cdn.example/old.png');
      expect(fake.cloudCalls.map((call) => call.data)).toEqual([{ action: 'prepareAvatarUpload', extension: 'png' }]);
    });

    it("a file the function refuses shows AVATAR_INVALID's message", async () => {
      await launchWithCachedUser(fake, aUser());
      fake.answerUpload(() => FILE_ID);
      answerActions(fake, { updateProfile: () => failureAnswer('AVATAR_INVALID') });
      const page = renderPage(editPage);

      await page.dispatch('#avatar-button', 'chooseavatar', { avatarUrl: 'http://tmp/a.png' });

      expect(page.text('#edit-error')).toBe('头像文件无效，请重新选择头像');
    });

    it('closing the picker does nothing; a declined privacy authorization says so', async () => {
      await launchWithCachedUser(fake, aUser());
      const page = renderPage(editPage);

      await page.dispatch('#avatar-button', 'chooseavatar', { errMsg: 'chooseAvatar:fail cancel' });
      expect(page.exists('#edit-error')).toBe(false);

      await page.dispatch('#avatar-button', 'chooseavatar', {
        errMsg: 'chooseAvatar:fail privacy permission is not authorized',
        errno: 104,
      });
      expect(page.text('#edit-error')).toContain('你暂未同意隐私保护指引');
      expect(fake.uploads).toHaveLength(0);
    });
  });

  describe('nickname', () => {
    it('saves on blur with 保存中…, and the submit that follows with the same value sends nothing more', async () => {
      await launchWithCachedUser(fake, aUser({ nickName: '' }));
      const answer = deferred<unknown>();
      answerActions(fake, { updateProfile: () => answer.promise });
      const page = renderPage(editPage);

      await page.dispatch('#nickname-input', 'blur', { value: '云朵' });
      expect(page.text('#save-nickname')).toBe('保存中…');
      await page.dispatch('#nickname-form', 'submit', { value: { nickName: '云朵' } });

      answer.resolve({ ok: true, data: { user: aUser({ nickName: '云朵' }) } });
      await settle();
      await page.dispatch('#nickname-form', 'submit', { value: { nickName: '云朵' } });

      expect(fake.cloudCalls.map((call) => call.data)).toEqual([{ action: 'updateProfile', nickName: '云朵' }]);
      expect(fake.toasts).toEqual(['昵称已保存']);
      expect(page.exists('#edit-error')).toBe(false);
      expect(page.text('#save-nickname')).toBe('保存昵称');
      expect(getAuthService().currentUser()?.nickName).toBe('云朵');
    });

    it('a blur without a change calls nothing', async () => {
      await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
      const page = renderPage(editPage);

      await page.dispatch('#nickname-input', 'blur', { value: '小明' });

      expect(fake.cloudCalls).toHaveLength(0);
      expect(page.exists('#edit-error')).toBe(false);
    });

    it('保存 with an emptied nickname asks for one on the device', async () => {
      await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
      const page = renderPage(editPage);

      await page.dispatch('#nickname-form', 'submit', { value: { nickName: '   ' } });

      expect(page.text('#edit-error')).toBe('请输入昵称');
      expect(fake.cloudCalls).toHaveLength(0);
    });

    it('after a content-check rejection, 保存 with the field emptied replaces the stale message with 请输入昵称', async () => {
      await launchWithCachedUser(fake, aUser({ nickName: '' }));
      answerActions(fake, { updateProfile: () => failureAnswer('CONTENT_RISKY') });
      const page = renderPage(editPage);

      await page.dispatch('#nickname-form', 'submit', { value: { nickName: '测试违规词' } });
      expect(page.text('#edit-error')).toBe('昵称未通过内容安全检查，请换一个');
      await page.dispatch('#nickname-form', 'submit', { value: { nickName: '' } });

      expect(page.text('#edit-error')).toBe('请输入昵称');
      expect(actionsCalled(fake)).toEqual(['updateProfile']);
    });

    it('after a rejection, putting the saved nickname back clears the message without a call', async () => {
      await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
      answerActions(fake, { updateProfile: () => failureAnswer('CONTENT_RISKY') });
      const page = renderPage(editPage);

      await page.dispatch('#nickname-input', 'blur', { value: '测试违规词' });
      expect(page.exists('#edit-error')).toBe(true);
      await page.dispatch('#nickname-input', 'blur', { value: '测试违规词' });
      await page.dispatch('#nickname-input', 'blur', { value: '小明' });

      expect(page.exists('#edit-error')).toBe(false);
      expect(page.data().nicknameDraft).toBe('小明');
      // Leaving the field again with the refused value did not send it twice.
      expect(actionsCalled(fake)).toEqual(['updateProfile']);
    });

    it.each([
      ['CONTENT_RISKY', '昵称未通过内容安全检查，请换一个'],
      ['CONTENT_CHECK_UNAVAILABLE', '内容安全检查暂不可用，资料未修改，请稍后再试'],
      ['NICKNAME_INVALID', '昵称为空、过长或包含不支持的字符，请修改后重试'],
    ] as const)("shows %s's message, keeps the saved nickname, and leaves the refused one in the field to edit", async (code, message) => {
      await launchWithCachedUser(fake, aUser({ nickName: '小明' }));
      answerActions(fake, { updateProfile: () => failureAnswer(code) });
      const page = renderPage(editPage);

      await page.dispatch('#nickname-input', 'blur', { value: '新昵称' });

      expect(page.text('#edit-error')).toBe(message);
      expect(getAuthService().currentUser()?.nickName).toBe('小明');
      expect(page.text('#save-nickname')).toBe('保存昵称');
      expect(page.data().nicknameDraft).toBe('新昵称');
      expect(page.classes('.edit__field')).toContain('edit__field--error');
      expect(fake.toasts).toEqual([]);
    });

    it("when WeChat's own nickname review fails (it clears the input), says why", async () => {
      await launchWithCachedUser(fake, aUser());
      const page = renderPage(editPage);

      await page.dispatch('#nickname-input', 'nicknamereview', { pass: false, timeout: false });

      expect(page.text('#edit-error')).toBe('昵称未通过内容安全检查，请换一个');
    });
  });

  it("declining the privacy popup shows PRIVACY_DENIED's message", async () => {
    await launchWithCachedUser(fake, aUser());
    const page = renderPage(editPage);
    const held: unknown[] = [];
    fake.privacyListener?.((decision) => held.push(decision), { referrer: 'chooseAvatar' });
    await settle();

    await page.tap('#privacy-popup >>> #privacy-popup-decline');

    expect(held).toEqual([{ event: 'disagree' }]);
    expect(page.text('#edit-error')).toContain('你暂未同意隐私保护指引');
  });

  it('a banned account: the message stays, the page turns logged out, and the session is gone', async () => {
    await launchWithCachedUser(fake, aUser());
    answerActions(fake, { updateProfile: () => failureAnswer('USER_BANNED') });
    const page = renderPage(editPage);

    await page.dispatch('#nickname-input', 'blur', { value: '新昵称' });

    expect(page.text('#edit-error')).toBe('该账号已被停用，如有疑问请联系客服');
    expect(page.exists('#login-button')).toBe(true);
    expect(hasCachedSession(fake)).toBe(false);
    expect(actionsCalled(fake)).toEqual(['updateProfile']);
  });
});
