/**
 * Which Chromium the browser tests use and how it is started, with nothing of this repository
 * imported: Jest loads this from its global setup, outside the test module map.
 *
 * One browser per Jest worker (e2e.environment.js keeps it): the worker's first browser file
 * launches it, its later files use it, each with contexts of its own, and Playwright ends it with
 * the worker. Launching Chromium per file cost each file ~0.7 s of CPU and 1-2 s before its first
 * page. One browser for the whole run, behind a Playwright browser server in Jest's main process,
 * cost that process ~7 s of CPU relaying every message of both workers. The worker drives its
 * browser over the launch pipe, its only client: never connect to Chromium's CDP port, where every
 * client attaches to every page, and one that does not listen for dialogs dismisses them (a
 * `confirm()` in one file's page was answered by another process). A file run without that
 * environment (another config) launches a browser of its own.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Playwright from 'playwright-core';
import type { Browser } from 'playwright-core';

declare global {
  /** playwright-core as the Jest worker loaded it, once for all its files (e2e.environment.js). */
  var e2ePlaywright: Pick<typeof Playwright, 'chromium'> | undefined;
  /** The Jest worker's browser, launched by `launch` the first time a file asks (e2e.environment.js). */
  var e2eWorkerBrowser: { open(launch: () => Promise<Browser>): Promise<Browser> } | undefined;
}

/** The worker's copy in a test file of the e2e project; anywhere else (the global setup) a require of its own. */
function playwright(): Pick<typeof Playwright, 'chromium'> {
  return globalThis.e2ePlaywright ?? (createRequire(__filename)('playwright-core') as typeof Playwright);
}

/**
 * Debian's chromium-headless-shell when it is installed (.ci/run installs it): the same engine as its
 * chromium without the desktop browser around it, about a fifth less CPU for the e2e project
 * (38 → 29.5 s user+sys, two runs each, 2026-12-07). Otherwise Debian's chromium; E2E_CHROMIUM overrides both.
 */
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
export const CHROMIUM = process.env['E2E_CHROMIUM'] ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');

/**
 * `--js-flags`: V8 without its optimizing compilers (Maglev, TurboFan), the page's script run by its
 * interpreter and baseline compiler. A test's page lives for seconds: its code never runs long
 * enough to repay compiling it again, which took ~25 of the renderer's ~180 ms of CPU per load of
 * the preview (trace, 2026-12-07). The same JavaScript semantics, only no optimized code.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--js-flags=--no-maglev --no-turbofan',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const browserAvailable = existsSync(CHROMIUM);

/**
 * The run's folder of kept preview builds (packages/miniprogram-preview build-cache.ts), set by the
 * global setup, which builds this repository's pages there without waiting for the build either.
 */
export const PREVIEW_CACHE_VARIABLE = 'E2E_PREVIEW_BUILDS';

/** Written into the folder of kept builds once the global setup's build ended, kept or failed. */
export const BUILD_SETTLED_FILE = 'global-setup-build-settled';

/** Writes `text` to `file` by a rename: a reader sees the whole file or none. */
export function announce(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** The content of `file` once it exists (the global setup writes it), polled. */
async function announced(file: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (Date.now() > deadline) throw new Error(`the e2e global setup never wrote ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The Jest worker's browser in a test file of the e2e project, else a browser of the caller's own. */
export function openBrowser(): Promise<Browser> {
  const launch = () => playwright().chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  return globalThis.e2eWorkerBrowser?.open(launch) ?? launch();
}

/** Ends a file's use of the browser: closes one of its own, leaves the worker's to its next file (close the contexts). */
export async function releaseBrowser(browser: Browser | undefined): Promise<void> {
  if (browser && !globalThis.e2eWorkerBrowser) await browser.close();
}

/** The run's folder of kept preview builds once the global setup's build ended (undefined outside such a run). */
export async function previewBuildCache(): Promise<string | undefined> {
  const cacheDir = process.env[PREVIEW_CACHE_VARIABLE];
  if (cacheDir) await announced(path.join(cacheDir, BUILD_SETTLED_FILE));
  return cacheDir;
}
