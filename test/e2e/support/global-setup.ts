/**
 * Jest global setup of the e2e project, for every browser test file of the run:
 * - one Chromium, shared through a ws endpoint (a file's pages live in contexts of its own, closed
 *   when the file ends);
 * - one folder of kept preview builds, where this repository's pages are built once: a file's
 *   emulator serves that build unless a page changed (packages/miniprogram-preview build-cache.ts).
 * Both start together, and Jest does not wait for them: it runs this before any test file of any
 * project, so ~2 s of launching and building held up the whole run. They announce themselves
 * through files instead (browser.ts); a browser file waits there for what it uses, seldom at all,
 * since it loads its own modules meanwhile. Without the browser neither is made: the files skip,
 * or fail under E2E_REQUIRE_BROWSER=1.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserServer } from 'playwright-core';
import { cachedBuildPreview } from '../../../packages/miniprogram-preview/build/build-cache';
import {
  announce,
  BUILD_SETTLED_FILE,
  browserAvailable,
  launchBrowserServer,
  PREVIEW_CACHE_VARIABLE,
  SHARED_BROWSER_VARIABLE,
} from './browser';

declare global {
  // Read by global-teardown.ts, which Jest runs in this same process.
  var e2eRun: { dir: string; started: Promise<BrowserServer | undefined> } | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (!browserAvailable) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-run-'));
  const cacheDir = path.join(dir, 'preview-builds');
  mkdirSync(cacheDir);
  const announcement = path.join(dir, 'browser.json');
  // Test workers start after this returns and inherit the variables.
  process.env[PREVIEW_CACHE_VARIABLE] = cacheDir;
  process.env[SHARED_BROWSER_VARIABLE] = announcement;

  const browser = launchBrowserServer().then(
    (server) => {
      announce(announcement, JSON.stringify({ endpoint: server.wsEndpoint() }));
      return server;
    },
    (error: unknown) => {
      announce(announcement, JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
      return undefined;
    },
  );
  // A build that fails is not kept: each file then builds again and reports the errors.
  const build = cachedBuildPreview({ cacheDir, miniprogramRoot: path.resolve(__dirname, '../../../miniprogram') })
    .catch(() => undefined)
    .finally(() => announce(path.join(cacheDir, BUILD_SETTLED_FILE), ''));
  globalThis.e2eRun = { dir, started: Promise.all([browser, build]).then(([server]) => server) };
}
