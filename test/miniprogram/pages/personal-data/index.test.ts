import { getAuthService, setAuthService } from '../../../../miniprogram/composition-root';
import { actionsCalled, answerActions, failureWithDetails } from '../../support/accounts';
import { deferred } from '../../support/fake-cloud';
import { FAKE_USER_DATA_PATH, installFakeWx } from '../../support/fake-wx';
import type { RenderedPage } from '../../support/render-page';
import { loadPage, renderPage, settle } from '../../support/render-page';
import { aDocument, aFileExport, anInlineExport, aSummary, EXPORT_FILE_ID } from '../../support/personal-data';
import { launchWithCachedUser } from '../../support/sessions';
import { aUser, failureAnswer } from '../../support/users';

const fake = installFakeWx();
const personalDataPage = loadPage('pages/personal-data/index');

const FILE_PATH = `${FAKE_USER_DATA_PATH}/${aSummary().fileName}`;

beforeEach(async () => {
  fake.reset();
  setAuthService(null);
});

async function openLoggedIn(): Promise<RenderedPage> {
  await launchWithCachedUser(fake, aUser());
  const page = renderPage(personalDataPage);
  await settle();
  return page;
}

/** 生成, answered with `data`: the page in its ready state. */
async function generated(data: unknown = anInlineExport()): Promise<RenderedPage> {
  const page = await openLoggedIn();
  answerActions(fake, { exportMyData: () => ({ ok: true, data }) });
  await page.tap('#generate-button');
  return page;
}

/** The summary's rows as 'label value'. */
function summaryRows(page: RenderedPage): string[] {
  const cells = page.component.dom?.querySelectorAll('[class$="export__line"]') ?? [];
  return Array.from(cells).map((cell) =>
    Array.from(cell.querySelectorAll('wx-text'))
      .map((node) => (node.textContent ?? '').trim())
      .join(' '),
  );
}

describe('pages/personal-data (下载我的信息)', () => {
  it('logged out, explains what is included and offers 微信登录 that comes back here, calling nothing', async () => {
    const page = renderPage(personalDataPage);
    await settle();

    expect(page.text('.page')).toMatch(/资料.*登录方式（已脱敏）.*手机号（已脱敏）.*登录记录.*账号记录.*笔记/);
    expect(page.exists('#generate-button')).toBe(false);
    await page.tap('#login-button');

    expect(fake.cloudCalls).toHaveLength(0);
    expect(fake.navigations).toEqual([
      { api: 'navigateTo', url: `/pages/login/index?redirect=${encodeURIComponent('/pages/personal-data/index')}` },
    ]);
  });

  it('idle → 生成中… → the summary: time, size in KB, the count of each part, and the two actions', async () => {
    const page = await openLoggedIn();
    expect(page.exists('#export-summary')).toBe(false);
    const answer = deferred<unknown>();
    answerActions(fake, { exportMyData: () => answer.promise });

    await page.tap('#generate-button');
    expect(page.text('#generate-button')).toBe('生成中…');

    answer.resolve({ ok: true, data: anInlineExport() });
    await settle();

    expect(actionsCalled(fake)).toEqual(['exportMyData']);
    expect(page.exists('#generate-button')).toBe(false);
    expect(summaryRows(page)).toEqual([
      expect.stringMatching(/^生成时间 2026-12-02 \d\d:30$/),
      '文件大小 2.1 KB',
      '登录方式 2 种',
      '关联进来的旧账号 0 个',
      '账号记录 1 条',
      '笔记 3 条',
    ]);
    expect(page.text('#copy-button')).toBe('复制内容');
    expect(page.text('#save-button')).toBe('保存为文件');
    expect(page.text('#export-file-name')).toContain('我的信息-2026-12-02.json');
  });

  it('复制内容 copies the whole document as JSON', async () => {
    const page = await generated();

    await page.tap('#copy-button');

    expect(fake.clipboard).toHaveLength(1);
    expect(JSON.parse(fake.clipboard[0] ?? '')).toEqual(aDocument());
    expect(page.data().errorMessage).toBe('');
  });

  it('保存为文件 writes the JSON into the user folder under the summary’s name and opens the share sheet with it', async () => {
    const page = await generated();
    // Written already when the summary showed: the tap opens the sheet at once (WeChat allows it only in a tap).
    expect([...fake.files.keys()]).toEqual([FILE_PATH]);

    await page.tap('#save-button');

    expect(JSON.parse(fake.files.get(FILE_PATH) ?? '')).toEqual(aDocument());
    expect(fake.shares).toEqual([{ filePath: FILE_PATH, fileName: '我的信息-2026-12-02.json' }]);
    expect(page.data().errorMessage).toBe('');
  });

  it('closing the share sheet is the person’s choice: no message, no toast, and saving again works', async () => {
    const page = await generated();
    fake.answerShare('cancel');

    await page.tap('#save-button');

    expect(page.data().errorMessage).toBe('');
    expect(fake.toasts).toEqual([]);
    expect(page.data().saving).toBe(false);

    fake.answerShare('shared');
    await page.tap('#save-button');
    expect(fake.shares).toHaveLength(2);
  });

  it('a failed write or share says so; the next tap writes again', async () => {
    fake.failWrites({ errMsg: 'writeFile:fail the maximum size of the file storage limit is exceeded' });
    const page = await generated();

    await page.tap('#save-button');
    expect(page.text('#export-error')).toBe('文件保存失败，请重试');
    expect(fake.shares).toEqual([]);

    fake.failWrites(null);
    fake.answerShare({ errMsg: 'shareFileMessage:fail internal error' });
    await page.tap('#save-button');
    expect(fake.files.has(FILE_PATH)).toBe(true);
    expect(page.text('#export-error')).toBe('文件保存失败，请重试');
  });

  it('RATE_LIMITED: says how long to wait, and 生成 stays', async () => {
    const page = await openLoggedIn();
    answerActions(fake, { exportMyData: () => failureWithDetails('RATE_LIMITED', { retryAfterMs: 3.5 * 60 * 1000 }) });

    await page.tap('#generate-button');

    expect(page.text('#export-error')).toBe('操作太频繁，请 4 分钟后再试');
    expect(page.text('#generate-button')).toBe('生成');
    expect(page.exists('#export-summary')).toBe(false);
  });

  it('a vanished account ends the session: the page turns logged out and says why', async () => {
    const page = await openLoggedIn();
    answerActions(fake, { exportMyData: () => failureAnswer('USER_NOT_FOUND') });

    await page.tap('#generate-button');

    expect(page.text('#export-error')).toContain('已退出登录');
    expect(page.exists('#login-button')).toBe(true);
  });

  it('logged out meanwhile (another page), the export is gone when the page shows again', async () => {
    const page = await generated();

    getAuthService().logout();
    page.onShow();

    expect(page.exists('#export-summary')).toBe(false);
    expect(page.exists('#login-button')).toBe(true);
    expect(page.data().exportOwner).toBe('');
  });

  describe('a large export, delivered as a file in cloud storage', () => {
    it('offers 复制下载链接 (copies the temporary URL, says until when it works) and 保存为文件 (downloads, then shares)', async () => {
      fake.answerDownload(() => 'http://tmp/personal-data.json');
      const page = await generated(aFileExport());

      expect(page.text('#copy-button')).toBe('复制下载链接');
      expect(page.text('#export-hint')).toMatch(/下载链接 2026-12-02 \d\d:30 前有效/);
      expect(summaryRows(page)).toContain('文件大小 1.5 MB');

      await page.tap('#copy-button');
      expect(fake.clipboard).toEqual([(aFileExport() as { file: { url: string } }).file.url]);

      await page.tap('#save-button');
      expect(fake.downloads).toEqual([EXPORT_FILE_ID]);
      expect(fake.shares).toEqual([{ filePath: 'http://tmp/personal-data.json', fileName: '我的信息-2026-12-02.json' }]);
      expect(fake.files.size).toBe(0);
    });

    it('a failed download says so', async () => {
      fake.answerDownload(() => {
        throw { errMsg: 'cloud.downloadFile:fail STORAGE_FILE_NONEXIST', errCode: -1 };
      });
      const page = await generated(aFileExport());

      await page.tap('#save-button');

      expect(page.text('#export-error')).toBe('文件下载失败，请重新生成后再试');
      expect(fake.downloads).toHaveLength(2);
    });
  });
});
