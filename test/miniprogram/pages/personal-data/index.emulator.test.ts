/**
 * @jest-environment-options {"customExportConditions": ["node", "node-addons"]}
 */
import { getAuthService, getNotesService, setAuthService } from '../../../../miniprogram/composition-root';
import type { PersonalDataExport } from '../../../../typings/contract';
import { RATE_LIMITS } from '../../../../cloudfunctions/login/src/rules/rate-limit';
import { useEmulatorBackend } from '../../support/emulator-backend';
import { FAKE_USER_DATA_PATH, installFakeWx } from '../../support/fake-wx';
import { loadPage, renderPage, waitFor } from '../../support/render-page';

/** 下载我的信息 end to end, against the built login and notes functions in the local emulator. */

const fake = installFakeWx();
const personalDataPage = loadPage('pages/personal-data/index');
const backend = useEmulatorBackend(fake, () => setAuthService(null));

describe('pages/personal-data against the login function', () => {
  it('exports the account with its note, saves the very document the summary counts, and a second 生成 is rate limited', async () => {
    // One minute into a rate-limit window (the server's clock): both exports below fall in it, and
    // the wait the second is told is minutes, whatever the real time is.
    const { windowMs } = RATE_LIMITS.exportMyData;
    backend.emulator.clock.set(Math.ceil(backend.emulator.clock.now() / windowMs) * windowMs + 60_000);
    const person = backend.newPerson('exporter');
    backend.connect(fake, person);
    const { user } = await getAuthService().login();
    await getNotesService().add('周六去爬山');
    const page = renderPage(personalDataPage);

    await page.tap('#generate-button');
    await waitFor(() => page.data().status === 'ready' && fake.files.size === 1);

    expect((page.data().summary as { parts: unknown[] }).parts).toContainEqual({ label: '笔记', count: '1 条' });
    await page.tap('#save-button');
    await waitFor(() => fake.shares.length === 1);
    const [share] = fake.shares;
    expect(share?.filePath).toMatch(new RegExp(`^${FAKE_USER_DATA_PATH}/我的信息-\\d{4}-\\d\\d-\\d\\d\\.json$`));
    const text = fake.files.get(share?.filePath ?? '') ?? '';
    const document = JSON.parse(text) as PersonalDataExport;
    expect(document.account.id).toBe(user.id);
    expect(document.data.notes?.map((note) => note.text)).toEqual(['周六去爬山']);
    expect(text).not.toContain(person.openid);
    expect(text).not.toContain(person.unionid);
    // The file the page wrote is the function's own text: its size is the summary's.
    expect(page.text('#export-size')).toBe(`${Math.ceil((Buffer.byteLength(text, 'utf8') / 1024) * 10) / 10} KB`);

    const second = renderPage(personalDataPage);
    await second.tap('#generate-button');
    await waitFor(() => second.data().errorMessage !== '');
    expect(second.text('#export-error')).toMatch(/^操作太频繁，请 \d 分钟后再试$/);
  });

  it('a large export comes as a file: 保存为文件 downloads it from storage and shares it; 复制下载链接 copies its URL', async () => {
    const person = backend.newPerson('collector');
    backend.connect(fake, person);
    const { user } = await getAuthService().login();
    // Over the function's inline limit (256 KiB): written to the database directly, 200 notes of 500 characters.
    const notes = Array.from({ length: 200 }, (_, index) => ({
      _id: `note-${user.id}-${index}`,
      owner: user.id,
      text: `长笔记${index}`.padEnd(500, '记'),
      createdAt: { $date: '2026-06-01T00:00:00Z' },
      updatedAt: { $date: '2026-06-01T00:00:00Z' },
    }));
    await backend.emulator.database.importCollection('notes', notes.map((note) => JSON.stringify(note)).join('\n'));
    const page = renderPage(personalDataPage);

    await page.tap('#generate-button');
    await waitFor(() => page.data().status === 'ready' && fake.downloads.length === 1, 10000);
    expect(page.text('#copy-button')).toBe('复制下载链接');
    await page.tap('#save-button');
    await waitFor(() => fake.shares.length === 1);
    await page.tap('#copy-button');

    const [share] = fake.shares;
    const document = JSON.parse(backend.downloaded(share?.filePath ?? '') ?? '') as PersonalDataExport;
    expect(document.data.notes).toHaveLength(200);
    expect(share?.fileName).toMatch(/^我的信息-.+\.json$/);
    expect(fake.files.size).toBe(0);
    expect((await backend.download(fake.clipboard[0] ?? '')).status).toBe(200);
  });
});
