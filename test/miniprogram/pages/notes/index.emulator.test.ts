/**
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { useEmulatorBackend } from '../../support/emulator-backend';
import { installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, waitFor, type RenderedPage } from '../../support/render-page';
import { relaunch } from '../../support/sessions';

/**
 * 我的笔记 end to end: the real page and services against the built notes and login functions in
 * the local emulator (auth.call → notes → requireUser's rule).
 */

const fake = installFakeWx();
const notesPage = loadPage('pages/notes/index');
const backend = useEmulatorBackend(fake, () => setAuthService(null));

async function idle(page: RenderedPage): Promise<void> {
  await waitFor(() => {
    const data = page.data();
    return data.listStatus !== 'loading' && data.saving === false && data.deletingId === '';
  });
}

function texts(page: RenderedPage): string[] {
  return (page.data().notes as { text: string }[]).map((note) => note.text);
}

describe('pages/notes against the notes function', () => {
  it('adds a note that is still there after a relaunch, and in the same person’s second app', async () => {
    const person = backend.newPerson('notes-page');
    backend.connect(fake, person);
    await getAuthService().login();
    const page = renderPage(notesPage);
    await idle(page);
    expect(page.exists('#notes-empty')).toBe(true);

    await page.dispatch('#note-input', 'input', { value: '模拟器里的笔记' });
    await page.tap('#note-save');
    await idle(page);
    expect(texts(page)).toEqual(['模拟器里的笔记']);

    relaunch(fake);
    const again = renderPage(notesPage);
    await idle(again);
    expect(texts(again)).toEqual(['模拟器里的笔记']);

    // The same WeChat user in another mini-program of the open platform: another openid, same unionid, fresh storage.
    relaunch(fake);
    fake.storage.clear();
    backend.connect(fake, { ...person, openid: `${person.openid}-second`, appid: 'wx-second-app' });
    await getAuthService().login();
    const second = renderPage(notesPage);
    await idle(second);
    expect(texts(second)).toEqual(['模拟器里的笔记']);
  });

  it('shows notes only through the function: the page itself is refused the notes collection (ADMINONLY)', async () => {
    const person = backend.newPerson('notes-direct');
    backend.connect(fake, person);
    await getAuthService().login();
    const page = renderPage(notesPage);
    await idle(page);
    await page.dispatch('#note-input', 'input', { value: '只经过云函数' });
    await page.tap('#note-save');
    await idle(page);
    expect(texts(page)).toEqual(['只经过云函数']);

    const db = wx.cloud.database();
    await expect(db.collection('notes').where({ _openid: '{openid}' }).get()).rejects.toMatchObject({ errCode: -502003 });
    await expect(db.collection('notes').add({ data: { text: '绕过云函数' } })).rejects.toMatchObject({ errCode: -502003 });
  });

  it('deletes after confirmation, through the function', async () => {
    const person = backend.newPerson('notes-delete');
    backend.connect(fake, person);
    await getAuthService().login();
    const page = renderPage(notesPage);
    await idle(page);
    await page.dispatch('#note-input', 'input', { value: '删掉我' });
    await page.tap('#note-save');
    await idle(page);

    fake.answerModal(true);
    await page.tap('#delete-0');
    await idle(page);

    expect(texts(page)).toEqual([]);
    expect(backend.emulator.database.documents('notes').filter((note) => note.text === '删掉我')).toEqual([]);
  });
});
