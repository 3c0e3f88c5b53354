/**
 * The emulator's status page in a real browser (Debian's chromium, playwright-core): browse a
 * collection, create one, edit, add, import, delete and clear documents, upload and delete stored
 * files, and watch the live log show function calls (event, answer, requests, round trips) and
 * their console output. One browser and one emulator for the file; the tests run in order.
 *
 * Skipped with a message without /usr/bin/chromium (E2E_CHROMIUM to use another), failed instead
 * with E2E_REQUIRE_BROWSER=1, as the preview's e2e test does.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createEmulator, type Emulator } from '@wx-cloud-login/cloudbase-emulator';
import { describeInBrowser, openBrowser, releaseBrowser } from './support/chromium';
import { screenshot } from './support/screenshots';

// Inside the repository, so the functions resolve wx-server-sdk from its node_modules.
const FUNCTIONS = path.resolve(__dirname, '../../test-artifacts/emulator-status/functions');
const FIXTURES = path.resolve(__dirname, '../../packages/cloudbase-emulator/test/fixtures/functions');

let emulator: Emulator;
let browser: Browser;
let page: Page;

interface ApiDocuments {
  documents: Record<string, unknown>[];
}

const documentsOf = async (name: string) =>
  ((await (await fetch(`${emulator.url}/api/collections/${name}`)).json()) as ApiDocuments).documents;

describeInBrowser('emulator status page (chromium)', () => {
  beforeAll(async () => {
    rmSync(FUNCTIONS, { recursive: true, force: true });
    cpSync(path.join(FIXTURES, 'db-steps'), path.join(FUNCTIONS, 'db-steps'), { recursive: true });
    mkdirSync(path.join(FUNCTIONS, 'shout'), { recursive: true });
    writeFileSync(
      path.join(FUNCTIONS, 'shout', 'index.js'),
      "exports.main = async (event) => { console.log('hello from shout', event.n); console.error('a warning'); return { heard: event.n }; };\n",
    );
    // The page is opened while the emulator starts and is seeded.
    const opened = openBrowser().then(async (shared) => {
      browser = shared;
      page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
      page.on('dialog', (dialog) => void dialog.accept());
    });
    try {
      emulator = await createEmulator({ memory: true, functionsRoot: FUNCTIONS, onFunctionOutput: () => undefined });
      await emulator.database.importCollection(
        'notes',
        '{"_id":"n1","text":"first","at":{"$date":"2026-01-02T03:04:05Z"}}\n{"_id":"n2","text":"second"}\n',
      );
      await emulator.storage.write('docs/seeded.txt', Buffer.from('seeded'));
    } finally {
      // Opened before afterAll runs, even when the emulator failed: afterAll closes it.
      await opened.catch(() => undefined);
    }
    await opened;
  }, 60_000);

  afterAll(async () => {
    await page?.context().close();
    await releaseBrowser(browser);
    await emulator?.close();
    rmSync(path.dirname(FUNCTIONS), { recursive: true, force: true });
  });

  it('lists collections, files and functions, and creates a collection', async () => {
    await page.goto(emulator.url);
    await expect(page.locator('table').first().textContent()).resolves.toContain('notes');
    await expect(page.locator('body').textContent()).resolves.toContain('docs/seeded.txt');
    await page.fill('#new-collection', 'extra');
    await Promise.all([page.waitForEvent('load'), page.click('button[data-action="create-collection"]')]);
    await expect(page.locator('a[href="/collections/extra"]').count()).resolves.toBe(1);
  });

  it('edits a document, keeping its date a date, and refuses invalid JSON with a message', async () => {
    await page.goto(`${emulator.url}/collections/notes`);
    const first = page.locator('.doc').filter({ hasText: '"n1"' });
    await first.locator('button[data-action="edit"]').click();
    const editor = first.locator('textarea');
    await editor.fill('{ "_id": "n1", "text": "not json",');
    await first.locator('button[data-action="save"]').click();
    await expect(page.locator('#message').textContent()).resolves.toContain('不是合法的 JSON');

    await editor.fill('{ "_id": "n1", "text": "edited in the browser", "at": { "$date": "2026-01-02T03:04:05Z" } }');
    await Promise.all([page.waitForEvent('load'), first.locator('button[data-action="save"]').click()]);
    await expect(page.locator('.doc').filter({ hasText: '"n1"' }).locator('pre').textContent()).resolves.toContain('edited in the browser');
    const stored = emulator.database.documents('notes').find((document) => document['_id'] === 'n1');
    expect(stored).toEqual({ _id: 'n1', text: 'edited in the browser', at: new Date('2026-01-02T03:04:05Z') });
  });

  it('adds, imports and deletes documents, then clears the collection', async () => {
    await page.click('details.new-doc summary');
    await page.fill('details.new-doc textarea', '{ "_id": "n3", "text": "added" }');
    await Promise.all([page.waitForEvent('load'), page.click('details.new-doc button[data-action="save"]')]);
    await page.setInputFiles('#import-file', {
      name: 'more.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from('{"_id":"i1","text":"imported"}\n{"_id":"i2","text":"imported too"}\n'),
    });
    await Promise.all([page.waitForEvent('load'), page.click('button[data-action="import"]')]);
    expect((await documentsOf('notes')).map((document) => document['_id'])).toEqual(['n1', 'n2', 'n3', 'i1', 'i2']);

    await Promise.all([
      page.waitForEvent('load'),
      page.locator('.doc').filter({ hasText: '"n2"' }).locator('button[data-action="delete"]').click(),
    ]);
    expect((await documentsOf('notes')).map((document) => document['_id'])).toEqual(['n1', 'n3', 'i1', 'i2']);
    await screenshot(page, 'emulator-status-collection.png', { fullPage: true });

    await Promise.all([page.waitForEvent('load'), page.click('button[data-action="clear"]')]);
    expect(await documentsOf('notes')).toEqual([]);
    await expect(page.locator('body').textContent()).resolves.toContain('这个集合没有文档');
  });

  it('uploads a file, serves it for download, and deletes it', async () => {
    await page.goto(emulator.url);
    await page.setInputFiles('#upload-file', { name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello storage') });
    await page.fill('#upload-path', 'docs/hello.txt');
    await Promise.all([page.waitForEvent('load'), page.click('button[data-action="upload"]')]);
    const link = page.locator('a', { hasText: 'docs/hello.txt' });
    const href = await link.getAttribute('href');
    const download = await fetch(`${emulator.url}${href}`);
    expect(await download.text()).toBe('hello storage');

    await Promise.all([page.waitForEvent('load'), page.click('button[data-action="delete-file"][data-path="docs/hello.txt"]')]);
    expect(emulator.storage.list().map((file) => file.cloudPath)).toEqual(['docs/seeded.txt']);
  });

  it('shows each function call live, with its event, answer, requests and round trips, and the function’s console output', async () => {
    await page.goto(emulator.url);
    await emulator.callFunction('shout', { n: 7 }, { openid: 'o_status' });
    await emulator.callFunction('db-steps', { collection: 'notes' }, { openid: 'o_status' });
    const shout = page.locator('#log details.call', { hasText: 'shout' });
    await shout.waitFor();
    await expect(page.locator('#log .output.stdout').first().textContent()).resolves.toContain('[shout] hello from shout 7');
    await expect(page.locator('#log .output.stderr').first().textContent()).resolves.toContain('a warning');
    await shout.locator('summary').click();
    await expect(shout.locator('pre.event').textContent()).resolves.toContain('"n": 7');
    await expect(shout.locator('pre.result').textContent()).resolves.toContain('"heard": 7');

    const steps = page.locator('#log details.call', { hasText: 'db-steps' });
    await steps.waitFor();
    await expect(steps.locator('summary').textContent()).resolves.toMatch(/3 个请求 requests · 3 次往返 round trips · o_status/);
    await steps.locator('summary').click();
    await expect(steps.locator('pre.requests').textContent()).resolves.toContain('database.insertDocument notes');
    await screenshot(page, 'emulator-status-log.png', { fullPage: true });
  });
});
