/** Jest global teardown of the e2e project: closes the run's Chromium and removes its preview builds (global-setup.ts). */
import { rmSync } from 'node:fs';
import { PREVIEW_CACHE_VARIABLE, SHARED_BROWSER_VARIABLE } from './browser';

export default async function globalTeardown(): Promise<void> {
  await globalThis.e2eBrowserServer?.close();
  globalThis.e2eBrowserServer = undefined;
  const cacheDir = process.env[PREVIEW_CACHE_VARIABLE];
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  delete process.env[SHARED_BROWSER_VARIABLE];
  delete process.env[PREVIEW_CACHE_VARIABLE];
}
