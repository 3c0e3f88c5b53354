/**
 * Pictures of the browser tests, for a person to look at after a change (test-artifacts/e2e/): taken
 * only when asked, `E2E_SCREENSHOTS=1 npx jest test/e2e`. No test reads them, and each one cost
 * Chromium a capture and a PNG encoding, 0.09-0.14 s of its CPU, and the worker ~20 ms to write it:
 * 35 pictures were ~4 s of Chromium's CPU in the e2e project (median of five alternating runs,
 * 2026-12-07). `npm run screenshots` (scripts/screenshots.ts) is the product's own picture command
 * and always takes its pictures.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** The folder of the browser tests' files for people: the pictures, and what a test downloaded. */
export const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts/e2e');

export const screenshotsWanted = process.env['E2E_SCREENSHOTS'] === '1';

/**
 * Saves a picture of `target` (a page, or one element such as the phone `.pv-phone`) as
 * test-artifacts/e2e/`file` when screenshots are asked for; otherwise does nothing. `fullPage`: the
 * whole scrolled page, not only the window (a page only).
 */
export async function screenshot(target: Page | Locator, file: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!screenshotsWanted) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const where = path.join(ARTIFACTS, file);
  if ('goto' in target) await target.screenshot({ path: where, fullPage: options.fullPage ?? false });
  else await target.screenshot({ path: where });
}
