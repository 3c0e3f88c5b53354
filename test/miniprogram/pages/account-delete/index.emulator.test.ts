/**
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import type { LoginData, Result } from '../../../../typings/contract';
import { useEmulatorBackend } from '../../support/emulator-backend';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, waitFor } from '../../support/render-page';
import { hasCachedSession } from '../../support/sessions';

/** 注销账号 end to end, against the built login function in the local emulator. */

const fake = installFakeWx();
const deletePage = loadPage('pages/account-delete/index');
const backend = useEmulatorBackend(fake, () => setAuthService(null));

describe('pages/account-delete against the login function', () => {
  it('deletes the account with its phone number: logged out, back on 首页, and the next login is a new account', async () => {
    const person = backend.newPerson('leaver');
    backend.connect(fake, person);
    const { user } = await getAuthService().login();
    await backend.call(person, 'updateProfile', { nickName: '要走了' });
    await backend.call(person, 'bindPhone', { code: backend.phoneCode('13700137000') });
    fake.answerModal(true);
    const page = renderPage(deletePage);

    await page.tap('#acknowledge-checkbox');
    await page.tap('#delete-button');
    await waitFor(() => fake.navigations.length > 0);

    expect(fake.navigations).toEqual([{ api: 'switchTab', url: '/pages/index/index' }]);
    expect(fake.toasts).toEqual(['账号已注销']);
    expect(hasCachedSession(fake)).toBe(false);
    expect(backend.emulator.database.documents('users').some((doc) => doc._id === user.id)).toBe(false);
    const next = (await backend.call(person, 'login')) as Result<LoginData>;
    expect(next).toMatchObject({ ok: true, data: { isNewUser: true, user: { nickName: '', hasPhone: false } } });
    // The number is free again: someone else can bind it.
    const other = backend.newPerson('newcomer');
    await backend.call(other, 'login');
    expect(await backend.call(other, 'bindPhone', { code: backend.phoneCode('13700137000') })).toMatchObject({ ok: true });
  });
});
