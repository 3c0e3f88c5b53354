/** Jest global teardown of the e2e project: closes the run's shared Chromium (global-setup.ts). */
import { SHARED_BROWSER_VARIABLE } from './browser';

export default async function globalTeardown(): Promise<void> {
  await globalThis.e2eBrowserServer?.close();
  globalThis.e2eBrowserServer = undefined;
  delete process.env[SHARED_BROWSER_VARIABLE];
}
