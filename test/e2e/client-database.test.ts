/**
 * A page doing client-side `wx.cloud.database()` in the browser preview, on a small fixture project
 * (test/fixtures/client-db, what `npm start -- --project test/fixtures/client-db` serves), with one
 * collection per basic permission declared in its cloudbaserc.json. Two people see exactly what the
 * permissions let them see: a PRIVATE diary only by its writer, a READONLY board by everyone but
 * changed only by its writer, an ADMINONLY vault by no client; the project's cloud function still
 * reads everything. With E2E_SCREENSHOTS=1 its pictures go to test-artifacts/e2e/.
 */
import path from 'node:path';
import type { ClientDenial } from '@wx-cloud-login/cloudbase-emulator';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { describeInBrowser, usePreviewSession } from './support/chromium';
import { screenshot } from './support/screenshots';

const PROJECT = path.resolve(__dirname, '../fixtures/client-db');
const INDEX = 'pages/index/index';
// The preview scopes class names per page: match by the name the page wrote.
const DIARY = '[class*="diary-item"]';
const BOARD = '[class*="board-item"]';

const [XIAOMING, XIAOHONG] = PRESET_PEOPLE;
const [APP_A] = PRESET_APPS;
if (!XIAOMING || !XIAOHONG || !APP_A) throw new Error('the preview presets changed: two people and an app expected');

describeInBrowser('client-side database in the browser preview (chromium)', () => {
  const denials: ClientDenial[] = [];
  const session = usePreviewSession('client-db-e2e', {
    context: { viewport: { width: 375, height: 812 } },
    emulator: {
      functionsRoot: path.join(PROJECT, 'cloudfunctions'),
      projectDir: PROJECT,
      onClientDenied: (denial) => denials.push(denial),
      onFunctionOutput: () => undefined,
    },
    preview: { miniprogramRoot: path.join(PROJECT, 'miniprogram') },
  });
  const { onPage, launch } = previewDriver(
    () => session().page,
    () => session().emulator.url,
  );

  const texts = (selector: string) => onPage(INDEX, selector).allTextContents();
  async function tapAndWait(button: string, selector: string, expected: string): Promise<void> {
    await onPage(INDEX, button).tap();
    await onPage(INDEX, `${selector}:text-is("${expected}")`).waitFor();
  }

  it('shows each person exactly what the declared permissions allow, and the function everything', async () => {
    // 小明 writes a diary entry (PRIVATE), posts on the board (READONLY), tries the vault (ADMINONLY).
    await launch(presetIdentity(XIAOMING, APP_A), INDEX);
    await onPage(INDEX, '#vault:text-is("-502003")').waitFor();
    await tapAndWait('#write-diary', DIARY, '日记 1');
    await tapAndWait('#post', BOARD, '公告 1');
    await onPage(INDEX, '#write-vault').tap();
    await onPage(INDEX, '#vault:text-is("-502003")').waitFor();
    await screenshot(session().page.locator('.pv-phone'), 'client-db-xiaoming.png');

    // 小红 sees the board but not his diary, cannot change his post, and writes her own diary.
    await launch(presetIdentity(XIAOHONG, APP_A), INDEX);
    await onPage(INDEX, `${BOARD}:text-is("公告 1")`).waitFor();
    expect(await texts(DIARY)).toEqual([]);
    await tapAndWait('#edit-first', '#edit', '0');
    expect(await texts(BOARD)).toEqual(['公告 1']);
    await tapAndWait('#write-diary', DIARY, '日记 1');
    expect(await texts(DIARY)).toEqual(['日记 1']);
    await screenshot(session().page.locator('.pv-phone'), 'client-db-xiaohong.png');

    // The cloud function is an administrator: it counts both diaries.
    await tapAndWait('#count-all', '#counts', 'diary 2 · board 1 · vault 0');

    // 小明 still sees only his own diary, and may change his own post.
    await launch(presetIdentity(XIAOMING, APP_A), INDEX);
    await onPage(INDEX, `${DIARY}:text-is("日记 1")`).waitFor();
    expect(await texts(DIARY)).toEqual(['日记 1']);
    await tapAndWait('#edit-first', '#edit', '1');
    await onPage(INDEX, `${BOARD}:text-is("改过了")`).waitFor();

    // The emulator said which rule refused the vault.
    expect(denials.length).toBeGreaterThan(0);
    expect(denials.every((denial) => denial.target === 'vault' && denial.rule.startsWith('ADMINONLY'))).toBe(true);
  });
});
