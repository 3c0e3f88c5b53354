/**
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import type { WeChatPerson } from '../../support/emulator-backend';
import { useEmulatorBackend } from '../../support/emulator-backend';
import { installFakeWx } from '../../support/fake-wx';
import type { RenderedPage } from '../../support/render-page';
import { loadPage, renderPage, waitFor } from '../../support/render-page';

/**
 * 编辑资料 end to end: the real page and services; the fake wx's cloud calls and uploads go to the
 * local emulator, which runs the built login function (msgSecCheck and storage included).
 */

const fake = installFakeWx();
const editPage = loadPage('pages/profile-edit/index');
const backend = useEmulatorBackend(fake, () => setAuthService(null));

async function loggedIn(name: string): Promise<WeChatPerson> {
  const person = backend.newPerson(name);
  backend.connect(fake, person);
  await getAuthService().login();
  return person;
}

/** The url the page hands to <user-avatar id="edit-avatar"> (jsdom keeps no src attribute on the image). */
function shownAvatarUrl(page: RenderedPage): unknown {
  return page.component.querySelector('#edit-avatar')?.data?.url;
}

async function saved(page: RenderedPage): Promise<void> {
  await waitFor(() => page.data().nicknameStatus === 'idle' && page.data().avatarStatus === 'idle');
}

describe('pages/profile-edit against the login function', () => {
  it('choosing an avatar uploads it to the path the function names in avatars/<user id>/, stores it with updateProfile and shows the served image', async () => {
    await loggedIn('avatar');
    const id = getAuthService().currentUser()?.id ?? '';
    const page = renderPage(editPage);

    await page.dispatch('#avatar-button', 'chooseavatar', { avatarUrl: 'http://tmp/chosen.png' });
    expect(page.text('#avatar-status')).toBe('头像上传中…');
    await saved(page);

    expect(fake.uploads).toEqual([
      { cloudPath: expect.stringMatching(new RegExp(`^avatars/${id}/[a-z0-9]+-[A-Za-z0-9_-]+\\.png$`)), filePath: 'http://tmp/chosen.png' },
    ]);
    const avatarUrl = getAuthService().currentUser()?.avatarUrl ?? '';
    expect(avatarUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\/files\//);
    expect(shownAvatarUrl(page)).toBe(avatarUrl);
    expect(fake.toasts).toEqual(['头像已更新']);
    expect(await backend.download(avatarUrl)).toEqual({ status: 200, body: 'image bytes of http://tmp/chosen.png' });
  });

  it('a nickname entered and left (blur) passes the content check, is stored, and a relaunch still shows it', async () => {
    const person = await loggedIn('nickname');
    const page = renderPage(editPage);

    await page.dispatch('#nickname-input', 'blur', { value: '  云朵 ' });
    expect(page.text('#save-nickname')).toBe('保存中…');
    await saved(page);

    expect(fake.toasts).toEqual(['昵称已保存']);
    expect(page.data().nickName).toBe('云朵');
    setAuthService(null);
    backend.connect(fake, person);
    expect((await getAuthService().login()).user.nickName).toBe('云朵');
  });

  it("a nickname the content check refuses shows CONTENT_RISKY's message, stays in the field and changes nothing", async () => {
    await loggedIn('risky');
    const page = renderPage(editPage);

    await page.dispatch('#nickname-form', 'submit', { value: { nickName: '测试违规词' } });
    await saved(page);

    expect(page.text('#edit-error')).toBe('昵称未通过内容安全检查，请换一个');
    expect(fake.toasts).toEqual([]);
    expect(page.data().nicknameDraft).toBe('测试违规词');
    expect(getAuthService().currentUser()?.nickName).toBe('');
    expect((await getAuthService().login()).user.nickName).toBe('');
  });

  it('a user banned meanwhile: the ban message stays on the page, which turns logged out', async () => {
    await loggedIn('banned');
    await backend.ban(getAuthService().currentUser()?.id ?? '');
    const page = renderPage(editPage);

    await page.dispatch('#nickname-input', 'blur', { value: '还想改名' });
    await saved(page);

    expect(page.text('#edit-error')).toBe('该账号已被停用，如有疑问请联系客服');
    expect(page.exists('#login-button')).toBe(true);
    expect(getAuthService().currentUser()).toBeNull();
  });
});
