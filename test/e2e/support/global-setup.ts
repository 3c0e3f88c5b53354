/**
 * Jest global setup of the e2e project, for every browser test file of the run: one folder of kept
 * preview builds, where this repository's pages are built once: a file's emulator serves that build
 * unless a page changed (packages/miniprogram-preview build-cache.ts). Jest does not wait for the
 * build: it runs this before any test file of any project, so the build held up the whole run. It
 * announces its end through a file instead (browser.ts); a browser file waits there, seldom at all,
 * since it loads its own modules meanwhile. Chromium is each worker's own (e2e.environment.js).
 * Without the browser no build is made: the files skip, or fail under E2E_REQUIRE_BROWSER=1.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedBuildPreview } from '../../../packages/miniprogram-preview/build/build-cache';
import { announce, BUILD_SETTLED_FILE, browserAvailable, PREVIEW_CACHE_VARIABLE } from './browser';

declare global {
  // Read by global-teardown.ts, which Jest runs in this same process.
  var e2eRun: { dir: string; built: Promise<unknown> } | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (!browserAvailable) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-run-'));
  const cacheDir = path.join(dir, 'preview-builds');
  mkdirSync(cacheDir);
  // Test workers start after this returns and inherit the variable.
  process.env[PREVIEW_CACHE_VARIABLE] = cacheDir;
  // A build that fails is not kept: each file then builds again and reports the errors.
  const build = cachedBuildPreview({ cacheDir, miniprogramRoot: path.resolve(__dirname, '../../../miniprogram') })
    .catch(() => undefined)
    .finally(() => announce(path.join(cacheDir, BUILD_SETTLED_FILE), ''));
  globalThis.e2eRun = { dir, built: build };
}
