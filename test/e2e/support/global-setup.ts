/**
 * Jest global setup of the e2e project, for every browser test file of the run:
 * - one Chromium, shared through a ws endpoint (a file's pages live in contexts of its own, closed
 *   when the file ends);
 * - one folder of kept preview builds, where this repository's pages are built once: a file's
 *   emulator serves that build unless a page changed (packages/miniprogram-preview build-cache.ts).
 * Both start together. Without the browser neither is made: the files skip, or fail under
 * E2E_REQUIRE_BROWSER=1.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserServer } from 'playwright-core';
import { cachedBuildPreview } from '../../../packages/miniprogram-preview/build/build-cache';
import { browserAvailable, launchBrowserServer, PREVIEW_CACHE_VARIABLE, SHARED_BROWSER_VARIABLE } from './browser';

declare global {
  // Read by global-teardown.ts, which Jest runs in this same process.
  var e2eBrowserServer: BrowserServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (!browserAvailable) return;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-preview-builds-'));
  // Test workers start after this and inherit the variables.
  process.env[PREVIEW_CACHE_VARIABLE] = cacheDir;
  // A build that fails is not kept: each file then builds again and reports the errors.
  const [server] = await Promise.all([
    launchBrowserServer(),
    cachedBuildPreview({ cacheDir, miniprogramRoot: path.resolve(__dirname, '../../../miniprogram') }),
  ]);
  globalThis.e2eBrowserServer = server;
  process.env[SHARED_BROWSER_VARIABLE] = server.wsEndpoint();
}
