/**
 * Jest global setup of the e2e project: one Chromium for the run, shared by every browser test file
 * through a ws endpoint (a file's pages live in contexts of its own, closed when the file ends).
 * Without the browser nothing starts: the files skip, or fail under E2E_REQUIRE_BROWSER=1.
 */
import type { BrowserServer } from 'playwright-core';
import { browserAvailable, launchBrowserServer, SHARED_BROWSER_VARIABLE } from './browser';

declare global {
  // Read by global-teardown.ts, which Jest runs in this same process.
  var e2eBrowserServer: BrowserServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (!browserAvailable) return;
  const server = await launchBrowserServer();
  globalThis.e2eBrowserServer = server;
  // Test workers start after this and inherit the variable.
  process.env[SHARED_BROWSER_VARIABLE] = server.wsEndpoint();
}
