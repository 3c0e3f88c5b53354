/**
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import type { PublicUser, Result } from '../../../../typings/contract';
import type { IdentityListView } from '../../../../miniprogram/presenters/identity-view';
import { actionsCalled } from '../../support/accounts';
import type { WeChatPerson } from '../../support/emulator-backend';
import { useEmulatorBackend } from '../../support/emulator-backend';
import { installFakeWx } from '../../support/fake-wx';
import type { RenderedPage } from '../../support/render-page';
import { loadPage, renderPage, waitFor } from '../../support/render-page';

/**
 * 账号与安全 end to end: the real page and services against the built login function in the local
 * emulator (phone codes from its getPhoneNumber, real link tickets, real transactions).
 */

const fake = installFakeWx();
const securityPage = loadPage('pages/account-security/index');
const backend = useEmulatorBackend(fake, () => setAuthService(null));

let phones = 0;
/** A mainland number no other test uses. */
function newPhone(): string {
  phones += 1;
  return `1380013${String(8000 + phones)}`;
}

function masked(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

function dataOf<T>(result: unknown): T {
  const envelope = result as Result<T>;
  if (!envelope.ok) throw new Error(`expected success, got ${envelope.error.code}`);
  return envelope.data;
}

/** An account made elsewhere (the web, another phone): a nickname and a bound number. */
async function existingAccount(name: string, nickName: string, phone: string): Promise<{ person: WeChatPerson; user: PublicUser }> {
  const person = backend.newPerson(name);
  await backend.call(person, 'login');
  await backend.call(person, 'updateProfile', { nickName });
  const { user } = dataOf<{ user: PublicUser }>(await backend.call(person, 'bindPhone', { code: backend.phoneCode(phone) }));
  return { person, user };
}

/** `name` logged in on this device, 账号与安全 open with its list loaded. */
async function openAs(name: string): Promise<{ person: WeChatPerson; page: RenderedPage }> {
  const person = backend.newPerson(name);
  backend.connect(fake, person);
  await getAuthService().login();
  const page = renderPage(securityPage);
  await idle(page);
  return { person, page };
}

async function idle(page: RenderedPage): Promise<void> {
  await waitFor(() => {
    const data = page.data();
    return data.phoneStatus === 'idle' && data.unlinkingId === '' && data.identitiesStatus !== 'loading';
  });
}

/** The rows the page shows: each WeChat account (当前 marked), then the phone row when there is one. */
function rows(page: RenderedPage): string[] {
  const list = page.data().identities as IdentityListView;
  return [...list.wechat.map((row) => (row.current ? '当前微信' : '微信')), ...(list.phone ? ['手机号'] : [])];
}

describe('pages/account-security against the login function', () => {
  it('binds a phone number: the masked number and the 手机号 way to sign in are shown', async () => {
    const { page } = await openAs('binder');
    const phone = newPhone();
    expect(rows(page)).toEqual(['当前微信']);

    await page.dispatch('#phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:ok', code: backend.phoneCode(phone) });
    await idle(page);

    expect(page.text('#phone-number')).toBe(masked(phone));
    expect(fake.toasts).toContain('手机号已绑定');
    expect(rows(page)).toEqual(['当前微信', '手机号']);
  });

  it('a declined phone sheet calls nothing; a code WeChat does not know is PHONE_CODE_INVALID', async () => {
    const { page } = await openAs('decliner');

    await page.dispatch('#phone-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail:user deny' });
    expect(page.text('#security-error')).toBe('你已取消授权手机号，需要时可再次点击绑定');
    expect(actionsCalled(fake)).toEqual(['login', 'listIdentities']);

    await page.dispatch('#phone-button', 'getphonenumber', { code: 'not-a-code-wechat-issued' });
    await idle(page);

    expect(page.text('#security-error')).toBe('手机号授权已失效，请重新获取');
    expect(page.text('#phone-number')).toBe('未绑定');
  });

  it('a number of an existing account: preview, 关联到该账号, and this WeChat now signs in to that account', async () => {
    const phone = newPhone();
    const existing = await existingAccount('web-user', '老账号', phone);
    const { person, page } = await openAs('newcomer');

    await page.dispatch('#phone-button', 'getphonenumber', { code: backend.phoneCode(phone) });
    await idle(page);
    expect(page.text('#link-sheet >>> #link-target-name')).toBe('老账号');
    expect(page.text('#link-sheet >>> #link-preview')).toContain(`手机号 ${masked(phone)}`);

    await page.tap('#link-sheet >>> #link-confirm');
    expect(page.text('#link-sheet >>> #link-confirm')).toBe('关联中…');
    await idle(page);

    expect(page.exists('#link-sheet >>> #link-preview')).toBe(false);
    expect(fake.toasts).toContain('已关联到账号「老账号」');
    expect(getAuthService().currentUser()).toMatchObject({ id: existing.user.id, nickName: '老账号' });
    expect(page.text('#phone-number')).toBe(masked(phone));
    // 老账号's own WeChat and this one: two rows, one each, this one marked.
    expect(rows(page)).toEqual(['当前微信', '微信', '手机号']);
    expect(page.text('#wechat-0')).toContain('关联');
    // A relaunch logs in to the linked account.
    setAuthService(null);
    backend.connect(fake, person);
    expect((await getAuthService().login()).user.id).toBe(existing.user.id);
  });

  it('a ticket already used (the link happened, its answer lost): LINK_TICKET_USED, and the page shows the linked account', async () => {
    const phone = newPhone();
    const existing = await existingAccount('web-user', '老账号', phone);
    const { person, page } = await openAs('retrier');
    await page.dispatch('#phone-button', 'getphonenumber', { code: backend.phoneCode(phone) });
    await idle(page);
    const ticket = (page.data().linkPreview as { ticket: string }).ticket;
    // The same confirmation, sent once before (its answer never reached the page).
    const first = (await backend.call(person, 'confirmLink', { ticket })) as Result<unknown>;
    expect(first.ok).toBe(true);

    await page.tap('#link-sheet >>> #link-confirm');
    await idle(page);

    expect(page.text('#security-error')).toBe('该关联已完成或已失效，无需重复操作');
    expect(getAuthService().currentUser()?.id).toBe(existing.user.id);
    expect(page.text('#phone-number')).toBe(masked(phone));
  });

  it('unlinks the phone; when another device left only this WeChat, 解除 is refused with LAST_IDENTITY', async () => {
    const { person, page } = await openAs('unlinker');
    await page.dispatch('#phone-button', 'getphonenumber', { code: backend.phoneCode(newPhone()) });
    await idle(page);
    fake.answerModal(true);

    await page.tap('#phone-unlink');
    await idle(page);
    expect(fake.toasts).toContain('手机号已解除');
    expect(page.text('#phone-number')).toBe('未绑定');
    expect(rows(page)).toEqual(['当前微信']);
    expect(page.exists('#unlink-0')).toBe(false);

    // Bind again, then another device removes the number behind this page's back.
    await page.dispatch('#phone-button', 'getphonenumber', { code: backend.phoneCode(newPhone()) });
    await idle(page);
    const { identities } = dataOf<{ identities: { id: string; kind: string }[] }>(await backend.call(person, 'listIdentities'));
    const phoneId = identities.find((identity) => identity.kind === 'phone')?.id;
    dataOf(await backend.call(person, 'unlinkIdentity', { identityId: phoneId }));

    await page.tap('#unlink-0');
    await idle(page);

    expect(page.text('#security-error')).toBe('解除后将没有能登录本小程序的方式，不能解除');
    expect(rows(page)).toEqual(['当前微信']);
    expect(getAuthService().currentUser()).not.toBeNull();
  });

  it('unlinking the current WeChat (a phone remains) signs this device out; the account lives on with its phone', async () => {
    const { page } = await openAs('leaver');
    const id = getAuthService().currentUser()?.id;
    const phone = newPhone();
    await page.dispatch('#phone-button', 'getphonenumber', { code: backend.phoneCode(phone) });
    await idle(page);
    fake.answerModal(true);

    await page.tap('#unlink-0');
    await idle(page);

    expect(page.text('#security-notice')).toBe('已解除当前微信，并已退出登录。下次用这个微信登录会进入一个新的空账号。');
    expect(getAuthService().currentUser()).toBeNull();
    expect(page.exists('#login-button')).toBe(true);
    const account = backend.emulator.database.documents('users').find((user) => user._id === id);
    expect(account).toMatchObject({ boundPhone: { purePhoneNumber: phone } });
  });
});
