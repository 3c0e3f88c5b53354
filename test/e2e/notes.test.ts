/**
 * 我的笔记 in a real browser against the local emulator (chromium + playwright-core, the preview
 * module, the built login and notes functions): log in, add a note, relaunch and find it, then the
 * same person in the second mini-program (same unionid) finds the same note; then 我的 → 账号与安全 →
 * 下载我的信息 exports the account, and 保存为文件 is a real download holding that note. A phone-sized
 * viewport (375 px); with E2E_SCREENSHOTS=1 its pictures go to test-artifacts/e2e/, where the download is kept.
 *
 * Without /usr/bin/chromium (E2E_CHROMIUM to use another) the file is skipped with a message;
 * with E2E_REQUIRE_BROWSER=1 a missing browser fails instead.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { presetIdentity, PRESET_APPS, PRESET_PEOPLE } from '@wx-cloud-login/miniprogram-preview/runtime/identity';
import { previewDriver } from '@wx-cloud-login/miniprogram-preview/driver/page-driver';
import { describeInBrowser, usePreviewSession } from './support/chromium';
import { ARTIFACTS, screenshot } from './support/screenshots';

const [XIAOMING] = PRESET_PEOPLE;
const [APP_A, APP_B] = PRESET_APPS;
if (!XIAOMING || !APP_A || !APP_B) throw new Error('the preview presets changed: a person and two apps expected');

const HOME = 'pages/index/index';
const LOGIN = 'pages/login/index';
const NOTES = 'pages/notes/index';
const PROFILE = 'pages/profile/index';
const SECURITY = 'pages/account-security/index';
const PERSONAL_DATA = 'pages/personal-data/index';

describeInBrowser('我的笔记 in the browser preview (chromium)', () => {
  let emulator: Emulator;
  let page: Page;

  const { onPage, waitShown, launch } = previewDriver(
    () => page,
    () => emulator.url,
  );

  /** 首页 → 我的笔记 → 微信登录 (agreement ticked) → back, and the notes open by themselves. */
  async function openNotesLoggingIn(): Promise<void> {
    await onPage(HOME, '#notes-entry').tap();
    await waitShown(LOGIN);
    await onPage(LOGIN, '#agreement-checkbox').tap();
    await onPage(LOGIN, '#agreement-checkbox[class*="login__checkbox--checked"]').waitFor();
    await onPage(LOGIN, '#login-button').tap();
    await waitShown(NOTES);
  }

  /** The phone frame only, as a person would see it. */
  function shot(file: string): Promise<void> {
    return screenshot(page.locator('.pv-phone'), file);
  }

  function noteTexts(): Promise<string[]> {
    return onPage(NOTES, '[class*="notes__text"]').allTextContents();
  }

  const session = usePreviewSession('notes-e2e', {
    emulator: { onFunctionOutput: () => undefined },
    context: { acceptDownloads: true, viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 },
  });

  beforeAll(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ emulator, page } = session());
  });

  it('log in, add a note, relaunch: the note is there; the same person in app B sees the same note', async () => {
    await launch(presetIdentity(XIAOMING, APP_A), HOME);
    // In a 375 px window the screen fills the width, edge to edge, and nothing of it is cut off.
    expect(await page.locator('.pv-phone').boundingBox()).toMatchObject({ x: 0, width: 375 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(375);
    await shot('notes-01-home.png');
    await openNotesLoggingIn();
    await onPage(NOTES, '#notes-empty').waitFor();
    await shot('notes-02-empty.png');

    await onPage(NOTES, '#note-input textarea').fill('周末去爬山，记得带水');
    await onPage(NOTES, '#note-save').tap();
    await onPage(NOTES, '#note-0').waitFor();
    expect(await noteTexts()).toEqual(['周末去爬山，记得带水']);
    await shot('notes-03-added.png');

    await launch(presetIdentity(XIAOMING, APP_A), NOTES);
    await onPage(NOTES, '#note-0').waitFor();
    expect(await noteTexts()).toEqual(['周末去爬山，记得带水']);

    await launch(presetIdentity(XIAOMING, APP_B), HOME);
    await openNotesLoggingIn();
    await onPage(NOTES, '#note-0').waitFor();
    expect(await noteTexts()).toEqual(['周末去爬山，记得带水']);
    await shot('notes-04-app-b.png');

    await onPage(NOTES, '#delete-0').tap();
    await shot('notes-05-delete-confirm.png');
  });

  it('我的 → 账号与安全 → 下载我的信息: 生成 counts the note, 保存为文件 downloads the JSON with it and no raw openid', async () => {
    // Still logged in from the flow above (the cached session in this browser's storage).
    await launch(presetIdentity(XIAOMING, APP_A), PROFILE);
    await onPage(PROFILE, '#account-security-entry').tap();
    await waitShown(SECURITY);
    await onPage(SECURITY, '#personal-data-entry').tap();
    await waitShown(PERSONAL_DATA);

    await onPage(PERSONAL_DATA, '#generate-button').tap();
    await onPage(PERSONAL_DATA, '#export-summary').waitFor();
    const rows = (await onPage(PERSONAL_DATA, '[id^="export-part-"]').allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());
    expect(rows).toContain('笔记 1 条');
    await shot('notes-06-personal-data.png');

    const [download] = await Promise.all([page.waitForEvent('download'), onPage(PERSONAL_DATA, '#save-button').tap()]);
    expect(download.suggestedFilename()).toMatch(/^我的信息-\d{4}-\d\d-\d\d\.json$/);
    // Saved, not read at download.path(): the run's shared browser is reached remotely, where path() throws.
    const saved = path.join(ARTIFACTS, 'notes-download.json');
    await download.saveAs(saved);
    const text = readFileSync(saved, 'utf8');
    const document = JSON.parse(text) as { data: { notes?: { text: string }[] } };
    expect(document.data.notes?.map((note) => note.text)).toEqual(['周末去爬山，记得带水']);
    expect(text).not.toContain(presetIdentity(XIAOMING, APP_A).openid);
    expect(text).not.toContain(presetIdentity(XIAOMING, APP_B).openid);
  });
});
