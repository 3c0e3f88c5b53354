/**
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import type { LinkOffer, Result } from '../../../../typings/contract';
import type { WeChatPerson } from '../../support/emulator-backend';
import { useEmulatorBackend } from '../../support/emulator-backend';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, waitFor } from '../../support/render-page';
import { ageCachedSession, hasCachedSession, relaunch } from '../../support/sessions';

/**
 * 我的 at the launch after WeChat pushed a change (授权用户信息变更), within the day the session was
 * cached: the push delivered by the emulator exactly as WeChat sends it to the built wechat-push
 * function, then the page renders the cached user with no cloud call, the launch's one revalidation
 * (a login that creates nothing) against the built login function answers after that first render,
 * the page shows it in place and tells the notice once; an account gone shows the logged-out state.
 */

const fake = installFakeWx();
const profilePage = loadPage('pages/profile/index');
const backend = useEmulatorBackend(fake, () => setAuthService(null));
const HOUR = 60 * 60 * 1000;

let phones = 0;
function newPhone(): string {
  phones += 1;
  return `1390013${String(7000 + phones)}`;
}

/** `person` signed in on this device an hour ago: well within the cached session's day. */
async function signedInAnHourAgo(person: WeChatPerson): Promise<void> {
  backend.connect(fake, person);
  await getAuthService().login();
  relaunch(fake);
  ageCachedSession(fake, HOUR);
}

/**
 * The launch: 我的 renders the cached user with no cloud call, then (onReady, after the first
 * render) the revalidation answers and the page shows what it brought. `before`: the first render.
 */
async function launchProfile(expectFirstRender: (page: ReturnType<typeof renderPage>) => void = () => undefined) {
  fake.answerModal(false);
  const page = renderPage(profilePage);
  expectFirstRender(page);
  expect(fake.cloudCalls).toHaveLength(0);
  await page.onReady();
  await waitFor(() => fake.modals.length > 0);
  return page;
}

describe('pages/profile after WeChat’s pushes, against the functions', () => {
  it('given the nickname and the phone number withdrawn in WeChat, the next launch says both once and shows them gone', async () => {
    const person = backend.newPerson('revoker');
    await backend.call(person, 'login');
    await backend.call(person, 'updateProfile', { nickName: '小明' });
    await backend.call(person, 'bindPhone', { code: backend.phoneCode(newPhone()) });
    await signedInAnHourAgo(person);
    expect(getAuthService().currentUser()).toMatchObject({ nickName: '小明', hasPhone: true });

    await backend.push(person, { Event: 'user_authorization_revoke', RevokeInfo: '6' });
    await backend.push(person, { Event: 'user_authorization_revoke', RevokeInfo: '8' });
    const page = await launchProfile((first) => expect(first.text('#profile-nickname')).toBe('小明'));

    expect(fake.cloudCalls).toEqual([{ name: 'login', data: { action: 'login', existingOnly: true } }]);
    expect(fake.modals.map((modal) => modal.title)).toEqual(['手机号已解绑', '昵称和头像已删除']);
    expect(page.text('#profile-nickname')).toBe('未设置昵称');
    expect(getAuthService().currentUser()).toMatchObject({ nickName: '', avatarUrl: '', hasPhone: false, maskedPhoneNumber: '' });

    // The next launch, minutes later: one revalidation again, and the notices are not told twice.
    relaunch(fake);
    const again = renderPage(profilePage);
    await again.onReady();
    expect(fake.cloudCalls.map((call) => call.data.action)).toEqual(['login']);
    expect(fake.modals).toHaveLength(2);
  });

  it('given a linked WeChat account deleted (注销微信), the other WeChat’s next launch says it no longer signs in', async () => {
    const phone = newPhone();
    const holder = backend.newPerson('holder');
    await backend.call(holder, 'login');
    await backend.call(holder, 'bindPhone', { code: backend.phoneCode(phone) });
    const second = backend.newPerson('second');
    await backend.call(second, 'login');
    const offer = (await backend.call(second, 'bindPhone', { code: backend.phoneCode(phone) })) as Result<unknown>;
    if (offer.ok || offer.error.code !== 'PHONE_BELONGS_TO_ANOTHER_ACCOUNT') throw new Error('expected a link offer');
    const { ticket } = offer.error.details as LinkOffer;
    await backend.call(second, 'confirmLink', { ticket });
    await signedInAnHourAgo(second);

    await backend.push(holder, { Event: 'user_authorization_cancellation' });
    await launchProfile();

    expect(fake.modals).toEqual([
      expect.objectContaining({ title: '登录方式已移除', content: expect.stringContaining('你的账号关联的一个微信已被注销') }),
    ]);
  });

  it('given the only WeChat of the account deleted (the cancellation push), the launch within the day shows the logged-out state and why, and creates no account', async () => {
    const person = backend.newPerson('cancelled');
    await backend.call(person, 'login');
    await backend.call(person, 'updateProfile', { nickName: '小红' });
    await signedInAnHourAgo(person);

    await backend.push(person, { Event: 'user_authorization_cancellation' });
    const usersBefore = backend.emulator.database.count('users');
    const page = await launchProfile((first) => expect(first.text('#profile-nickname')).toBe('小红'));

    expect(fake.modals).toEqual([expect.objectContaining({ title: '已退出登录', content: expect.stringContaining('已注销') })]);
    expect(page.text('#profile-nickname')).not.toBe('小红');
    expect(page.text('#login-button')).toBe('微信登录');
    expect(page.exists('#logout-button')).toBe(false);
    expect(getAuthService().currentUser()).toBeNull();
    expect(hasCachedSession(fake)).toBe(false);
    expect(backend.emulator.database.count('users')).toBe(usersBefore);
    expect(fake.cloudCalls).toHaveLength(1);
  });
});
