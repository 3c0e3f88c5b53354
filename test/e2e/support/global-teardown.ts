/** Jest global teardown of the e2e project: removes the run's preview builds (global-setup.ts). */
import { rmSync } from 'node:fs';
import { PREVIEW_CACHE_VARIABLE } from './browser';

export default async function globalTeardown(): Promise<void> {
  const run = globalThis.e2eRun;
  globalThis.e2eRun = undefined;
  if (run) {
    await run.built;
    rmSync(run.dir, { recursive: true, force: true });
  }
  delete process.env[PREVIEW_CACHE_VARIABLE];
}
