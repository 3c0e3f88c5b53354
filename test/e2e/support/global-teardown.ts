/** Jest global teardown of the e2e project: closes the run's Chromium and removes its preview builds (global-setup.ts). */
import { rmSync } from 'node:fs';
import { PREVIEW_CACHE_VARIABLE, SHARED_BROWSER_VARIABLE } from './browser';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis.e2eRun;
  globalThis.e2eRun = undefined;
  if (run) {
    await (await run.started)?.close();
    rmSync(run.dir, { recursive: true, force: true });
  }
  delete process.env[SHARED_BROWSER_VARIABLE];
  delete process.env[PREVIEW_CACHE_VARIABLE];
}
