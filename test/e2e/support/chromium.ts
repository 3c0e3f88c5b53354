/**
 * The one way the browser tests find and start Chromium: Debian's chromium-headless-shell, else its
 * /usr/bin/chromium (E2E_CHROMIUM to use another; browser.ts), headless with the flags this sandbox needs (no background networking: the
 * machine's closed network refuses those connections), one browser per Jest worker (browser.ts). Without
 * the browser a file is skipped with a message; with E2E_REQUIRE_BROWSER=1 (set by .ci/run) a
 * missing browser fails instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { createEmulator, type Emulator, type EmulatorOptions } from '@wx-cloud-login/cloudbase-emulator';
import { createPreviewModule, type PreviewModuleOptions } from '@wx-cloud-login/miniprogram-preview/server/preview-module';
import { browserAvailable, CHROMIUM, openBrowser, previewBuildCache, releaseBrowser } from './browser';

export { browserAvailable, CHROMIUM, openBrowser, releaseBrowser };

if (!browserAvailable && process.env['E2E_REQUIRE_BROWSER'] === '1') {
  throw new Error(`E2E_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium-headless-shell fonts-noto-cjk`);
}

export const SKIP_NOTE = `${CHROMIUM} not found — browser tests skipped (install: apt-get install -y chromium-headless-shell fonts-noto-cjk)`;
if (!browserAvailable) console.warn(`[e2e] ${SKIP_NOTE}`);

/** `describe` when the browser is there; otherwise a skipped block whose title says why. */
export function describeInBrowser(title: string, body: () => void): void {
  if (browserAvailable) describe(title, body);
  else describe.skip(`${title} — SKIPPED: ${SKIP_NOTE}`, body);
}

/**
 * A page of the browser that reports every failure into `errors`: uncaught exceptions and
 * console.error (the preview logs lifecycle methods that threw and failed loads there). Tests
 * assert `errors` stays empty after each test.
 */
export function collectPageErrors(page: Page, errors: string[]): Page {
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return page;
}

/**
 * The browser context a preview page is opened in: touch input (exparser's `bindtap` fires on touch
 * taps), a desktop-sized window with the phone and the call log, Chinese, and the system's
 * reduce-motion setting: the preview's spinners stand still (host.css). A turning one has Chromium draw
 * 60 frames a second while a request is in flight, ~0.13 s of its CPU per second shown: its GPU process
 * took 9.3-10.4 s of CPU in this project's run, 5.1-5.4 s without (three alternating runs each on a busy
 * machine, 2026-12-07).
 */
export const PREVIEW_CONTEXT: BrowserContextOptions = {
  hasTouch: true,
  viewport: { width: 1100, height: 960 },
  locale: 'zh-CN',
  reducedMotion: 'reduce',
};

/** What a browser test file works with: the emulator serving the preview, and one page of Chromium (a context of its own). */
export interface PreviewSession {
  emulator: Emulator;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * One emulator with the preview, one browser context and one page for the enclosing describe block:
 * made before its tests (hooks registered after this call run after it), closed after them, and every
 * test must leave the page without errors. Answers the session once the block's beforeAll ran.
 */
export function usePreviewSession(
  name: string,
  options: {
    context?: BrowserContextOptions;
    emulator?: Omit<EmulatorOptions, 'modules'>;
    /** Another project's pages (what `npm start -- --project` serves); default this repository's. */
    preview?: Omit<PreviewModuleOptions, 'outDir'>;
  } = {},
): () => PreviewSession {
  let session: PreviewSession | undefined;
  let outDir = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    // The emulator (and its preview) and the browser's page start together: neither needs the other yet.
    const [emulator, { browser, context, page }] = await Promise.all([
      // The run's kept build of the same pages when there is one (global-setup.ts).
      previewBuildCache()
        .then((buildCache) => createPreviewModule({ ...options.preview, outDir, buildCache }))
        .then((preview) => createEmulator({ memory: true, ...options.emulator, modules: [preview] })),
      openBrowser().then(async (browser) => {
        const context = await browser.newContext({ ...PREVIEW_CONTEXT, ...options.context });
        return { browser, context, page: collectPageErrors(await context.newPage(), pageErrors) };
      }),
    ]);
    session = { emulator, browser, context, page };
  });

  afterAll(async () => {
    await session?.context.close();
    await releaseBrowser(session?.browser);
    await session?.emulator.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  return () => {
    if (!session) throw new Error('the preview session is made in beforeAll: use it inside a hook or a test');
    return session;
  };
}
